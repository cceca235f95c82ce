"""Scenario and verdict pages: scenario → its facts and verdicts → the quotes they rest on."""

from __future__ import annotations

from kb.api import VerdictRow
from kb.models import Scenario, Verdict
from kb.schema_table import FACTS
from kb.sitegen.data import SiteData, page_path
from kb.sitegen.escape import md, paragraphs
from kb.sitegen.render import (
    DISAGREE,
    Links,
    Page,
    base_of,
    bullet_list,
    entity_header,
    header,
    note_block,
    quote_block,
    row_label,
    table,
    verdict_badge,
)


def _fact(value: object) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return md(value)


def disagreement(data: SiteData, scenario_id: str) -> bool:
    values = {
        row.verdict
        for a in data.approaches()
        if (row := data.matrix.get((scenario_id, a.id))) is not None
    }
    return len(values) > 1


def scenario_page(data: SiteData, scenario: Scenario) -> Page:
    path = page_path("scenario", scenario.id)
    links = Links(data, base_of(path))
    out = [entity_header(data, path, scenario)]
    out.append(f"\n{paragraphs(scenario.description)}\n")
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
    out.append("\n## Verdicts\n\n")
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
        badge = verdict_badge(row.verdict, row.hedged, row.basis, row.implied)
        rows.append([links.to(approach.id), f"[{badge}]({links.path(row.id)})", md(row.rationale)])
    out.append(table(["Approach", "Verdict", "Why"], rows))
    out.append("\n## Facts\n\nWhat the approaches' rules read about this scenario.\n\n")
    out.append(
        table(
            ["Fact", "Value"], [[fact.label, _fact(getattr(scenario, fact.name))] for fact in FACTS]
        )
    )
    if scenario.facts_note:
        out.append(f"\n*How the facts were read:* {md(scenario.facts_note)}\n")
    out.append("\n## Evidence\n")
    if not scenario.evidence:
        out.append("\n*No quotes recorded.*\n")
    for quote_id in scenario.evidence[:100]:
        out.append(quote_block(data, links, quote_id))
    return Page(path, "".join(out), scenario.id, "Scenario")


def _common(data: SiteData, links: Links, row: VerdictRow) -> list[str]:
    return [
        f"\n**Verdict:** {verdict_badge(row.verdict, row.hedged, row.basis, row.implied)}\n",
        "\n"
        + bullet_list(
            [
                f"**Scenario:** {links.to(row.scenario)}",
                f"**Approach:** {links.to(row.approach)}",
                f"**Hedged:** {'yes' if row.hedged else 'no'}",
                "**Basis:** "
                + (
                    "stated in the essay"
                    if row.basis == "stated"
                    else "derived by the approach's rule from the scenario's facts"
                ),
            ]
        ),
        f"\n## Rationale\n\n{paragraphs(row.rationale)}\n",
    ]


def verdict_page(data: SiteData, verdict: Verdict) -> Page:
    path = page_path("verdict", verdict.id)
    links = Links(data, base_of(path))
    row = data.verdict_rows.get(verdict.id) or VerdictRow.of(verdict)
    out = [entity_header(data, path, verdict), *_common(data, links, row)]
    words = (
        "in their own quoted words"
        if verdict.in_own_words
        else "as the essay author's interpretation"
    )
    out.append(f"\n**Asserted by:** {links.many(verdict.asserted_by)} ({words})")
    if verdict.implied:
        out.append(" · plainly implied rather than stated in so many words")
    out.append("\n\n## Evidence\n")
    for quote_id in verdict.evidence[:100]:
        out.append(quote_block(data, links, quote_id))
    out.append(note_block(verdict))
    return Page(path, "".join(out), verdict.id, "Verdict")


def derived_verdict_page(data: SiteData, row: VerdictRow) -> Page:
    path = page_path("verdict", row.id)
    links = Links(data, base_of(path))
    label = row_label(data, row)
    out = [header(data, path, "Derived verdict", row.id, label), *_common(data, links, row)]
    if row.conflict:
        out.append(f'\n!!! warning "Conflict"\n\n    {md(row.conflict)}\n')
    out.append(
        "\nThe essay states no verdict for this pair. This one is computed by the approach's "
        "executable definition from the scenario's facts; it has no quote of its own. See the "
        f"{links.to(row.scenario, 'scenario')} for the facts and their evidence, and the "
        f"{links.to(row.approach, 'approach')} for what it counts as inner alignment.\n"
    )
    return Page(path, "".join(out), row.id, "Verdict")
