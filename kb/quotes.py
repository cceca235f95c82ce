"""Check that every quote attributed to the primary essay occurs in it verbatim.

Whitespace runs and typographic quotes/apostrophes are normalised on both sides, so a
quote matches across line breaks and whichever quote characters a copy uses.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kb.errors import UsageError
from kb.models import Entity, Quote, Source

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


def normalise(text: str) -> str:
    """The form compared: NFC, plain quotes, single spaces."""
    text = unicodedata.normalize("NFC", text).translate(_TYPOGRAPHIC)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class QuoteCheck:
    quote_id: str
    text: str
    found: bool


def primary_source(entities: dict[str, Entity]) -> str | None:
    """The id of the source marked primary (the essay), if any."""
    return next((s for s, e in entities.items() if isinstance(e, Source) and e.primary), None)


def attributed_quotes(entities: dict[str, Entity], source_id: str) -> list[Quote]:
    """Quotes whose words are the source's, or that the KB took from it."""
    return sorted(
        (
            e
            for e in entities.values()
            if isinstance(e, Quote) and source_id in (e.source, e.quoted_in)
        ),
        key=lambda q: q.id,
    )


def verify(entities: dict[str, Entity], source_file: Path) -> list[QuoteCheck]:
    """Check each quote attributed to the primary source against the text in ``source_file``."""
    try:
        haystack = normalise(source_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{source_file}: cannot read as UTF-8 text: {error}") from None
    essay = primary_source(entities)
    if essay is None:
        return []
    return [
        QuoteCheck(q.id, q.text, normalise(q.text) in haystack)
        for q in attributed_quotes(entities, essay)
    ]
