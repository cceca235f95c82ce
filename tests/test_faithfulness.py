"""The KB says what the essay says, and no more: one check per finding of the content review
(shared/reviews/2026-11-29-content.md), each phrased as a rule over the whole KB where it can
be, so that the next entry breaking it is caught too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import bundled

from kb.api import KnowledgeBase
from kb.model.models import (
    Approach,
    Argument,
    Definition,
    Quote,
    Scenario,
    Source,
    Term,
    Verdict,
)
from kb.model.quotes import read_essay, verify
from kb.model.rules import RULES, ScenarioFacts, classify

ESSAY_ID = "clarifying-the-confusion-around-inner-alignment"


def of(kind: type, **where: object) -> list:
    return [
        e
        for e in bundled().entities.values()
        if isinstance(e, kind) and all(getattr(e, k) == v for k, v in where.items())
    ]


def verdict(scenario: str, approach: str) -> Verdict:
    found = of(Verdict, scenario=scenario, approach=approach)
    assert found, f"no stated verdict for {scenario} under {approach}"
    return found[0]


def facts(scenario: str) -> ScenarioFacts:
    entity = bundled().entities[scenario]
    names = ScenarioFacts.__dataclass_fields__
    return ScenarioFacts.from_mapping({n: getattr(entity, n) for n in names if hasattr(entity, n)})


# --- 2: one training process, one convergence ---------------------------------------------


def test_cases_of_a_system_share_its_training_convergence() -> None:
    """Birth control and masturbation are cases of one training process, evolution, which
    the essay says did not converge (humans stay inner misaligned under the optimization-
    focused approach, which needs imperfect optimization)."""
    for case in of(Scenario):
        if case.sub_case_of:
            whole = bundled().entities[case.sub_case_of]
            assert case.training_converged == whole.training_converged, case.id
    assert bundled().entities["birth-control"].training_converged is False


# --- 5, 7: hedges of the objective-focused reading -----------------------------------------


def test_example_3_objective_focused_is_the_authors_hedged_judgement() -> None:
    """'Thus, I would consider this an inner alignment failure', resting on 'seems to imply'."""
    v = verdict("example-3", "objective-focused")
    assert v.value == "inner-misaligned" and v.hedged


def test_derived_objective_focused_verdicts_after_a_shift_are_hedged() -> None:
    answer = RULES["objective-focused"](facts("birth-control"))
    assert answer.value == "inner-misaligned" and answer.hedged
    assert "seems to imply" in answer.rationale


# --- 8, 9: humans as a whole, and the masturbation case -------------------------------------


def test_humans_versus_evolution_is_a_scenario_with_its_cases() -> None:
    humans = bundled().entities["humans"]
    assert isinstance(humans, Scenario)
    assert bundled().entities["birth-control"].sub_case_of == "humans"
    assert bundled().entities["masturbation"].sub_case_of == "humans"
    for approach in ("objective-focused", "optimization-focused"):
        v = verdict("humans", approach)
        assert v.basis == "stated" and v.value == "inner-misaligned"
    stated = verdict("humans", "optimization-focused")
    assert "quote-humans-still-not-inner-aligned" in stated.evidence


@pytest.mark.parametrize(
    ("approach", "value"),
    [("objective-focused", "inner-misaligned"), ("generalization-focused", "uncertain")],
)
def test_masturbation_goes_under_example_4s_category(approach: str, value: str) -> None:
    """'The case of masturbation ... goes under this category': stated, implied, hedged."""
    v = verdict("masturbation", approach)
    assert (v.value, v.implied, v.hedged) == (value, True, True)
    assert "quote-masturbation-same-category" in v.evidence
    assert v.value == verdict("example-4", approach).value


# --- 10, 11: the essay's purpose, stance and reservation ------------------------------------


def test_the_essays_stance_and_call_for_consensus_are_recorded() -> None:
    by_arike = {a.id: a for a in of(Argument) if a.authors == ["rauno-arike"]}
    cited = {q for a in by_arike.values() for q in [a.quote, *a.evidence]}
    needed = ("quote-outside-scope", "quote-explaining-not-arguing", "quote-calls-to-formalize")
    assert set(needed) <= cited


def test_the_authors_reservation_about_the_optimization_focused_approach() -> None:
    reservations = [
        a
        for a in of(Argument)
        if a.authors == ["rauno-arike"] and "optimization-focused" in a.opposes
    ]
    assert [a.quote for a in reservations] == ["quote-counterintuitive"]
    assert "a bit" in reservations[0].description  # the essay's hedge is kept


def test_no_quote_is_an_orphan() -> None:
    """Also a validation check (kb validate reports orphan quotes)."""
    cited = set()
    for e in bundled().entities.values():
        for name in ("quote", "evidence"):
            value = getattr(e, name, None)
            cited.update(value if isinstance(value, list) else [value] if value else [])
    orphans = sorted(q.id for q in of(Quote) if q.id not in cited)
    assert orphans == []


# --- 12: Shah's outer alignment and mesa-optimization ---------------------------------------


def test_shahs_outer_alignment_and_mesa_optimization_are_definitions() -> None:
    approach = bundled().entities["generalization-focused"]
    assert isinstance(approach, Approach)
    defined = {bundled().entities[d].defines for d in approach.definitions}
    assert {"inner-alignment", "outer-alignment", "mesa-optimization"} <= defined


# --- 13, 14: what the essay grants, and what it adds ----------------------------------------


def test_wentworth_is_credited_only_with_his_claim() -> None:
    """The chess board and the training-data remark are the essay's own ('our maze AI')."""
    argument = bundled().entities["argument-wentworth-no-objective-without-distribution"]
    text = argument.description
    assert "essay's own" in text and "not credited to Wentworth" in text
    assert "makes it reasonable" not in text  # the essay only grants he 'has a point'
    assert "a bit counterintuitive" in text


