"""Field types and the RDF annotation that ties each pydantic field to one predicate.

The models in :mod:`kb.model.models` are the one schema. Each field carries a :class:`Predicate`
marker naming its predicate (defined in :mod:`kb.model.schema_table`, free of pydantic);
:mod:`kb.model.mapping` reads those markers to turn models into triples and back, and
:mod:`kb.publish.schema` derives the vocabulary, SHACL shapes and JSON Schema from them.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, NonNegativeInt, StringConstraints

from kb.model.schema_table import P, Predicate
from kb.model.vocab import SLUG_PATTERN

DATE_PATTERN = r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$"
URL_PATTERN = r"^https?://[^\s<>\"{}|\\^`]+$"


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    return value


#: Characters no text field may hold: C0 controls but tab, newline and carriage return,
#: DEL, C1 controls, and Unicode noncharacters. They are invisible in a review, act on
#: terminals, and break the YAML and XML the site and endpoint write.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)


def _no_controls(value: str) -> str:
    forbidden = _FORBIDDEN.search(value)
    if forbidden:
        raise ValueError(
            f"contains U+{ord(forbidden.group()):04X} (a control character or noncharacter) at "
            f"character {forbidden.start() + 1}; remove it"
        )
    return value


def _calendar_date(value: str) -> str:
    if len(value) == 10:
        import datetime

        datetime.date.fromisoformat(value)  # rejects 2021-02-30
    return value


def _valid_iri(value: str) -> str:
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(value)
    except ValueError as error:  # the same check the Turtle parser makes
        raise ValueError(f"not a valid IRI: {error}") from None
    return value


__all__ = ["IsoDate", "Offset", "P", "Predicate", "Slug", "Text", "Url", "date_datatype"]

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, AfterValidator(_not_blank), AfterValidator(_no_controls)]
#: A year, year-month or full date (xsd:gYear, xsd:gYearMonth or xsd:date in RDF).
IsoDate = Annotated[str, StringConstraints(pattern=DATE_PATTERN), AfterValidator(_calendar_date)]
Url = Annotated[str, StringConstraints(pattern=URL_PATTERN), AfterValidator(_valid_iri)]
#: A place in a text counted in characters from its start (xsd:integer, 0 or more).
Offset = NonNegativeInt


def date_datatype(value: str) -> str:
    """The XSD datatype local name for a date string of :data:`IsoDate` form."""
    return {4: "gYear", 7: "gYearMonth"}.get(len(value), "date")
