"""Executable definitions: the rules reproduce every verdict the essay states, hedges included,
and explain facts that contradict an approach's assumptions instead of answering silently."""

from __future__ import annotations

from dataclasses import fields

import pytest
from conftest import bundled

from kb.errors import UsageError
from kb.models import Approach, Scenario, Verdict
from kb.rules import RULES, Facts, classify, on_scenario
from kb.schema_table import FAILURE_KINDS, VERDICT_VALUES

FACT_NAMES = [f.name for f in fields(Facts)]


def facts_of(scenario: Scenario) -> Facts:
    return Facts.from_mapping(scenario.model_dump(include=set(FACT_NAMES)))


def stated() -> list[Verdict]:
    entities = bundled().entities.values()
    return sorted((e for e in entities if isinstance(e, Verdict)), key=lambda v: v.id)


def test_the_kb_states_verdicts() -> None:
    assert stated(), "no stated verdicts in the bundled KB"


def rests_on_own_words(verdict: Verdict) -> bool:
    """In a researcher's own quoted words (kb:inOwnWords), or on a whole system whose case
    under the same approach is: the essay adds no hedge to those."""
    if verdict.in_own_words:
        return True
    return any(
        isinstance(case, Verdict)
        and case.in_own_words
        and case.approach == verdict.approach
        and getattr(bundled().entities[case.scenario], "sub_case_of", None) == verdict.scenario
        for case in stated()
    )


def test_rules_reproduce_every_stated_verdict() -> None:
    """Every stated verdict, each failure reported (the KB is loaded when the test runs,
    not when it is collected, so a broken data file fails this test, not the module)."""
    failures = []
    for verdict in stated():
        try:
            check_stated_verdict(verdict)
        except AssertionError as failure:
            failures.append(str(failure).splitlines()[0])
    assert failures == []


def check_stated_verdict(verdict: Verdict) -> None:
    """Same value, same failure and same hedge (a tentative scenario hedges every verdict on
    it). A stated verdict without a value (the essay classifies only the failure) is compared
    on its failure. The one exemption: a verdict resting on a researcher's own quoted words
    carries no essay hedge, so its hedge is not compared."""
    scenario = bundled().entities[verdict.scenario]
    assert isinstance(scenario, Scenario)
    rule = RULES.get(verdict.approach)
    assert rule is not None, f"no rule for approach {verdict.approach}"
    answer = on_scenario(rule(facts_of(scenario)), scenario.tentative)
    essay = f"{verdict.value}/{verdict.failure}{' (hedged)' if verdict.hedged else ''}"
    ours = f"{answer.value}/{answer.failure}{' (hedged)' if answer.hedged else ''}"
    pair = f"{verdict.scenario} under {verdict.approach}"
    assert verdict.failure is not None, f"{pair}: a stated verdict says how it sees the failure"
    assert answer.failure == verdict.failure, f"{pair}: the essay says {essay}, the rule {ours}"
    if verdict.value is not None:
        assert answer.value == verdict.value, f"{pair}: the essay says {essay}, the rule {ours}"
    if not rests_on_own_words(verdict):
        assert answer.hedged == verdict.hedged, (
            f"{pair}: the essay says {essay}, the rule says {ours} (hedge differs)"
        )
    assert answer.conflict is None, f"{pair}: the rule reports a conflict: {answer.conflict}"


def test_every_approach_has_a_rule() -> None:
    approaches = {e.id for e in bundled().entities.values() if isinstance(e, Approach)}
    assert approaches == set(RULES)


@pytest.mark.parametrize("approach", sorted(RULES))
def test_rules_answer_every_consistent_combination(approach: str) -> None:
    for mesa in (True, False):
        for objective in ("base", "proxy"):
            for training in (True, False):
                for deployment in (True, False):
                    for converged in (True, False):
                        for capabilities in (True, False):
                            answer = RULES[approach](
                                Facts(
                                    mesa, objective, training, deployment, converged, capabilities
                                )
                            )
                            assert answer.value in VERDICT_VALUES
                            assert answer.conflict or answer.failure in FAILURE_KINDS
                            assert answer.rationale


def test_mesa_optimizer_approaches_do_not_apply_without_one() -> None:
    facts = Facts(False, "proxy", False, True, True, True)
    answers = classify(facts)
    assert answers["objective-focused"].value == "not-applicable"
    assert answers["optimization-focused"].value == "not-applicable"
    assert answers["generalization-focused"].value == "inner-misaligned"


def test_contradictory_facts_get_an_explanation() -> None:
    """A proxy that diverges in training yet survived converged training: ruled out by the
    optimization-focused view, so it explains instead of giving a silent verdict."""
    answer = RULES["optimization-focused"](Facts(True, "proxy", True, True, True, True))
    assert answer.conflict and "converged" in answer.conflict
    assert answer.value == "uncertain"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "missing fact 'mesa_optimizer'"),
        ({"mesa_optimizer": "yes"}, "fact 'mesa_optimizer' must be true or false"),
        ({"mesa_optimizer": True, "objective": "other"}, "'objective' must be 'base' or 'proxy'"),
        ({"colour": "red"}, "unknown fact 'colour'"),
        ([1, 2], "facts must be a mapping"),
    ],
)
def test_bad_facts_name_the_field(data: object, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Facts.from_mapping(data)  # type: ignore[arg-type]


def test_derived_verdicts_in_the_store_follow_the_rules() -> None:
    from kb.api import KnowledgeBase

    k = KnowledgeBase.load()
    for row in k.ask("verdict-basis", basis="derived"):
        scenario = k.get(row["scenario"], Scenario)
        assert RULES[row["approach"]](facts_of(scenario)).value == row["verdict"]
