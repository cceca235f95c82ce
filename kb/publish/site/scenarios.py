"""Scenario and verdict pages: scenario → its facts and verdicts → the quotes they rest on."""

from __future__ import annotations

import re

from kb.model.models import Scenario, Verdict
from kb.model.schema_table import FACTS
from kb.publish.site.data import SiteData, page_path
from kb.publish.site.escape import md, paragraphs
from kb.publish.site.render import (
    DISAGREE,
    FAILURE_WORDS,
    LEGEND,
    Links,
    Page,
    base_of,
    bullet_list,
    entity_header,
    evidence_blocks,
    note_block,
    table,
    verdict_badge,
    verdict_link,
)


def _fact(value: object) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return md(value)


NO_SYSTEM_VERDICT = "no verdict (the essay classifies only the failure)"


def facts_table(scenario: Scenario) -> str:
    """The facts the approaches' rules read, and how they were read from the essay."""
    out = table(
        ["Fact", "Value"], [[fact.label, _fact(getattr(scenario, fact.name))] for fact in FACTS]
    )
    if scenario.facts_note:
        out += f"\n*How the facts were read:* {md(scenario.facts_note)}\n"
    return out


def disagreement(data: SiteData, scenario_id: str) -> bool:
    values = {
        (row.value, row.failure)
        for a in data.approaches()
        if (row := data.matrix.get((scenario_id, a.id))) is not None
    }
    return len(values) > 1


_EXAMPLE = re.compile(r"\bExample (\d+)\b")


def set_up(data: SiteData, scenario: Scenario) -> Scenario | None:
    """The scenario whose set-up this one's description builds on ("Same training as
    Example 2, but ..."): the first other example its description names."""
    for number in _EXAMPLE.findall(scenario.description):
        for other in data.scenarios():
            if other.id != scenario.id and other.display_label.startswith(f"Example {number}:"):
                return other
    return None


def neighbours(data: SiteData, links: Links, scenario: Scenario) -> str:
    """Previous and next scenario, in the essay's order."""
    order = data.scenarios()
    at = order.index(scenario)
    parts = []
    if at > 0:
        parts.append("← Previous: " + links.to(order[at - 1].id))
    if at + 1 < len(order):
        parts.append("Next: " + links.to(order[at + 1].id) + " →")
    return f'\n<p class="kb-pager" markdown>{" · ".join(parts)}</p>\n' if parts else ""


def others(data: SiteData, links: Links, verdict: Verdict) -> str:
    """What the other approaches say about the same scenario: the contrast that matters."""
    rows = [
        [links.to(a.id), verdict_link(links, other)]
        for a in data.approaches()
        if a.id != verdict.approach
        and (other := data.matrix.get((verdict.scenario, a.id))) is not None
    ]
    if not rows:
        return ""
    return "\n## The other approaches on this scenario\n\n" + table(["Approach", "Verdict"], rows)


def scenario_page(data: SiteData, scenario: Scenario) -> Page:
    path = page_path("scenario", scenario.id)
    links = Links(data, base_of(path))
    out = [entity_header(data, path, scenario)]
    out.append(f"\n{paragraphs(scenario.description)}\n")
    if (base := set_up(data, scenario)) is not None:
        out.append(
            f'\n!!! info "The set-up"\n\n    From {links.to(base.id)}: {md(base.description)}\n'
        )
    meta = [f"**Source:** {links.to(scenario.source) or '—'}"]
    if scenario.locator:
        meta.append(f"**Where:** {md(scenario.locator)}")
    if scenario.sub_case_of:
        meta.append(f"**Variant of:** {links.to(scenario.sub_case_of)}")
    variants = data.pointing(scenario.id, Scenario, "sub_case_of")
    if variants:
        meta.append(f"**Variants:** {links.many(v.id for v in variants)}")
    if scenario.analogous_to:
        meta.append(f"**Analogous to:** {links.many(scenario.analogous_to)}")
    out.append("\n" + bullet_list(meta))
    out.append(note_block(scenario))
    out.append("\n## Verdicts\n" + LEGEND)
    if disagreement(data, scenario.id):
        out.append(
            f'<p class="kb-disagree-note">{DISAGREE} '
            "The approaches give this scenario different verdicts.</p>\n\n"
        )
    rows = []
    for approach in data.approaches():
        row = data.matrix.get((scenario.id, approach.id))
        if row is None:
            continue
        rows.append([links.to(approach.id), verdict_link(links, row), md(row.rationale)])
    out.append('<div class="kb-stack" markdown>\n\n')
    out.append(table(["Approach", "Verdict", "Why"], rows))
    out.append("\n</div>\n")
    out.append("\n## Facts\n\nWhat the approaches' rules read about this scenario.\n\n")
    out.append(facts_table(scenario))
    out.append("\n## Evidence\n")
    if not scenario.evidence:
        out.append("\n*No quotes recorded.*\n")
    out.append(evidence_blocks(data, links, scenario.evidence))
    out.append(neighbours(data, links, scenario))
    return Page(path, "".join(out), scenario.id, "Scenario")


def verdict_page(data: SiteData, verdict: Verdict) -> Page:
    """A stated verdict with its attribution and evidence, or a derived one with the rule's
    conflict, if any, and where its facts come from."""
    path = page_path("verdict", verdict.id)
    links = Links(data, base_of(path))
    stated = verdict.basis == "stated"
    badge = verdict_badge(
        verdict.value, verdict.hedged, verdict.basis, verdict.implied, verdict.failure
    )
    basis = (
        "stated in the essay"
        if stated
        else "derived by the approach's rule from the scenario's facts"
    )
    out = [
        entity_header(data, path, verdict),
        f"\n**Verdict:** {badge}\n",
        "\n"
        + bullet_list(
            [
                f"**Scenario:** {links.to(verdict.scenario)}",
                f"**Approach:** {links.to(verdict.approach)}",
                f"**On the system:** {md(verdict.value or NO_SYSTEM_VERDICT)}",
                f"**The failure:** {md(FAILURE_WORDS.get(verdict.failure or '', 'not recorded'))}",
                f"**Hedged:** {'yes' if verdict.hedged else 'no'}",
                f"**Implied:** {'yes' if verdict.implied else 'no'}",
                f"**Basis:** {basis}",
            ]
        ),
        f"\n## Rationale\n\n{paragraphs(verdict.rationale)}\n",
        others(data, links, verdict),
    ]
    if not stated:
        if verdict.conflict:
            out.append(f'\n!!! warning "Conflict"\n\n    {md(verdict.conflict)}\n')
        out.append(
            "\nThe essay states no verdict for this pair. This one is computed by the approach's "
            "executable definition from the scenario's facts; it has no quote of its own. See the "
            f"{links.to(verdict.scenario, 'scenario')} for the evidence behind the facts, and the "
            f"{links.to(verdict.approach, 'approach')} for what it counts as inner alignment.\n"
        )
        scenario = data.get(verdict.scenario)
        if isinstance(scenario, Scenario):  # the rule's input, beside its answer
            out.append("\n## The facts the rule read\n\n" + facts_table(scenario))
        return Page(path, "".join(out), verdict.id, "Verdict")
    words = (
        "in their own quoted words"
        if verdict.in_own_words
        else "as the essay author's interpretation"
    )
    out.append(f"\n**Asserted by:** {links.many(verdict.asserted_by)} ({words})")
    if verdict.implied:
        out.append(" · plainly implied rather than stated in so many words")
    out.append("\n\n## Evidence\n")
    out.append(evidence_blocks(data, links, verdict.evidence))
    out.append(note_block(verdict))
    return Page(path, "".join(out), verdict.id, "Verdict")
