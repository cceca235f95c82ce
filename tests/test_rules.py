"""Executable definitions: the rules reproduce every verdict the essay states, hedges included,
and explain facts that contradict an approach's assumptions instead of answering silently."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import bundled
from hypothesis import given
from hypothesis import strategies as st

from kb.model.errors import UsageError
from kb.model.models import Approach, Scenario, Verdict
from kb.model.quotes import normalise
from kb.model.rules import RULES, ScenarioFacts, classify, on_scenario
from kb.model.schema_table import FAILURE_KINDS, VERDICT_VALUES

if TYPE_CHECKING:
    from kb.api import KnowledgeBase

FACT_NAMES = [f.name for f in fields(ScenarioFacts)]


def facts_of(scenario: Scenario) -> ScenarioFacts:
    return ScenarioFacts.from_mapping(scenario.model_dump(include=set(FACT_NAMES)))


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


OF, GF, OPT = "objective-focused", "generalization-focused", "optimization-focused"

# The essay's cases as facts: mesa-optimizer, objective, proxy diverges in training, in
# deployment, training converged, capabilities generalize, failure catastrophic.
EXAMPLE_1 = ScenarioFacts(True, "base", False, False, True, True)
EXAMPLE_1_CAPABILITY_FAILURE = ScenarioFacts(True, "base", False, False, True, False)
EXAMPLE_2 = ScenarioFacts(True, "proxy", False, False, True, True)
EXAMPLE_3 = ScenarioFacts(True, "proxy", False, True, True, True, failure_catastrophic=True)
EXAMPLE_4 = ScenarioFacts(True, "proxy", True, True, False, True)
EXAMPLE_5 = ScenarioFacts(False, "proxy", False, True, True, False)
#: Humans under evolution: absent from training (birth control), or present there too
#: (masturbation), and evolution did not converge.
BIRTH_CONTROL = ScenarioFacts(True, "proxy", False, True, False, True)
MASTURBATION = ScenarioFacts(True, "proxy", True, True, False, True)


@dataclass(frozen=True)
class Expected:
    """What the essay says one approach makes of one case, in its words (quoted verbatim).
    ``value`` None: the essay classifies only the failure; ``failure`` None: it does not
    classify the failure; ``hedged`` None: the words are a researcher's own, not the essay's
    reading, so they carry no hedge of the essay's."""

    case: str
    facts: ScenarioFacts
    approach: str
    value: str | None
    failure: str | None
    hedged: bool | None
    words: str


ALL_AGREE_1 = (
    "all sides agree that as long as the capabilities of the system generalize to the "
    "deployment environment, it's definitely inner aligned"
)
STILL_ALIGNED_1 = (
    "it's definitely still inner aligned by the objective-focused and optimization-focused "
    "approaches"
)
ALL_PARTIES_2 = (
    "it seems to me that all parties of the discussion consider this system inner aligned"
)
SEEM_TO_AGREE_4 = (
    "Hubinger and Wentworth seem to both agree that this is a case of inner misalignment"
)
ONLY_GENERALIZATION_5 = (
    "the generalization-based approach is the only one of the definitions that can classify "
    "systems as inner misaligned even if those systems aren't mesa-optimizers"
)

