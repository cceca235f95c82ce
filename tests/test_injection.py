"""Hostile ids and values: quotes, braces, ``#``, newlines and SPARQL keywords give a clean
"unknown ... id" error (exit 2 on the command line) and never change any answer."""

from __future__ import annotations

import json

import pytest
from conftest import KbCli

from kb import KnowledgeBase
from kb.model.errors import UnknownId, UsageError

HOSTILE = [
    'example-3"',
    "example-3'",
    "example-3>",
    "<https://w3id.org/inner-alignment-kb/id/example-3>",
    "example-3 } ; DROP ALL ; {",
    "} ; DROP ALL ; {",
    "example-3 }} UNION {{ ?s ?p ?o",
    "example-3#",
    "# comment",
    "example-3\n} DELETE WHERE { ?s ?p ?o",
    'x" } ; INSERT DATA { <a> <b> "c" } ; #',
    "id:example-3",
    "EXAMPLE-3",
    "example-3\\",
    "",
    " ",
    "?scenario",
    "$scenario",
]


@pytest.fixture(scope="module")
def baseline(k: KnowledgeBase) -> dict[str, object]:
    return {
        "size": len(k.backend.store),
        "verdicts": k.ask("verdicts"),
        "matrix": k.ask("verdict-matrix"),
    }


def unchanged(k: KnowledgeBase, baseline: dict[str, object]) -> None:
    assert len(k.backend.store) == baseline["size"]
    assert k.ask("verdicts") == baseline["verdicts"]
    assert k.ask("verdict-matrix") == baseline["matrix"]


@pytest.mark.parametrize("bad", HOSTILE)
def test_entity_parameters(k: KnowledgeBase, baseline: dict[str, object], bad: str) -> None:
    for name, params in [
        ("verdicts", {"scenario": bad}),
        ("verdicts", {"approach": bad}),
        ("disagreements", {"a": "objective-focused", "b": bad}),
        ("researcher-works", {"researcher": bad}),
        ("term-definitions", {"term": bad}),
    ]:
        with pytest.raises(UnknownId, match=r"^unknown \w+ id for "):
            k.ask(name, **params)
    unchanged(k, baseline)


@pytest.mark.parametrize("bad", HOSTILE)
def test_get_and_api_methods(k: KnowledgeBase, baseline: dict[str, object], bad: str) -> None:
    with pytest.raises(UnknownId):
        k.get(bad)
    with pytest.raises(UnknownId):
        k.verdicts(scenario=bad)
    with pytest.raises(UnknownId):
        k.definitions_calling("example-3", bad)
    unchanged(k, baseline)


@pytest.mark.parametrize("bad", HOSTILE)
def test_text_parameters_stay_data(k: KnowledgeBase, baseline: dict[str, object], bad: str) -> None:
    assert k.ask("verdict-basis", basis=bad) == []
    unchanged(k, baseline)


@pytest.mark.parametrize("bad", HOSTILE)
def test_raw_sparql_bindings_stay_data(
    k: KnowledgeBase, baseline: dict[str, object], bad: str
) -> None:
    rows = k.sparql("SELECT ?s WHERE { ?s rdfs:label ?label }", bindings={"label": bad})
    assert rows == []
    unchanged(k, baseline)


@pytest.mark.parametrize("name", ["s }", "s#", "s\n", "1s", "s-t", ""])
def test_binding_names_must_be_variables(k: KnowledgeBase, name: str) -> None:
    with pytest.raises(UsageError, match="not a valid SPARQL variable name"):
        k.sparql("SELECT * WHERE { ?s ?p ?o } LIMIT 1", bindings={name: "example-3"})


def test_updates_are_not_queries(k: KnowledgeBase, baseline: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        k.sparql("DROP ALL")
    with pytest.raises(UsageError):
        k.sparql('INSERT DATA { <https://example.org/a> <https://example.org/b> "c" }')
    unchanged(k, baseline)


@pytest.mark.parametrize(
    "bad", ['example-3"', "example-3 } ; DROP ALL ; {", "example-3#", "example-3\n}"]
)
def test_cli_rejects_hostile_ids(kb_cli: KbCli, bad: str) -> None:
    for args in (
        ["verdicts", bad],
        ["ask", "verdicts", f"scenario={bad}"],
        ["show", bad],
    ):
        result = kb_cli(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "unknown" in lines[0] and "id" in lines[0], result.stderr
    after = json.loads(kb_cli("verdicts", "example-3", "--format", "json").stdout)
    assert len(after) == 3
