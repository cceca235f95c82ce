"""The Python lookup API (its docstring examples run as doctests under pytest)."""

from __future__ import annotations

from dataclasses import asdict, replace

import pyoxigraph as ox
import pytest

import kb.api
from kb import KnowledgeBase, ScenarioFacts, VerdictRow
from kb.model.errors import UnknownId, UsageError
from kb.model.models import Approach, Researcher, Scenario, Verdict
from kb.model.rules import RuleVerdict


def test_load_a_path(k: KnowledgeBase) -> None:
    other = KnowledgeBase.load(kb.api.__file__.replace("api.py", "data"))
    assert set(other.entities) == set(k.entities)


def test_get_returns_models(k: KnowledgeBase) -> None:
    assert isinstance(k.get("example-3"), Scenario)
    assert isinstance(k.get("evan-hubinger", Researcher), Researcher)


def test_get_unknown_suggests(k: KnowledgeBase) -> None:
    with pytest.raises(UnknownId) as error:
        k.get("exampel-3")
    assert "example-3" in error.value.suggestions
    assert "did you mean example-3" in str(error.value)


def test_verdicts_filters(k: KnowledgeBase) -> None:
    rows = k.verdicts(scenario="example-3")
    assert all(isinstance(v, VerdictRow) for v in rows)
    assert {v.approach for v in rows} == {
        "objective-focused",
        "generalization-focused",
        "optimization-focused",
    }
    [one] = k.verdicts(scenario="example-3", approach="optimization-focused")
    assert (one.value, one.hedged, one.basis) == ("inner-aligned", False, "stated")
    by_approach = k.verdicts(approach="optimization-focused")
    assert len(by_approach) == len(k.all(Scenario))
    assert len(k.verdicts()) == len(k.all(Scenario)) * len(k.all(Approach))


def test_verdicts_unknown_ids(k: KnowledgeBase) -> None:
    with pytest.raises(UnknownId, match="unknown scenario id"):
        k.verdicts(scenario="example-33")
    with pytest.raises(UnknownId, match="unknown approach id"):
        k.verdicts(approach="objective")


def test_definitions_calling(k: KnowledgeBase) -> None:
    found = k.definitions_calling("example-3", "inner-misaligned")
    assert all(isinstance(a, Approach) for a in found)
    assert [a.id for a in found] == ["generalization-focused", "objective-focused"]
    with pytest.raises(UnknownId, match="verdict value"):
        k.definitions_calling("example-3", "misaligned")


def test_ask_returns_rows(k: KnowledgeBase) -> None:
    rows = k.ask("disagreements", a="objective-focused", b="optimization-focused")
    assert rows and isinstance(rows[0], dict)
    assert {"scenario", "verdict_a", "verdict_b"} <= set(rows[0])


def test_sparql_kinds_and_bindings(k: KnowledgeBase) -> None:
    rows = k.sparql(
        "SELECT ?v WHERE { ?v kb:scenario ?s ; kb:approach ?a }",
        bindings={"s": "example-3", "a": "objective-focused"},
    )
    assert rows == [{"v": "verdict-example-3-objective-focused"}]
    assert k.sparql("ASK { id:example-3 a kb:Scenario }") is True
    triples = k.sparql("CONSTRUCT { id:example-3 ?p ?o } WHERE { id:example-3 ?p ?o }")
    assert len(triples) > 5
    with pytest.raises(UsageError, match="SPARQL syntax error"):
        k.sparql("SELECT WHERE")
    with pytest.raises(UsageError, match="not a valid SPARQL variable"):
        k.sparql("SELECT * WHERE { ?s ?p ?o }", bindings={"s o": "x"})


def test_classify_accepts_models_and_mappings(k: KnowledgeBase) -> None:
    facts = ScenarioFacts(
        mesa_optimizer=True,
        objective="proxy",
        proxy_diverges_in_training=True,
        proxy_diverges_in_deployment=True,
        training_converged=False,
        capabilities_generalize=True,
    )
    answers = k.classify(facts)
    assert set(answers) == {"objective-focused", "generalization-focused", "optimization-focused"}
    assert all(isinstance(v, RuleVerdict) for v in answers.values())
    assert answers == k.classify(asdict(facts))
    assert answers == k.classify(k.get("example-4"))
    with pytest.raises(UsageError, match="classify takes"):
        k.classify(42)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="fact 'training_converged' must be true or false"):
        k.classify({**asdict(facts), "training_converged": "no"})
    with pytest.raises(UsageError, match="fact 'training_converged' must be true or false"):
        k.classify(replace(facts, training_converged="no"))  # type: ignore[arg-type]


def test_derived_verdicts_are_entities(k: KnowledgeBase) -> None:
    derived = [v for v in k.verdicts() if v.basis == "derived"]
    assert derived
    for row in derived:
        model = k.get(row.id, Verdict)
        assert (model.basis, model.value, model.evidence) == ("derived", row.value, [])


def test_sparql_bindings_bind_ids_only_when_they_exist(k: KnowledgeBase) -> None:
    query = "SELECT ?v WHERE { ?v kb:verdictValue ?x }"
    by_value = k.sparql(query, bindings={"x": "inner-misaligned"})
    assert by_value and by_value == k.sparql(query, bindings={"x": ox.Literal("inner-misaligned")})
    assert k.sparql("ASK { ?s a kb:Scenario }", bindings={"s": "example-5"}) is True


def test_local_queries_never_fetch(k: KnowledgeBase) -> None:
    with pytest.raises(UsageError, match="SERVICE is not allowed"):
        k.sparql("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")


def test_syntax_error_positions_are_the_users(k: KnowledgeBase) -> None:
    with pytest.raises(UsageError, match=r"error at 2:"):
        k.sparql("SELECT *\nWHERE { ?s ?p }")


def test_load_parses_each_file_once(parses: list[str]) -> None:
    """One load path: the models and the query store come from one parse of each file."""
    from kb.rdf.paths import turtle_files

    k = KnowledgeBase.load()
    assert len(parses) == len(turtle_files()), parses
    derived = [v for v in k.all(Verdict) if v.basis == "derived"]
    assert derived and {r.id for r in k.verdicts() if r.basis == "derived"} == {
        v.id for v in derived
    }