#: The essay's own verdicts, a row per case and approach it speaks of.
ESSAY_VERDICTS = [
    Expected("example-1", EXAMPLE_1, OF, "inner-aligned", "no-failure", False, ALL_AGREE_1),
    Expected("example-1", EXAMPLE_1, GF, "inner-aligned", "no-failure", False, ALL_AGREE_1),
    Expected("example-1", EXAMPLE_1, OPT, "inner-aligned", "no-failure", False, ALL_AGREE_1),
    Expected(
        "example-1, capabilities fail",
        EXAMPLE_1_CAPABILITY_FAILURE,
        OF,
        "inner-aligned",
        "capability-failure",
        False,
        STILL_ALIGNED_1,
    ),
    Expected(
        "example-1, capabilities fail",
        EXAMPLE_1_CAPABILITY_FAILURE,
        OPT,
        "inner-aligned",
        "capability-failure",
        False,
        STILL_ALIGNED_1,
    ),
    Expected(
        "example-1, capabilities fail",
        EXAMPLE_1_CAPABILITY_FAILURE,
        GF,
        "inner-aligned",
        "capability-failure",
        True,
        "I'm not completely sure, though, whether Shah's generalization-focused approach "
        "would consider a pure capability robustness problem an inner alignment failure",
    ),
    Expected("example-2", EXAMPLE_2, OF, "inner-aligned", "no-failure", True, ALL_PARTIES_2),
    Expected("example-2", EXAMPLE_2, GF, "inner-aligned", "no-failure", True, ALL_PARTIES_2),
    Expected("example-2", EXAMPLE_2, OPT, "inner-aligned", "no-failure", True, ALL_PARTIES_2),
    Expected(
        "example-3",
        EXAMPLE_3,
        OF,
        "inner-misaligned",
        "inner-alignment-failure",
        True,
        "I would consider this an inner alignment failure going by the objective-focused approach",
    ),
    Expected(
        "example-3",
        EXAMPLE_3,
        GF,
        "inner-misaligned",
        "inner-alignment-failure",
        False,
        "Proponents of the generalization-focused approach would also consider this an inner "
        "alignment failure",
    ),
    Expected(
        "example-3",
        EXAMPLE_3,
        OPT,
        "inner-aligned",
        "generalization-failure",
        False,
        "as inner aligned in Example 3 and as inner misaligned here in Example 4 using the "
        "same optimization-focused approach",
    ),
    Expected(
        "example-4",
        EXAMPLE_4,
        OF,
        "inner-misaligned",
        "inner-alignment-failure",
        True,
        SEEM_TO_AGREE_4,
    ),
    Expected(
        "example-4",
        EXAMPLE_4,
        OPT,
        "inner-misaligned",
        "inner-alignment-failure",
        True,
        SEEM_TO_AGREE_4,
    ),
    Expected(
        "example-4",
        EXAMPLE_4,
        GF,
        "uncertain",
        "uncertain",
        True,
        "I'm not quite sure whether it's also an inner misalignment failure by Shah's definition",
    ),
    Expected(
        "example-5",
        EXAMPLE_5,
        GF,
        "inner-misaligned",
        "inner-alignment-failure",
        True,
        "This is the type of objective robustness failure that, in my impression, qualifies "
        "as inner misalignment under the generalization-focused approach",
    ),
    Expected("example-5", EXAMPLE_5, OF, "not-applicable", None, False, ONLY_GENERALIZATION_5),
    Expected("example-5", EXAMPLE_5, OPT, "not-applicable", None, False, ONLY_GENERALIZATION_5),
    Expected(
        "birth control",
        BIRTH_CONTROL,
        OPT,
        None,
        "generalization-failure",
        None,
        "Thus, Wentworth argues, birth control should be considered a generalization rather "
        "than an inner alignment failure",
    ),
    Expected(
        "masturbation",
        MASTURBATION,
        OPT,
        None,
        "inner-alignment-failure",
        None,
        "masturbation is a true inner alignment failure",
    ),
]


@pytest.mark.parametrize("expected", ESSAY_VERDICTS, ids=lambda e: f"{e.case} under {e.approach}")
def test_rules_give_the_essays_verdicts(expected: Expected) -> None:
    answer = RULES[expected.approach](expected.facts)
    assert answer.conflict is None
    if expected.value is not None:
        assert answer.value == expected.value, answer.rationale
    if expected.failure is not None:
        assert answer.failure == expected.failure, answer.rationale
    if expected.hedged is not None:
        assert answer.hedged == expected.hedged, answer.rationale


def test_the_essays_verdicts_are_in_its_words(essay: Path) -> None:
    text = normalise(essay.read_text(encoding="utf-8"))
    assert [e.words for e in ESSAY_VERDICTS if e.words not in text] == []


def test_the_table_covers_every_approach_and_verdict_value() -> None:
    assert {e.approach for e in ESSAY_VERDICTS} == set(RULES)
    assert {e.value for e in ESSAY_VERDICTS} - {None} == set(VERDICT_VALUES)


# --- properties: what the rules' docstrings and the essay say, over any facts ----------------

MESA_ONLY = (OF, OPT)  # the approaches that define inner alignment for mesa-optimizers only


def facts(**fixed: object) -> st.SearchStrategy[ScenarioFacts]:
    """Any facts (each field's values read from its type), with the ``fixed`` ones set."""
    chosen = {
        f.name: st.just(fixed[f.name]) if f.name in fixed else ... for f in fields(ScenarioFacts)
    }
    return st.builds(ScenarioFacts, **chosen)


def applies(approach: str, case: ScenarioFacts) -> bool:
    return approach not in MESA_ONLY or case.mesa_optimizer


def diverges(case: ScenarioFacts) -> bool:
    return case.proxy_diverges_in_training or case.proxy_diverges_in_deployment


@given(facts())
def test_an_answer_is_a_verdict_and_a_failure_or_a_conflict(case: ScenarioFacts) -> None:
    for answer in classify(case).values():
        assert answer.value in VERDICT_VALUES
        if answer.conflict:
            assert (answer.value, answer.hedged, answer.failure) == ("uncertain", True, None)
        else:
            assert answer.failure in FAILURE_KINDS


@given(facts())
def test_without_a_mesa_optimizer_only_the_generalization_view_applies(case: ScenarioFacts) -> None:
    answers = classify(case)
    assert answers[GF].value != "not-applicable"  # judged by behaviour: no optimizer needed
    for approach in MESA_ONLY:
        answer = answers[approach]
        assert (answer.value != "not-applicable") == case.mesa_optimizer, approach
        if not case.mesa_optimizer:
            assert not answer.hedged and answer.conflict is None


