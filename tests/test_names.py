"""One name per concept: the Python objects that hold a verdict use the Verdict model's field
names, the scenario facts are one class, and a name they replaced still works, with a
DeprecationWarning."""

from __future__ import annotations

from dataclasses import fields
from typing import get_type_hints

import pytest
from conftest import EXAMPLE_FACTS, KbCli

import kb
from kb import KnowledgeBase, VerdictRow
from kb.model.models import Scenario, Verdict
from kb.model.rules import RuleVerdict, classify
from kb.model.schema_table import ScenarioFacts
from kb.query.engine import Triples


def test_a_rules_answer_names_its_fields_as_a_verdict_does() -> None:
    assert {f.name for f in fields(RuleVerdict)} <= set(Verdict.model_fields)


def test_the_old_name_of_the_rationale_still_works_with_a_warning() -> None:
    answer = classify(ScenarioFacts.from_mapping(EXAMPLE_FACTS))["objective-focused"]
    with pytest.warns(DeprecationWarning, match="rationale"):
        assert answer.reasoning == answer.rationale


def test_the_scenario_facts_are_one_class(k: KnowledgeBase) -> None:
    """What ``kb`` exports, what the rules read and what a scenario gives back are one class,
    and a scenario's fact fields have its field types."""
    assert kb.ScenarioFacts is ScenarioFacts
    scenario = k.get("example-4", Scenario)
    assert isinstance(scenario.facts, ScenarioFacts)
    assert k.classify(scenario) == classify(scenario.facts) == k.classify(scenario.facts)
    hints = get_type_hints(Scenario)
    for name, hint in get_type_hints(ScenarioFacts).items():
        assert hints[name] == hint, name


def test_a_verdict_row_names_its_fields_as_a_verdict_does(k: KnowledgeBase) -> None:
    """Every field a row shares with the model has the model's name; ``source`` is the one
    field of its own. The question's column keeps its published name, ``verdict``."""
    assert set(VerdictRow.model_fields) - set(Verdict.model_fields) == {"source"}
    row = k.verdicts(scenario="example-3", approach="optimization-focused")[0]
    assert row.value == k.get(row.id, Verdict).value == "inner-aligned"
    assert row.model_dump(by_alias=True)["verdict"] == row.value
    with pytest.warns(DeprecationWarning, match="value"):
        assert row.verdict == row.value
    cell = k.matrix()[3].cells["optimization-focused"]
    assert cell.value == row.value and cell.as_dict()["verdict"] == row.value
    with pytest.warns(DeprecationWarning, match="value"):
        assert cell.verdict == cell.value


def test_a_graph_result_is_typed_as_one(k: KnowledgeBase, kb_cli: KbCli) -> None:
    """CONSTRUCT gives Triples even when empty, so an empty graph prints as (empty) Turtle,
    not as a table with no rows; SELECT gives rows, ASK a bool."""
    empty = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a kb:Nothing ; ?p ?o }"
    assert isinstance(k.sparql(empty), Triples) and k.sparql(empty) == []
    assert isinstance(k.sparql("CONSTRUCT WHERE { ?s a kb:Scenario }"), Triples)
    assert k.sparql("ASK { ?s a kb:Scenario }") is True
    rows = k.sparql("SELECT ?s WHERE { ?s a kb:Scenario }")
    assert isinstance(rows, list) and not isinstance(rows, Triples) and rows
    result = kb_cli("sparql", empty)
    assert result.returncode == 0 and "no rows" not in result.stdout
