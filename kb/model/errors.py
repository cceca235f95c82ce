"""The error surface: one small hierarchy, messages that name file, line, entity and field.

Library code raises these; the command line turns them into one-line messages and exit
codes (1 for problems found in the data, 2 for usage or input errors).
"""

from __future__ import annotations

import difflib
import re
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


#: Characters that act on a terminal or hide in text: C0 controls, DEL, C1 controls, and
#: the bidirectional and zero-width format characters that reorder or hide what is shown.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    """``text`` with control characters written as visible escapes (``\\x1b``, ``\\u202e``);
    tab and newline are kept."""
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def excerpt(value: object, limit: int = 40) -> str:
    """A short, escaped, quoted excerpt of a value for an error message: never the repr of
    a large value (a string is cut to ``limit`` characters, a container named by its type)."""
    if isinstance(value, str):
        shown = escape_controls(value.replace("\n", "\\n").replace("\t", "\\t"))
        if len(shown) > limit:
            shown = shown[: limit - 1] + "…"
        return f"'{shown}'"
    if value is None or isinstance(value, bool | int | float):
        return excerpt(repr(value), limit)[1:-1]
    return f"a {type(value).__name__}"


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
