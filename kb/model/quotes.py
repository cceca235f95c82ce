"""Check the quotes attributed to the primary essay against its text, and place them in it.

Every such quote must occur in the essay verbatim, and carries its place there as data: the
heading of the section it sits in (``kb:locator``, or ``kb:quotedInLocator`` for another
work's words the essay quotes) and where it starts (``schema:position``, a character offset
into the normalised text). :func:`verify` reports every quote whose words or place are wrong;
:func:`place` computes the right place, for ``kb quotes place`` to write.

Whitespace runs and typographic quotes/apostrophes are normalised on both sides, so a quote
matches across line breaks and whichever quote characters a copy uses; offsets count
characters of that normalised text, so they do not change when a copy is reflowed.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kb.model.errors import UsageError
from kb.model.models import Entity, Quote, Source

_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)

#: A heading is one short line standing alone, not indented, not ending as a sentence or a
#: quotation does (a question mark may end it: "Why does this all matter?").
_HEADING_MAX = 100
_NOT_HEADING_END = tuple(".,:;!\"'\u201d\u2019")


def normalise(text: str) -> str:
    """The form compared: NFC, plain quotes, single spaces."""
    text = unicodedata.normalize("NFC", text).translate(_TYPOGRAPHIC)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Essay:
    """The essay as quotes are compared with it: its normalised text, and the offset at
    which each section's heading starts (the title is the first heading)."""

    text: str
    sections: tuple[tuple[int, str], ...]

    @classmethod
    def parse(cls, raw: str) -> Essay:
        """The essay from its plain text: headings are lines on their own between blank
        lines, unindented, at most 100 characters, not ending in sentence punctuation."""
        lines = raw.splitlines()
        parts: list[str] = []
        sections: list[tuple[int, str]] = []
        offset = 0
        for number, line in enumerate(lines):
            words = normalise(line)
            if not words:
                continue
            if parts:
                offset += 1  # the space joining it to the line before
            if _is_heading(lines, number):
                sections.append((offset, " ".join(line.split())))
            parts.append(words)
            offset += len(words)
        return cls(" ".join(parts), tuple(sections))

    def occurrences(self, words: str) -> list[int]:
        """Every offset at which ``words`` (normalised) start in the text."""
        found, start = [], self.text.find(words)
        while start >= 0 and words:
            found.append(start)
            start = self.text.find(words, start + 1)
        return found

    def section_at(self, offset: int) -> str | None:
        """The heading of the section that the character at ``offset`` is in."""
        index = bisect_right([start for start, _ in self.sections], offset) - 1
        return self.sections[index][1] if index >= 0 else None


def _is_heading(lines: list[str], number: int) -> bool:
    line = lines[number]
    alone = (number == 0 or not lines[number - 1].strip()) and (
        number + 1 == len(lines) or not lines[number + 1].strip()
    )
    text = line.strip()
    return (
        alone
        and not line[:1].isspace()
        and len(text) <= _HEADING_MAX
        and not text.endswith(_NOT_HEADING_END)
    )


def read_essay(path: Path) -> Essay:
    try:
        return Essay.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read as UTF-8 text: {error}") from None


@dataclass(frozen=True)
class QuoteCheck:
    """One quote against the essay: whether its words are there, and what is wrong with the
    place it records (each problem a sentence naming the field)."""

    quote_id: str
    text: str
    found: bool
    problems: tuple[str, ...] = ()
    #: Where the words are: (the section's heading, the offset), when found.
    place: tuple[str | None, int] | None = None


def primary_source(entities: Mapping[str, Entity]) -> str | None:
    """The id of the source marked primary (the essay), if any."""
    return next((s for s, e in entities.items() if isinstance(e, Source) and e.primary), None)


def attributed_quotes(entities: Mapping[str, Entity], source_id: str) -> list[Quote]:
    """Quotes whose words are the source's, or that the KB took from it."""
    return sorted(
        (
            e
            for e in entities.values()
            if isinstance(e, Quote) and source_id in (e.source, e.quoted_in)
        ),
        key=lambda q: q.id,
    )


def check_quote(quote: Quote, essay: Essay) -> QuoteCheck:
    """Whether the quote's words occur in the essay, and at the place it records."""
    starts = essay.occurrences(normalise(quote.text))
    if not starts:
        return QuoteCheck(quote.id, quote.text, False)
    start = quote.position if quote.position in starts else starts[0]
    heading = essay.section_at(start)
    field = "kb:quotedInLocator" if quote.quoted_in else "kb:locator"
    shown_starts = " or ".join(str(s) for s in starts[:3])
    problems = []
    if quote.position is None:
        problems.append(f"no schema:position; the words start at {shown_starts}")
    elif quote.position not in starts:
        problems.append(f"schema:position {quote.position}, but the words start at {shown_starts}")
    if heading is None:
        if quote.section is not None:
            problems.append(f"{field} {quote.section!r}, but no heading precedes the words")
    elif quote.section is None:
        problems.append(f"no {field}; the words are in the section {heading!r}")
    elif normalise(quote.section) != normalise(heading):
        problems.append(f"{field} {quote.section!r}, but the words are in the section {heading!r}")
    return QuoteCheck(quote.id, quote.text, True, tuple(problems), (heading, start))


def verify(entities: Mapping[str, Entity], source_file: Path) -> list[QuoteCheck]:
    """Check each quote attributed to the primary source against the text in ``source_file``."""
    essay = read_essay(source_file)
    primary = primary_source(entities)
    if primary is None:
        return []
    return [check_quote(q, essay) for q in attributed_quotes(entities, primary)]


def placed(checks: Iterable[QuoteCheck], entities: Mapping[str, Entity]) -> dict[str, Quote]:
    """The quotes whose recorded place differs from where the checks found their words,
    with the place corrected (section heading as the essay spells it, and position)."""
    changed: dict[str, Quote] = {}
    for check in checks:
        quote = entities[check.quote_id]
        if not check.problems or check.place is None or not isinstance(quote, Quote):
            continue
        heading, start = check.place
        field = "quoted_in_locator" if quote.quoted_in else "locator"
        update = {"position": start, field: heading}
        changed[quote.id] = Quote.model_validate({**quote.model_dump(), **update})
    return changed


def reading_order(quote: Quote, primary: str | None) -> tuple[bool, str, bool, int, str]:
    """A sort key: quotes taken from the primary source first, each work's quotes in the
    order they occur in it (by position), those without one after, by id."""
    return (
        quote.taken_from != primary,
        quote.taken_from,
        quote.position is None,
        quote.position or 0,
        quote.id,
    )
