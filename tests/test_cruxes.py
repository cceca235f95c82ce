"""The explorer's data: the classification table and the cruxes, checked against the rules,
the command line and the essay's own scenarios."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pytest

from kb import KnowledgeBase
from kb.cli import main
from kb.model.cruxes import (
    Condition,
    all_pairs,
    classification_table,
    cruxes,
    fact_space,
    fact_values,
    facts_key,
)
from kb.model.rules import RULES, classify
from kb.model.schema_table import FACTS, ScenarioFacts

PAIRS = all_pairs()


def _holds(term: list[Condition], facts: ScenarioFacts) -> bool:
    return all(getattr(facts, c.fact) == c.value for c in term)


def _coherent(a: str, b: str) -> list[ScenarioFacts]:
    return [f for f in fact_space() if not (RULES[a](f).conflict or RULES[b](f).conflict)]


def test_the_fact_space_is_every_combination_once() -> None:
    space = fact_space()
    expected = 1
    for fact in FACTS:
        expected *= len(fact_values(fact.name))
    assert len(space) == expected == 128
    assert len({facts_key(f) for f in space}) == len(space)


def test_every_row_of_the_table_is_what_kb_classify_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = classification_table()
    assert len(table) == len(fact_space())
    for row in table:
        path = tmp_path / f"{row['key']}.json"
        path.write_text(json.dumps(row["facts"]), encoding="utf-8")
        capsys.readouterr()
        assert main(["classify", str(path), "--format", "json"]) == 0
        printed = {r["approach"]: r for r in json.loads(capsys.readouterr().out)}
        assert set(printed) == set(row["verdicts"])
        for approach, verdict in row["verdicts"].items():
            assert printed[approach]["verdict"] == verdict["value"], (row["key"], approach)
            assert printed[approach]["hedged"] == verdict["hedged"]
            assert printed[approach]["rationale"] == verdict["rationale"]
            assert printed[approach]["conflict"] == verdict["conflict"]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_the_statement_holds_exactly_where_the_rules_disagree(a: str, b: str) -> None:
    crux = cruxes(a, b)
    coherent = _coherent(a, b)
    assert crux.coherent == len(coherent)
    disagreeing = {facts_key(d.facts) for d in crux.disagreements}
    for facts in coherent:
        verdicts = classify(facts)
        differ = verdicts[a].value != verdicts[b].value
        assert (facts_key(facts) in disagreeing) == differ
        assert any(_holds(t, facts) for t in crux.statement) == differ, facts_key(facts)


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_the_statement_is_minimal(a: str, b: str) -> None:
    """No condition can be dropped and no term left out without the statement becoming
    false somewhere (prime terms, irredundant cover)."""
    crux = cruxes(a, b)
    coherent = _coherent(a, b)
    on = [f for f in coherent if classify(f)[a].value != classify(f)[b].value]
    off = [f for f in coherent if f not in on]
    for i, term in enumerate(crux.statement):
        for dropped in range(len(term)):
            wider = term[:dropped] + term[dropped + 1 :]
            assert any(_holds(wider, f) for f in off), (term, dropped)
        others = crux.statement[:i] + crux.statement[i + 1 :]
        assert not all(any(_holds(t, f) for t in others) for f in on)


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_minimal_pairs_are_every_one_fact_step_that_moves_one_rule_only(a: str, b: str) -> None:
    crux = cruxes(a, b)
    found = {(facts_key(m.before), facts_key(m.after)) for m in crux.minimal_pairs}
    coherent = {facts_key(f): f for f in _coherent(a, b)}
    expected = set()
    for x, y in combinations(coherent.values(), 2):
        apart = [f.name for f in FACTS if getattr(x, f.name) != getattr(y, f.name)]
        if len(apart) != 1:
            continue
        vx, vy = classify(x), classify(y)
        if (vx[a].value != vy[a].value) != (vx[b].value != vy[b].value):
            expected.add(tuple(sorted((facts_key(x), facts_key(y)))))
    assert {tuple(sorted(p)) for p in found} == expected
    for m in crux.minimal_pairs:
        assert classify(m.before)[m.changes].value == m.changed_from
        assert classify(m.after)[m.changes].value == m.changed_to
        assert classify(m.before)[m.keeps].value == classify(m.after)[m.keeps].value == m.kept


def test_example_3_is_where_objective_and_optimization_focused_part(
    k: KnowledgeBase,
) -> None:
    """The essay: "This is where different definitions give different answers" (Example 3),
    while for Example 4 "Hubinger and Wentworth seem to both agree"."""
    crux = cruxes("objective-focused", "optimization-focused")
    disagreeing = {facts_key(d.facts) for d in crux.disagreements}

    def key(scenario: str) -> str:
        facts = k.get(scenario).model_dump(include={f.name for f in FACTS})
        return facts_key(ScenarioFacts.from_mapping(facts))

    assert key("example-3") in disagreeing
    assert key("example-4") not in disagreeing
    assert key("example-2") not in disagreeing


def test_cli_cruxes_json_is_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    a, b = PAIRS[0]
    assert main(["cruxes", a, b, "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(cruxes(a, b).as_dict()))
    assert printed["statement_text"].startswith(f"{a} and {b} disagree")


def test_cli_cruxes_table_fits_80_columns(kb_cli) -> None:
    a, b = PAIRS[-1]
    result = kb_cli("cruxes", a, b, env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert "exactly when" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


@pytest.mark.parametrize(
    "args", [("objective-focused", "nope"), ("objective-focused", "objective-focused")]
)
def test_cli_cruxes_usage_errors_are_one_line(kb_cli, args: tuple[str, str]) -> None:
    result = kb_cli("cruxes", *args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("kb: ")
