"""schema/ is generated from the models: regenerate and fail on any difference, and check the
generated SHACL covers every field of every model."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from conftest import ROOT
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection

from kb.model.mapping import specs, type_iri
from kb.model.models import KINDS
from kb.model.vocab import KB
from kb.publish.schema import HEADER, SCHEMA_DIR, artefacts, export

SH = Namespace("http://www.w3.org/ns/shacl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")


def test_schema_dir_is_the_repository_one() -> None:
    assert SCHEMA_DIR == ROOT / "schema"


@pytest.mark.parametrize("name", sorted(artefacts()))
def test_committed_schema_matches_models(name: str) -> None:
    generated = artefacts()[name]
    committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    if committed != generated:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                generated.splitlines(keepends=True),
                f"schema/{name} (committed)",
                f"schema/{name} (from kb/model/models.py)",
                n=1,
            )
        )
        pytest.fail(f"schema/{name} is out of date; run `kb schema export`\n{diff[:4000]}")


def test_generated_files_say_so() -> None:
    for name, text in artefacts().items():
        if name.endswith((".json", ".jsonld")):
            assert json.loads(text)["$comment"].startswith("Generated from kb/model/models.py")
        else:
            assert text.startswith(HEADER)


def test_export_writes_what_the_test_compares(tmp_path: Path, kb_cli) -> None:
    written = export(tmp_path)
    assert sorted(p.name for p in written) == sorted(artefacts())
    for path in written:
        assert path.read_text(encoding="utf-8") == artefacts()[path.name]
    (tmp_path / "cli").mkdir()  # --out names an existing folder
    result = kb_cli("schema", "export", "--out", str(tmp_path / "cli"))
    assert result.returncode == 0, result.stderr
    for name, text in artefacts().items():
        assert (tmp_path / "cli" / name).read_text(encoding="utf-8") == text


def test_every_model_field_is_stored_under_a_predicate() -> None:
    for kind in KINDS:
        stored = {spec.name for spec in specs(kind)}
        assert set(kind.model_fields) - stored == {"id"}, kind.__name__
        predicates = [spec.predicate for spec in specs(kind)]
        assert len(predicates) == len(set(predicates)), f"{kind.__name__} reuses a predicate"


def _shapes() -> Graph:
    return Graph().parse(data=artefacts()["shapes.ttl"], format="turtle")


def _property_shapes(graph: Graph, kind: type) -> dict[str, URIRef]:
    node = next(graph.subjects(SH.targetClass, URIRef(type_iri(kind))))
    assert (node, RDF.type, SH.NodeShape) in graph
    out = {}
    for prop in graph.objects(node, SH.property):
        path = graph.value(prop, SH.path)
        assert str(path) not in out, f"two property shapes for {path}"
        out[str(path)] = prop
    return out


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_shacl_covers_every_field(kind: type) -> None:
    graph = _shapes()
    node = next(graph.subjects(SH.targetClass, URIRef(type_iri(kind))))
    assert graph.value(node, SH.closed).toPython() is True
    assert graph.value(node, SH.pattern) is not None  # the id
    shapes = _property_shapes(graph, kind)
    assert set(shapes) == {spec.predicate for spec in specs(kind)}
    for spec in specs(kind):
        prop = shapes[spec.predicate]
        where = f"{kind.__name__}.{spec.name}"
        assert str(graph.value(prop, SH.name)) == spec.name, where
        min_count = graph.value(prop, SH.minCount)
        assert (min_count is not None and min_count.toPython() >= 1) == spec.required, where
        max_count = graph.value(prop, SH.maxCount)
        single = not spec.many or spec.ordered
        assert (max_count is not None and max_count.toPython() == 1) == single, where
        if spec.choices:
            allowed = Collection(graph, graph.value(prop, SH["in"]))
            assert [str(v) for v in allowed] == list(spec.choices), where
        datatype = graph.value(prop, SH.datatype)
        if spec.kind in ("text", "enum"):
            assert datatype == XSD.string, where
        elif spec.kind == "bool":
            assert datatype == XSD.boolean, where
        elif spec.kind == "integer":
            assert datatype == XSD.integer, where
            minimum = graph.value(prop, SH.minInclusive)
            assert (None if minimum is None else minimum.toPython()) == spec.minimum, where
        elif spec.kind == "date":
            assert graph.value(prop, SH["or"]) is not None, where
        elif spec.kind == "url" or (spec.kind == "ref" and not spec.ordered):
            assert graph.value(prop, SH.nodeKind) == SH.IRI, where


def test_vocabulary_defines_every_own_term() -> None:
    graph = Graph().parse(data=artefacts()["vocabulary.ttl"], format="turtle")
    defined = {str(s) for s in graph.subjects(RDF.type, None)}
    for kind in KINDS:
        if type_iri(kind).startswith(KB):
            assert type_iri(kind) in defined, kind.__name__
        for spec in specs(kind):
            if spec.predicate.startswith(KB):
                assert spec.predicate in defined, spec.curie


def test_json_schema_covers_every_kind_and_field() -> None:
    schema = json.loads(artefacts()["kb.schema.json"])
    for kind in KINDS:
        assert schema["properties"][kind.file]["items"] == {"$ref": f"#/$defs/{kind.__name__}"}
        assert set(schema["$defs"][kind.__name__]["properties"]) == set(kind.model_fields)
