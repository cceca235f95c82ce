"""The error surface: one small hierarchy, messages that name file, line, entity and field.

Library code raises these; the command line turns them into one-line messages and exit
codes (1 for problems found in the data, 2 for usage or input errors).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the KB, located as precisely as the parser allows."""

    file: str
    line: int | None
    entity: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [where]
        if self.entity:
            parts.append(self.entity)
        if self.field:
            parts.append(self.field)
        return ": ".join(parts) + ": " + self.message

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "entity": self.entity,
            "field": self.field,
            "message": self.message,
        }


class KBError(Exception):
    """Base class of every error the library raises on purpose."""


class InvalidKB(KBError):
    """The KB has problems; all of them are in ``problems``."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, str(p)))
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the knowledge base")


class UsageError(KBError):
    """Bad input from the caller: an unknown id, a bad parameter, an unreadable file."""


class UnknownId(UsageError, KeyError):
    """An id that names no entity (or no entity of the expected kind); suggests near ids.

    Also a ``KeyError``, so ``k["no-such-id"]`` fails the way a mapping does.
    """

    __str__ = Exception.__str__

    def __init__(self, what: str, value: str, known: Iterable[str]):
        self.value = value
        self.suggestions = difflib.get_close_matches(value, list(known), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown {what} {value!r}{hint}")