# --- 16, 22: probable identifications and descriptive titles are flagged --------------------

PROBABLE = re.compile(r"\b(probable|probably|assumption|taken to be)\b", re.IGNORECASE)


@pytest.mark.parametrize("kind", [Definition, Argument])
def test_probable_attributions_are_flagged_in_data(kind: type) -> None:
    """Prose that calls a source probable or assumed must be matched by kb:unverifiedField."""
    for entity in of(kind):
        if entity.note and PROBABLE.search(entity.note):
            assert entity.unverified_fields, f"{entity.id}: says so only in prose"


def test_descriptive_titles_are_flagged() -> None:
    for source in of(Source):
        if source.note and "descriptive" in source.note:
            assert "title" in source.unverified_fields, source.id


# --- 17: where the words sit in their own work vs in the essay ------------------------------


def test_every_quote_is_located_in_the_right_work(essay: Path) -> None:
    """Words the essay quotes from another work give the essay's section as where they are
    quoted (kb:quotedInLocator), never as where they sit in their own work (kb:locator);
    each essay section recorded is the one the words really sit in."""
    headings = {heading for _, heading in read_essay(essay).sections}
    assert len(headings) >= 10, "the essay's headings should be found"
    for quote in of(Quote):
        if quote.quoted_in == ESSAY_ID:
            assert quote.locator not in headings, f"{quote.id}: an essay section as its locator"
            assert quote.quoted_in_locator in headings, quote.id
        elif quote.source == ESSAY_ID:
            assert quote.locator in headings, quote.id
    assert [c.problems for c in verify(bundled().entities, essay) if c.problems] == []
    assert "19.00" in (bundled().entities["quote-shah-podcast"].locator or "")


# --- 18, 20, 21: terms -----------------------------------------------------------------------

NEGATION = re.compile(r"\b(mis\w+|failure|un\w+|non-\w+)\b")


def test_alt_labels_do_not_name_the_negation() -> None:
    """An alternative label is a synonym: it names a failure only if the term itself does."""
    for term in of(Term):
        for label in term.alt_labels:
            assert bool(NEGATION.search(label)) == bool(NEGATION.search(term.label)), (
                f"{term.id}: alt label {label!r} names the negation of {term.label!r}"
            )


