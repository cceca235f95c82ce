"""Load then save is lossless: random valid KBs survive save → load → save unchanged.

The generator reads the field specs off the models, so a new field is covered without
touching this file. Text is random Unicode with quotes, backslashes, newlines, tabs,
control characters, bidi marks, joiners and combining marks mixed in.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from conftest import bundled, file_bytes, rdflib_graph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from kb.model.mapping import FieldSpec, specs
from kb.model.models import KINDS, Entity, Scenario, Source, Term, Verdict
from kb.rdf.dataset import load
from kb.rdf.writer import save

SPECIAL = [
    '"',
    "'",
    '"""',
    "'''",
    "\\",
    "\\n",
    "\n",
    "\r",
    "\t",
    "\u202e",
    "\u200f",
    "\u200d",
    "\u200b",
    "\u0301",
    "\u0308",
    "\ufeff",
    "\u2028",
    "<script>",
    "&amp;",
    "**",
    "`",
    "# ",
    "@prefix",
    " .",
    " ;",
    "id:x",
    "\U0001f600",
    "é",
]
# Any code point but lone surrogates, controls (tab, newline and return are in SPECIAL)
# and noncharacters, which text fields reject.
CHARS = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")).filter(
    lambda c: not (0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE)
)
TEXT = (
    st.lists(st.one_of(CHARS, st.sampled_from(SPECIAL)), min_size=1, max_size=12)
    .map("".join)
    .filter(lambda s: s.strip() != "")
)
SLUG = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)
DAY = st.dates(min_value=datetime.date(1000, 1, 1), max_value=datetime.date(9999, 12, 31))
DATE = st.one_of(
    DAY.map(lambda d: d.isoformat()),
    DAY.map(lambda d: d.isoformat()[:7]),
    DAY.map(lambda d: d.isoformat()[:4]),
)
URL = st.builds(
    lambda scheme, host, path, query: f"{scheme}://{host}/{path}{query}",
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9]{1,10}(\.[a-z]{2,5}){1,2}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9._~%-]{0,12}(/[A-Za-z0-9é]{1,6}){0,2}", fullmatch=True).filter(
        lambda p: "%" not in p
    ),
    st.sampled_from(["", "?q=1&r=2", "#frag", "?x=%20y"]),
) | st.sampled_from(["https://schema.org/Thing", "http://purl.org/dc/terms/title"])


def _value(spec: FieldSpec, ids: dict[str, list[str]]) -> st.SearchStrategy[Any] | None:
    if spec.kind == "ref":
        targets = sorted({slug for kind in spec.refs for slug in ids[kind]})
        return st.sampled_from(targets) if targets else None
    return {
        "text": TEXT,
        "bool": st.booleans(),
        "integer": st.integers(min_value=spec.minimum, max_value=10**12),
        "enum": st.sampled_from(spec.choices),
        "date": DATE,
        "url": URL,
    }[spec.kind]


def _field(spec: FieldSpec, ids: dict[str, list[str]]) -> st.SearchStrategy[Any] | None:
    value = _value(spec, ids)
    if value is None:
        return None
    if spec.ordered:  # an RDF list keeps order and repeats
        values = st.lists(value, min_size=1, max_size=3)
        return values if spec.required else st.one_of(st.just([]), values)
    if spec.many:  # repeated triples: a set, which the loader returns sorted
        return st.lists(value, min_size=1 if spec.required else 0, max_size=3, unique=True).map(
            sorted
        )
    if spec.required or spec.kind == "bool":  # booleans default to false, never None
        return value
    return st.one_of(st.none(), value)


@st.composite
def knowledge_bases(draw: st.DrawFn) -> dict[str, Entity]:
    counts = {kind.__name__: draw(st.integers(1, 3)) for kind in KINDS}
    slugs = draw(st.lists(SLUG, min_size=sum(counts.values()), unique=True).map(iter))
    ids = {name: [next(slugs) for _ in range(n)] for name, n in counts.items()}
    entities: dict[str, Entity] = {}
    pairs: set[tuple[str, str]] = set()
    primary_taken = False
    hierarchy = draw(st.booleans(), label="terms linked by broader/narrower, else by related")
    for kind in KINDS:
        for slug in ids[kind.__name__]:
            fields: dict[str, Any] = {"id": slug}
            for spec in specs(kind):
                strategy = _field(spec, ids)
                assert strategy is not None, f"{kind.__name__}.{spec.name} has no targets"
                value = draw(strategy, label=f"{kind.__name__}.{spec.name}")
                if value is not None or kind.model_fields[spec.name].default is None:
                    fields[spec.name] = value  # else the field's default applies
            if kind is Source:
                fields["primary"] = fields["primary"] and not primary_taken
                primary_taken = primary_taken or fields["primary"]
            if kind is Term:  # SKOS: labels disjoint, related apart from broader terms
                fields["alt_labels"] = [a for a in fields["alt_labels"] if a != fields["label"]]
                fields["related" if hierarchy else "broader"] = []
                if not hierarchy:
                    fields["narrower"] = []
                linked = {*fields["broader"], *fields["narrower"], *fields["related"]}
                fields["reading_links"] = [t for t in fields["reading_links"] if t in linked]
            if kind is Scenario and slug == ids["Scenario"][0]:  # no quote is an orphan
                fields["evidence"] = sorted({*fields["evidence"], *ids["Quote"]})
            if kind is Verdict:
                pair = (fields["scenario"], fields["approach"])
                if pair in pairs:  # one verdict per scenario and approach
                    continue
                pairs.add(pair)
                if fields.get("value") is None and fields.get("failure") is None:
                    fields["value"] = "uncertain"  # a verdict classifies one or the other
                if fields.get("basis", "stated") == "stated":  # a stated verdict cites
                    fields["evidence"] = fields["evidence"] or [ids["Quote"][0]]
                    fields["asserted_by"] = fields["asserted_by"] or [ids["Researcher"][0]]
            entities[slug] = kind.model_validate(fields)
    return entities


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(kb=knowledge_bases())
def test_save_load_roundtrip(tmp_path_factory: Any, kb: dict[str, Entity]) -> None:
    first = tmp_path_factory.mktemp("first")
    second = tmp_path_factory.mktemp("second")
    save(kb, first)
    loaded = load([first])
    assert loaded.entities == kb
    save(loaded.entities, second)
    assert file_bytes(second) == file_bytes(first), "save is not idempotent"
    before, after = (rdflib_graph(*sorted(f.glob("*.ttl"))) for f in (first, second))
    assert len(before) == len(after) > 0
    assert isomorphic(before, after)


def test_roundtrip_of_the_bundled_kb(tmp_path: Path) -> None:
    loaded = bundled()
    save(loaded.entities, tmp_path)
    again = load([tmp_path])
    assert again.entities == loaded.entities
    assert isomorphic(rdflib_graph(*loaded.files), rdflib_graph(*sorted(tmp_path.glob("*.ttl"))))


def test_every_kind_and_field_is_generated() -> None:
    """Guard for the generator: every stored field of every kind has a strategy."""
    ids = {kind.__name__: ["x"] for kind in KINDS}
    for kind in KINDS:
        for spec in specs(kind):
            assert _field(spec, ids) is not None, (kind.__name__, spec.name)