@given(facts(objective="base"))
def test_a_base_objective_said_to_diverge_is_a_conflict(case: ScenarioFacts) -> None:
    """A divergence needs a proxy: every approach that applies explains instead of judging."""
    for approach, answer in classify(case).items():
        if applies(approach, case):
            assert bool(answer.conflict) == diverges(case), approach


@given(facts(proxy_diverges_in_training=False, proxy_diverges_in_deployment=False))
def test_an_objective_that_never_diverges_is_inner_aligned(case: ScenarioFacts) -> None:
    """Example 1 (the base objective) and Example 2 (a proxy that never comes apart): every
    approach that applies says inner aligned. Hedged only for a proxy (the essay's 'it seems
    to me'), or for a capability failure under the generalization-focused view ('I'm not
    completely sure')."""
    for approach, answer in classify(case).items():
        if not applies(approach, case):
            continue
        assert answer.value == "inner-aligned"
        shah_unsure = approach == GF and not case.capabilities_generalize
        assert answer.hedged == (case.objective == "proxy" or shah_unsure)
        expected = "no-failure" if case.capabilities_generalize else "capability-failure"
        assert answer.failure == expected


@given(facts(mesa_optimizer=True, objective="proxy"))
def test_objective_focused_a_proxy_diverging_anywhere_is_misaligned(case: ScenarioFacts) -> None:
    """Hubinger: impact aligned with the base objective on any distribution."""
    answer = RULES[OF](case)
    misaligned = (answer.value, answer.failure) == ("inner-misaligned", "inner-alignment-failure")
    assert misaligned == diverges(case)


@given(facts())
def test_optimization_focused_misalignment_only_from_imperfect_optimization(
    case: ScenarioFacts,
) -> None:
    """Wentworth: inner misalignment can occur only as the result of imperfect optimization,
    where it already shows in training."""
    if RULES[OPT](case).value == "inner-misaligned":
        assert case.proxy_diverges_in_training and not case.training_converged


@given(facts(mesa_optimizer=True, objective="proxy", proxy_diverges_in_training=False))
def test_optimization_focused_a_failure_to_generalize_is_outer(case: ScenarioFacts) -> None:
    """Wentworth: failure to generalize from training to deployment is always an outer
    alignment failure, so a proxy fine in training stays inner aligned."""
    answer = RULES[OPT](case)
    assert answer.value == "inner-aligned"
    if case.proxy_diverges_in_deployment:
        assert answer.failure == "generalization-failure"


@given(
    facts(objective="proxy", proxy_diverges_in_training=False, proxy_diverges_in_deployment=True)
)
def test_generalization_focused_a_failure_after_the_shift_is_misaligned(
    case: ScenarioFacts,
) -> None:
    """Shah (Examples 3 and 5): an objective that comes apart only after the shift is inner
    misalignment, mesa-optimizer or not; unhedged only where it is catastrophic, his word."""
    answer = RULES[GF](case)
    assert (answer.value, answer.failure) == ("inner-misaligned", "inner-alignment-failure")
    assert answer.hedged == (not (case.mesa_optimizer and case.failure_catastrophic))


@given(facts())
def test_only_the_generalization_view_reads_whether_a_failure_is_catastrophic(
    case: ScenarioFacts,
) -> None:
    other = replace(case, failure_catastrophic=not case.failure_catastrophic)
    before, after = classify(case), classify(other)
    for approach in MESA_ONLY:
        assert before[approach] == after[approach]
    assert (before[GF].value, before[GF].failure) == (after[GF].value, after[GF].failure)


@given(facts(), st.booleans())
def test_a_tentative_scenario_is_hedged_and_nothing_else_changes(
    case: ScenarioFacts, tentative: bool
) -> None:
    for answer in classify(case).values():
        shown = on_scenario(answer, tentative)
        assert shown.hedged == (answer.hedged or tentative)
        kept = (shown.value, shown.failure, shown.conflict)
        assert kept == (answer.value, answer.failure, answer.conflict)


def test_mesa_optimizer_approaches_do_not_apply_without_one() -> None:
    facts = ScenarioFacts(False, "proxy", False, True, True, True)
    answers = classify(facts)
    assert answers["objective-focused"].value == "not-applicable"
    assert answers["optimization-focused"].value == "not-applicable"
    assert answers["generalization-focused"].value == "inner-misaligned"


def test_contradictory_facts_get_an_explanation() -> None:
    """A proxy that diverges in training yet survived converged training: ruled out by the
    optimization-focused view, so it explains instead of giving a silent verdict."""
    answer = RULES["optimization-focused"](ScenarioFacts(True, "proxy", True, True, True, True))
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
        ScenarioFacts.from_mapping(data)  # type: ignore[arg-type]


def test_derived_verdicts_in_the_store_follow_the_rules(k: KnowledgeBase) -> None:
    for row in k.ask("verdict-basis", basis="derived"):
        scenario = k.get(row["scenario"], Scenario)
        assert RULES[row["approach"]](facts_of(scenario)).value == row["verdict"]