def test_terms_credit_the_essays_words_to_the_essay() -> None:
    assert "The essay's term" not in (bundled().entities["2d-robustness"].scope_note or "")
    robustness = bundled().entities["robustness"].scope_note or ""
    assert "the essay's words, not Wentworth's" in robustness


# --- 19: the project's assumptions are called so --------------------------------------------


@pytest.mark.parametrize("scenario", ["example-2", "example-5"])
def test_facts_the_essay_does_not_give_are_marked_assumptions(scenario: str) -> None:
    assert "the project's assumption" in (bundled().entities[scenario].facts_note or "")


# --- 23: contradictory facts get a conflict --------------------------------------------------


def test_base_objective_with_a_diverging_proxy_is_a_conflict() -> None:
    answers = classify(ScenarioFacts(True, "base", True, True, True, True))
    for approach, answer in answers.items():
        assert answer.conflict and "base objective" in answer.conflict, approach
        assert answer.value == "uncertain"


# --- 1: the verdict on the system and on the failure ----------------------------------------


def test_birth_control_is_a_generalization_failure_and_no_verdict_on_humans() -> None:
    """'a generalization rather than an inner alignment failure', yet 'the optimization-
    focused approach still doesn't make humans inner aligned': never 'inner-aligned'."""
    v = verdict("birth-control", "optimization-focused")
    assert v.failure == "generalization-failure"
    assert v.value is None
    assert verdict("humans", "optimization-focused").value == "inner-misaligned"


def test_no_output_calls_birth_control_inner_aligned_under_optimization(k: KnowledgeBase) -> None:
    for row in k.verdicts(scenario="birth-control", approach="optimization-focused"):
        assert row.value != "inner-aligned" and row.failure == "generalization-failure"
    cells = {
        (r["scenario"], r["approach"]): r["cell"]
        for r in k.ask("verdict-matrix", scenario="birth-control")
    }
    assert "inner-aligned" not in cells["birth-control", "optimization-focused"]
    matrix = k.matrix()
    row = next(r for r in matrix if r.scenario == "birth-control")
    assert "aligned" not in row.cells["optimization-focused"].short().split(" · ")[0]


def test_every_verdict_classifies_the_failure(k: KnowledgeBase) -> None:
    for row in k.verdicts():
        assert row.failure or row.conflict, row.id


# --- 4, 6: hedges inherited from the reading a verdict rests on -----------------------------


def test_generalization_focused_after_a_shift_is_hedged_unless_catastrophic() -> None:
    """Shah's definition asks that the agent 'generalizes catastrophically'; only Example 3
    is described as catastrophic, so only it is unhedged."""
    assert bundled().entities["example-3"].failure_catastrophic
    assert not RULES["generalization-focused"](facts("example-3")).hedged
    derived = RULES["generalization-focused"](facts("birth-control"))
    assert derived.hedged and "catastrophically" in derived.rationale


def test_the_clearer_example_is_tentative_so_every_verdict_on_it_is_hedged(
    k: KnowledgeBase,
) -> None:
    assert bundled().entities["clearer-birth-control-example"].tentative
    rows = k.verdicts(scenario="clearer-birth-control-example")
    assert len(rows) == 3 and all(r.hedged for r in rows)
    stated = verdict("clearer-birth-control-example", "optimization-focused")
    assert stated.implied and stated.hedged


def test_implied_is_shown_wherever_stated_is(k: KnowledgeBase) -> None:
    from kb.query.views import basis_of

    rows = k.ask("verdicts", scenario="masturbation")
    assert {basis_of(r) for r in rows} == {"implied", "stated"}
    assert all("implied" in r for r in k.ask("verdict-matrix", scenario="masturbation"))


# --- 3, 15: the decomposition says "partly" and hedges where the essay does ----------------


def decomposition(k: KnowledgeBase) -> dict[tuple[str, str], tuple[str, bool]]:
    return {
        (r["approach"], r["part"]): (r["counts_as"], r["hedged"] == "yes")
        for r in k.ask("decomposition")
    }


