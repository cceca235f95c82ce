"""Executable definitions: each approach as a rule that classifies a scenario from its facts.

Each rule follows what the essay says of its approach, not a table of the essay's
examples. Hedges mark where the essay's own reading of that approach is uncertain or
hedged. Facts that contradict an approach's assumptions produce an explanation in
``conflict`` rather than a silent verdict. Pure Python, so the fast query path can use it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import Any

from kb.model.schema_table import ScenarioFacts, derived_verdict_id


@dataclass(frozen=True)
class RuleVerdict:
    """A rule's answer: the verdict on the system, its hedge, its rationale in words, any
    conflict, and how the approach classifies the failure the scenario shows.

    The fields are named as on :class:`kb.model.models.Verdict`, which a derived verdict becomes
    (:func:`derived_fields`).
    """

    value: str
    hedged: bool
    rationale: str
    conflict: str | None = None
    failure: str | None = None

    @property
    def reasoning(self) -> str:
        """Deprecated: :attr:`rationale`, the name every verdict uses."""
        import warnings

        warnings.warn(
            "RuleVerdict.reasoning is deprecated; use .rationale", DeprecationWarning, stacklevel=2
        )
        return self.rationale


def _other_failure(facts: ScenarioFacts) -> str:
    """A failure that is not an inner one: of the objective after a shift, of capabilities,
    or none at all."""
    if facts.proxy_diverges:
        return "generalization-failure"
    return "no-failure" if facts.capabilities_generalize else "capability-failure"


def _base_objective(facts: ScenarioFacts, approach: str) -> RuleVerdict | None:
    if facts.objective != "base":
        return None
    if facts.proxy_diverges_in_training or facts.proxy_diverges_in_deployment:
        return RuleVerdict(
            "uncertain",
            True,
            "The facts contradict each other, so no approach gives a verdict.",
            conflict=(
                "The objective is the base objective itself, yet a proxy is said to diverge "
                "from it; a divergence needs a proxy. Check objective and "
                "proxy_diverges_in_training / proxy_diverges_in_deployment."
            ),
        )
    if facts.capabilities_generalize:
        return RuleVerdict(
            "inner-aligned",
            False,
            "The system pursues the base objective itself and its capabilities carry over: "
            "every approach counts this as inner aligned, with no failure.",
            failure="no-failure",
        )
    if approach == "generalization-focused":
        return RuleVerdict(
            "inner-aligned",
            True,
            "The system pursues the base objective but its capabilities fail to generalize. A "
            "pure capability-robustness failure leaves the behavioural objective intact, so the "
            "system is probably safe though not useful; the essay is not sure this approach "
            "would call it aligned (Shah's definition is also said to encompass capability "
            "robustness).",
            failure="capability-failure",
        )
    return RuleVerdict(
        "inner-aligned",
        False,
        "The objective is the base objective; only capabilities fail to generalize, which is "
        "not an objective failure, so the system stays inner aligned: a capability failure.",
        failure="capability-failure",
    )


def _never_diverging_proxy(facts: ScenarioFacts) -> RuleVerdict | None:
    if facts.objective == "proxy" and not facts.proxy_diverges:
        return RuleVerdict(
            "inner-aligned",
            True,
            "The objective is a proxy, but it agrees with the base objective on every input "
            "met in training and deployment, so its impact looks as if the system had the base "
            "objective. The essay reads all approaches this way, with a hedge.",
            failure=_other_failure(facts),
        )
    return None


def objective_focused(facts: ScenarioFacts) -> RuleVerdict:
    """Hubinger: a mesa-optimizer is inner aligned if its mesa-objective's optimal policy is
    impact aligned with the base objective, on any distribution."""
    if not facts.mesa_optimizer:
        return RuleVerdict(
            "not-applicable",
            False,
            "No mesa-optimizer: this approach defines inner alignment only for mesa-optimizers. "
            "A failure of such a system is named separately, as an objective or capability "
            "robustness failure.",
            failure=_other_failure(facts),
        )
    shared = _base_objective(facts, "objective-focused") or _never_diverging_proxy(facts)
    if shared:
        return shared
    if facts.proxy_diverges_in_training:
        return RuleVerdict(
            "inner-misaligned",
            True,
            "The mesa-objective is a proxy that already comes apart from the base objective in "
            "training, so it is not impact aligned: an inner alignment failure. The essay says "
            "the objective- and optimization-focused views 'seem to' agree here.",
            failure="inner-alignment-failure",
        )
    return RuleVerdict(
        "inner-misaligned",
        True,
        "The mesa-objective is a proxy that comes apart from the base objective in deployment, "
        "so it is not impact aligned with the base objective there: an inner alignment "
        "failure. Hedged: the essay reads Hubinger's definition as one that 'seems to imply' "
        "impact alignment on any possible distribution, and gives its Example 3 verdict as its "
        "own ('I would consider').",
        failure="inner-alignment-failure",
    )


_CATASTROPHE = (
    " Shah's definition asks that the agent 'generalizes catastrophically', and the essay "
    "reads it as being about generalizing safely; "
)


def generalization_focused(facts: ScenarioFacts) -> RuleVerdict:
    """Shah: inner alignment covers steps 2 and 3, the system generalizing safely from
    training to deployment, judged by behaviour; no mesa-optimizer needed."""
    shared = _base_objective(facts, "generalization-focused") or _never_diverging_proxy(facts)
    if shared:
        return shared
    if facts.proxy_diverges_in_training:
        return RuleVerdict(
            "uncertain",
            True,
            "The proxy already diverges in training, so deployment brings no unexpected "
            "generalization failure: the system was simply not trained to perform perfectly. "
            "The essay is not sure whether this approach calls that inner misalignment.",
            failure="uncertain",
        )
    if not facts.mesa_optimizer:
        return RuleVerdict(
            "inner-misaligned",
            True,
            "Not a mesa-optimizer, but its behavioural objective comes apart from the base "
            "objective after the distributional shift: an objective-robustness failure that, "
            "in the essay's impression, this approach calls inner misalignment.",
            failure="inner-alignment-failure",
        )
    if facts.failure_catastrophic:
        return RuleVerdict(
            "inner-misaligned",
            False,
            "The objective comes apart from the base objective only after the distributional "
            "shift, and catastrophically: the agent generalizes catastrophically, behaving as "
            "though optimizing another objective, which is Shah's own wording of inner "
            "misalignment. (Why it is inner misalignment, the system not generalizing as well "
            "as expected, is the essay's impression.)",
            failure="inner-alignment-failure",
        )
    return RuleVerdict(
        "inner-misaligned",
        True,
        "The objective comes apart from the base objective only after the distributional "
        "shift: the system does not generalize from training to deployment as well as "
        "expected, which, in the essay's impression, is why this approach calls it inner "
        "misaligned. Hedged:" + _CATASTROPHE + "the facts do not say this failure is catastrophic.",
        failure="inner-alignment-failure",
    )


def optimization_focused(facts: ScenarioFacts) -> RuleVerdict:
    """Wentworth: assuming outer alignment, inner alignment problems occur only as the
    result of imperfect optimization; generalization failures are outer failures."""
    if not facts.mesa_optimizer:
        return RuleVerdict(
            "not-applicable",
            False,
            "No mesa-optimizer: in this approach inner misalignment arises only when training "
            "creates a mesa-optimizer and stops before its objective is aligned. A failure to "
            "generalize is an outer (generalization) failure here.",
            failure=_other_failure(facts),
        )
    shared = _base_objective(facts, "optimization-focused") or _never_diverging_proxy(facts)
    if shared:
        return shared
    if facts.proxy_diverges_in_training and facts.training_converged:
        return RuleVerdict(
            "uncertain",
            True,
            "The facts contradict this approach's assumptions, so it gives no verdict.",
            conflict=(
                "A proxy that diverges from the base objective in training would have been "
                "optimized away by training that converged; this approach rules out such a "
                "system. Check proxy_diverges_in_training and training_converged."
            ),
        )
    if facts.proxy_diverges_in_training:
        return RuleVerdict(
            "inner-misaligned",
            True,
            "The misalignment already shows on the training distribution and training stopped "
            "before optimizing it away: imperfect optimization, the one source of inner "
            "misalignment in this approach, so an inner alignment failure. The essay says "
            "Hubinger and Wentworth 'seem to' agree here.",
            failure="inner-alignment-failure",
        )
    stopped = (
        "training converged"
        if facts.training_converged
        else "the misalignment could not show in training, even though training stopped early"
    )
    return RuleVerdict(
        "inner-aligned",
        False,
        f"The proxy agrees with the base objective on the whole training distribution and "
        f"{stopped}; the failure comes only from cases missing from training, which this "
        f"approach counts as a generalization (outer) failure, not an inner one.",
        failure="generalization-failure",
    )


#: The rule of each approach, by the approach's id.
RULES: dict[str, Callable[[ScenarioFacts], RuleVerdict]] = {
    "objective-focused": objective_focused,
    "generalization-focused": generalization_focused,
    "optimization-focused": optimization_focused,
}


def classify(facts: ScenarioFacts) -> dict[str, RuleVerdict]:
    """Every approach's verdict on a scenario with these facts."""
    return {approach: rule(facts) for approach, rule in RULES.items()}


