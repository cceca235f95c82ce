"""The shipped KB against the generated schema artefacts and a second, strict parser:
pyshacl with schema/shapes.ttl, pyoxigraph, and JSON Schema on a JSON dump.

Derived verdicts live only in the query store, not in the Turtle: only the files are checked.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pyoxigraph as ox
import pytest
from conftest import DATA, FIXTURES, INVALID, bundled, rdflib_graph
from pyshacl import validate
from rdflib import Graph

from kb.model.models import KINDS, Entity
from kb.publish.schema import SCHEMA_DIR

SHAPES = SCHEMA_DIR / "shapes.ttl"


def _shacl(graph: Graph) -> tuple[bool, str]:
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, _, text = validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    return bool(conforms), text


def test_bundled_kb_conforms_to_shapes() -> None:
    files = sorted(DATA.glob("*.ttl"))
    assert files
    conforms, text = _shacl(rdflib_graph(*files))
    assert conforms, text[:5000]


def test_hostile_but_valid_text_conforms_to_shapes() -> None:
    conforms, text = _shacl(rdflib_graph(FIXTURES / "valid" / "hostile-text.ttl"))
    assert conforms, text[:5000]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing-required", "MinCountConstraintComponent"),
        ("outside-enumeration", "InConstraintComponent"),
        ("unknown-predicates", "ClosedConstraintComponent"),
        ("wrong-datatype", "DatatypeConstraintComponent"),
        ("dangling-reference", "ClassConstraintComponent"),
        ("reference-to-wrong-kind", "ClassConstraintComponent"),
        ("empty-quote", "PatternConstraintComponent"),
        ("two-values", "MaxCountConstraintComponent"),
        ("bad-id", "PatternConstraintComponent"),
    ],
)
def test_shapes_reject_invalid_fixtures(name: str, expected: str) -> None:
    """The shapes are not vacuous: they catch what the loader catches, where SHACL can."""
    conforms, text = _shacl(rdflib_graph(INVALID / f"{name}.ttl"))
    assert not conforms
    assert expected in text


@pytest.mark.parametrize("path", sorted(DATA.glob("*.ttl")), ids=lambda p: p.name)
def test_bundled_kb_parses_strictly_with_pyoxigraph(path: Path) -> None:
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, without_named_graphs=True))
    assert triples
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    assert len(store) == len(set(triples))


def test_both_parsers_see_the_same_graph() -> None:
    from rdflib.compare import isomorphic

    files = sorted(DATA.glob("*.ttl"))
    nt = "".join(
        str(q.triple) + " .\n"
        for path in files
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    )
    assert isomorphic(Graph().parse(data=nt, format="nt"), rdflib_graph(*files))


def _dump(entities: dict[str, Entity]) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {kind.file: [] for kind in KINDS}
    for entity in sorted(entities.values(), key=lambda e: e.id):
        out[type(entity).file].append(entity.model_dump(mode="json"))
    return out


def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMA_DIR / "kb.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_json_schema_validates_a_dump_of_the_bundled_kb() -> None:
    dump = _dump(bundled().entities)
    errors = sorted(_validator().iter_errors(dump), key=str)
    assert not errors, "\n".join(e.message for e in errors[:20])


def test_json_schema_rejects_bad_entities() -> None:
    dump = _dump(bundled().entities)
    term = dict(dump["terms"][0])
    validator = _validator()
    for bad in (
        {**term, "id": "Not A Slug"},
        {**term, "unknown_field": 1},
        {k: v for k, v in term.items() if k != "label"},
    ):
        assert not validator.is_valid({"terms": [bad]}), bad
    assert not validator.is_valid({"no-such-kind": []})
