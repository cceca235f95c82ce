"""Approach and decomposition pages, with the decomposition diagram of each approach."""

from __future__ import annotations

from kb.model.decomposition import counts_as
from kb.model.models import Approach, Argument, DecompositionPart
from kb.publish.site.data import SiteData, page_path
from kb.publish.site.escape import html_line, md, paragraphs
from kb.publish.site.render import (
    LEGEND,
    Links,
    Page,
    bullet_list,
    entity_header,
    evidence_blocks,
    note_block,
    quote_block,
    short_name,
    table,
    verdict_link,
)

ROLE_TEXT = {"inner": "inner alignment", "outer": "outer alignment", "neither": "neither"}


def role(approach: Approach, part_id: str) -> tuple[str, str]:
    """How the approach counts the part, as (CSS class, words): inner, outer, partly (under
    the condition a sub-part states) or neither, with "(hedged)" where the essay hedges it."""
    counted = counts_as(
        part_id,
        approach.counts_as_inner,
        approach.counts_as_outer,
        approach.counts_partly_inner,
        approach.counts_partly_outer,
    )
    words = ROLE_TEXT.get(counted, counted)
    if part_id in approach.counts_hedged:
        words += " (hedged)"
    css = "partly" if counted.startswith("partly") else counted.split(" ")[0]
    return css, words


def _parts(data: SiteData) -> list[DecompositionPart]:
    return sorted(data.all(DecompositionPart), key=lambda p: (p.number, p.id))


def diagram(data: SiteData, links: Links, approach: Approach) -> str:
    """The decomposition as a flow of boxes, each step marked as inner, outer or neither.

    Drawn at build time as plain HTML and CSS (no script): the role is in each box's text
    as well as its colour, and sub-steps sit inside the step they belong to.
    """
    parts = _parts(data)[:60]
    if not parts:
        return "*The KB has no decomposition steps.*\n"
    known = {p.id for p in parts}
    children: dict[str, list[DecompositionPart]] = {}
    for part in parts:
        if part.part_of in known:
            children.setdefault(part.part_of, []).append(part)

    def box(part: DecompositionPart) -> str:
        kind, words = role(approach, part.id)
        inner = "".join(box(c) for c in children.get(part.id, []))
        nested = f'<ol class="kb-flow kb-flow-sub">{inner}</ol>' if inner else ""
        name = f'<a href="{links.url(part.id)}">{html_line(part.label)}</a>'
        return (
            f'<li class="kb-step kb-step-{kind}"><span class="kb-step-name">{name}</span> '
            f'<span class="kb-step-role">{html_line(words)}</span>{nested}</li>'
        )

    top = [p for p in parts if p.part_of not in known]
    steps = "".join(box(p) for p in top)
    return f'<ol class="kb-flow" aria-label="Decomposition diagram">{steps}</ol>\n'


def role_cell(data: SiteData, approach: Approach, part_id: str) -> str:
    kind, words = role(approach, part_id)
    return f'<span class="kb-role kb-role-{kind}">{html_line(words)}</span>'


def approach_page(data: SiteData, approach: Approach) -> Page:
    path = page_path("approach", approach.id)
    links = Links.on(data, path)
    needs = "yes" if approach.requires_mesa_optimizer else "no"
    out = [entity_header(data, path, approach)]
    out.append(f"\n{paragraphs(approach.description)}\n")
    facts = [
        f"**Endorsed by:** {links.many(approach.endorsed_by)}",
        f"**Named by:** {links.many(approach.named_by)}"
        + (f" in {links.to(approach.named_in)}" if approach.named_in else ""),
    ]
    if approach.similar_definition_by:  # an empty field is not shown to the reader
        facts.append(f"**Similar definitions by:** {links.many(approach.similar_definition_by)}")
    facts.append(f"**Requires a mesa-optimizer:** {needs}")
    out.append("\n" + bullet_list(facts))
    out.append(note_block(approach))
    out.append("\n## What counts as inner alignment\n\n")
    out.append(diagram(data, links, approach))
    if approach.decomposition_note:
        out.append(f"\n{paragraphs(approach.decomposition_note)}\n")
    out.append("\n## Definitions in this approach\n\n")
    out.append(bullet_list([links.to(d) for d in approach.definitions], "definitions"))
    out.append("\n## Verdicts\n" + LEGEND)
    rows = [
        [
            links.to(s.id),
            verdict_link(links, r),
        ]
        for s in data.scenarios()
        for r in [data.matrix.get((s.id, approach.id))]
        if r is not None
    ]
    out.append(table(["Scenario", "Verdict"], rows))
    arguments = [(a, "supports") for a in data.pointing(approach.id, Argument, "supports")] + [
        (a, "opposes") for a in data.pointing(approach.id, Argument, "opposes")
    ]
    if arguments:
        out.append("\n## Arguments\n\n")
        out.append(bullet_list([f"{links.to(a.id)} ({how})" for a, how in arguments]))
    out.append("\n## Evidence\n")
    out.append(evidence_blocks(data, links, approach.evidence))
    return Page(path, "".join(out), approach.id, "Approach")


def decomposition_page(data: SiteData, part: DecompositionPart) -> Page:
    path = page_path("decomposition", part.id)
    links = Links.on(data, path)
    out = [entity_header(data, path, part)]
    out.append(f"\n**Step:** {md(part.number)}\n\n{paragraphs(part.description)}\n")
    if part.part_of:
        out.append(f"\n**Part of:** {links.to(part.part_of)}\n")
    children = data.pointing(part.id, DecompositionPart, "part_of")
    if children:
        out.append(f"\n**Parts:** {links.many(c.id for c in children)}\n")
    if part.term:
        out.append(f"\n**Term:** {links.to(part.term)}\n")
    out.append(quote_block(data, links, part.quote))
    out.append("\n## How each approach counts it\n\n")
    rows = [[links.to(a.id), role_cell(data, a, part.id)] for a in data.approaches()]
    out.append(table(["Approach", "Counts as"], rows))
    out.append(note_block(part))
    return Page(path, "".join(out), part.id, "DecompositionPart")


def decomposition_overview(data: SiteData) -> Page:
    """All approaches' diagrams side by side: the index page of the decomposition folder."""
    path = "decomposition/index.md"
    links = Links.on(data, path)
    approaches = data.approaches()[:20]
    rows = [[links.to(p.id), *(role_cell(data, a, p.id) for a in approaches)] for p in _parts(data)]
    out = [
        "# The decomposition\n\n"
        "The essay splits getting a trained system to do what we want into steps; each "
        "approach draws the line between inner and outer alignment at a different place. "
        "The grid shows, for every step, what each approach counts it as (in words, and in "
        "colour: green for inner alignment, blue for outer alignment, grey for neither); "
        "each approach's page draws its own reading as a diagram.\n\n",
        '<div class="kb-grid" markdown>\n\n',
        table(["Step", *(links.to(a.id, short_name(a)) for a in approaches)], rows, limit=60),
        "\n</div>\n",
    ]
    return Page(path, "".join(out))