def test_objective_robustness_is_partly_inner_for_the_objective_focused_approach(
    k: KnowledgeBase,
) -> None:
    """'inner alignment is a subproblem of objective robustness, which in turn forms a part of
    step 3' (the original definition, which the objective-focused approach includes)."""
    found = decomposition(k)
    assert found["objective-focused", "step-3-objective-robustness"][0] == "partly inner"
    assert found["objective-focused", "step-3-objective-robustness-mesa-objective"][0] == "inner"
    assert found["objective-focused", "step-2-only-after-shift"] == ("inner", True)


def test_step_2_is_only_partly_inner_for_wentworth(k: KnowledgeBase) -> None:
    """Inner misalignment only where it 'can already be observed from performance on the
    training distribution'; after a shift it is a generalization failure."""
    found = decomposition(k)
    assert found["optimization-focused", "step-2"][0] == "partly inner, partly outer"
    assert found["optimization-focused", "step-2-visible-in-training"][0] == "inner"
    assert found["optimization-focused", "step-2-only-after-shift"][0] == "outer"


def test_capability_robustness_is_hedged_for_the_generalization_focused_approach(
    k: KnowledgeBase,
) -> None:
    """'I'm not completely sure ... whether Shah's generalization-focused approach would
    consider a pure capability robustness problem an inner alignment failure'."""
    assert decomposition(k)["generalization-focused", "step-3-capability-robustness"] == (
        "inner",
        True,
    )


def test_the_counts_follow_the_nesting_and_the_site_agrees(k: KnowledgeBase) -> None:
    """The relations are written out in full: they must follow the parts' nesting, and the
    site's wording (kb.model.decomposition) must match the question's."""
    from kb.model.decomposition import counts_as, inheritance_problems
    from kb.model.models import DecompositionPart

    parents = {p.id: p.part_of for p in of(DecompositionPart)}
    for approach in of(Approach):
        lists = (
            approach.counts_as_inner,
            approach.counts_as_outer,
            approach.counts_partly_inner,
            approach.counts_partly_outer,
        )
        assert inheritance_problems(parents, *lists) == [], approach.id
    for (approach_id, part), (counted, _) in decomposition(k).items():
        approach = bundled().entities[approach_id]
        assert isinstance(approach, Approach)
        assert (
            counts_as(
                part,
                approach.counts_as_inner,
                approach.counts_as_outer,
                approach.counts_partly_inner,
                approach.counts_partly_outer,
            )
            == counted
        ), (approach_id, part)


def test_the_nesting_check_reports_a_step_counted_wholly_for_a_conditional_part() -> None:
    """Step 2 marked inner for Wentworth, as the KB once had it, is caught."""
    from kb.model.decomposition import inheritance_problems

    parents = {"step-2": None, "step-2-visible": "step-2", "step-2-after-shift": "step-2"}
    problems = inheritance_problems(parents, ["step-2", "step-2-visible"], [], [], [])
    assert problems == ["step-2-after-shift is part of step-2, so it is inner too"]
    assert inheritance_problems(parents, ["step-2-visible"], [], [], []) == [
        "step-2: partly inner should be True"
    ]


# --- 15, and the site: what the essay says, on the pages readers look at first --------------


def test_capability_failure_verdict_cites_the_sentence_it_is_at_odds_with() -> None:
    v = verdict("example-1-capability-failure", "generalization-focused")
    assert "quote-shah-endorsed-definition" in v.evidence
    assert "encompass both objective and capability robustness" in v.rationale


def test_the_site_matrix_says_what_the_essay_says(built_site: Path) -> None:
    """Birth control under the optimization-focused approach: a generalization failure, no
    verdict on the system; the clearer example: hedged and implied."""
    page = (built_site / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))

    def row(scenario: str) -> str:
        start = page.index(f"scenario/{scenario}/")
        return re.sub(
            r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start : page.index("</tr>", start)])
        )

    birth_control = row("birth-control").split("generalization (outer) failure")[0]
    assert "inner-aligned" not in birth_control
    assert row("birth-control").rstrip().endswith("— · generalization (outer) failure")
    clearer = row("clearer-birth-control-example")
    assert "inner-aligned · generalization (outer) failure hedged implied" in clearer
    assert "Legend" in text