TENTATIVE = (
    " Hedged too because the essay offers this scenario only tentatively ('perhaps', 'seems')."
)


def on_scenario(verdict: RuleVerdict, tentative: bool) -> RuleVerdict:
    """The rule's answer on a scenario: hedged as well when the essay offers the scenario, or
    its reading of it, only tentatively (a derived verdict inherits the hedge it rests on)."""
    if not tentative or verdict.hedged:
        return verdict
    return replace(verdict, hedged=True, rationale=verdict.rationale + TENTATIVE)


def derive(
    facts: dict[str, ScenarioFacts],
    approaches: list[str],
    stated: set[tuple[str, str]],
    tentative: Collection[str] = (),
) -> list[tuple[str, dict[str, Any]]]:
    """The derived verdicts, as (id, fields): one for every scenario (by its facts) and
    approach with a rule, unless the pair has a stated verdict. Scenarios in ``tentative``
    get hedged verdicts (:func:`on_scenario`)."""
    derived = []
    for scenario, scenario_facts in facts.items():
        for approach in approaches:
            rule = RULES.get(approach)
            if rule is None or (scenario, approach) in stated:
                continue
            verdict_id = derived_verdict_id(scenario, approach)
            answer = on_scenario(rule(scenario_facts), scenario in tentative)
            derived.append((verdict_id, derived_fields(scenario, approach, answer)))
    return derived


def derived_fields(scenario: str, approach: str, verdict: RuleVerdict) -> dict[str, Any]:
    """A rule's answer as the fields of a derived :class:`kb.model.models.Verdict`.

    The one place that says what a derived verdict holds: the query store writes these
    fields as triples (predicates from :data:`kb.model.schema_table.VERDICT_FIELDS`), and a
    validated load makes them Verdict models.
    """
    return {
        "scenario": scenario,
        "approach": approach,
        "value": verdict.value,
        "failure": verdict.failure,
        "hedged": verdict.hedged,
        "implied": False,
        "in_own_words": False,
        "rationale": verdict.rationale,
        "basis": "derived",
        "conflict": verdict.conflict,
    }
