"""Approach and decomposition pages, with the decomposition diagram of each approach."""

from __future__ import annotations

from itertools import pairwise

from kb.models import Approach, Argument, DecompositionPart
from kb.sitegen.data import SiteData, page_path
from kb.sitegen.escape import md, mermaid_label, paragraphs
from kb.sitegen.render import (
    Links,
    Page,
    base_of,
    bullet_list,
    entity_header,
    note_block,
    quote_block,
    table,
    verdict_badge,
)

ROLE_TEXT = {"inner": "inner alignment", "outer": "outer alignment", "neither": "neither"}


def role(approach: Approach, part_id: str) -> str:
    if part_id in approach.counts_as_inner:
        return "inner"
    if part_id in approach.counts_as_outer:
        return "outer"
    return "neither"


def _parts(data: SiteData) -> list[DecompositionPart]:
    return sorted(data.all(DecompositionPart), key=lambda p: (p.number, p.id))


def diagram(data: SiteData, approach: Approach) -> str:
    """A mermaid flowchart of the decomposition, each step marked as inner, outer or neither.

    The role is in each node's text as well as its colour, and a list follows the diagram.
    """
    parts = _parts(data)[:60]
    if not parts:
        return "*The KB has no decomposition steps.*\n"
    node = {part.id: f"n{i}" for i, part in enumerate(parts)}
    lines = ["```mermaid", "flowchart TD"]
    for part in parts:
        kind = role(approach, part.id)
        text = f"{part.label} — {ROLE_TEXT[kind]}"
        lines.append(f"  {node[part.id]}[{mermaid_label(text)}]:::{kind}")
    top = [p for p in parts if not p.part_of or p.part_of not in node]
    lines.extend(f"  {node[a.id]} --> {node[b.id]}" for a, b in pairwise(top))
    lines.extend(
        f"  {node[p.part_of]} -.- {node[p.id]}" for p in parts if p.part_of and p.part_of in node
    )
    lines += [
        "  classDef inner fill:#d7f0dc,stroke:#1b6e2e,color:#0b2e14",
        "  classDef outer fill:#dbe6fb,stroke:#1d4aa8,color:#0b1f47",
        "  classDef neither fill:#eeeeee,stroke:#555555,color:#222222,stroke-dasharray:4 3",
        "```",
    ]
    return "\n".join(lines) + "\n"


def role_list(data: SiteData, links: Links, approach: Approach) -> str:
    rows = [
        [md(p.number), links.to(p.id), f'<span class="kb-role kb-role-{r}">{ROLE_TEXT[r]}</span>']
        for p in _parts(data)
        for r in [role(approach, p.id)]
    ]
    return table(["Step", "Part of the decomposition", "Counts as"], rows)


def approach_page(data: SiteData, approach: Approach) -> Page:
    path = page_path("approach", approach.id)
    links = Links(data, base_of(path))
    needs = "yes" if approach.requires_mesa_optimizer else "no"
    out = [entity_header(data, path, approach)]
    out.append(f"\n{paragraphs(approach.description)}\n")
    out.append(
        "\n"
        + bullet_list(
            [
                f"**Endorsed by:** {links.many(approach.endorsed_by)}",
                f"**Named by:** {links.many(approach.named_by)}"
                + (f" in {links.to(approach.named_in)}" if approach.named_in else ""),
                f"**Similar definitions by:** {links.many(approach.similar_definition_by)}",
                f"**Requires a mesa-optimizer:** {needs}",
            ]
        )
    )
    out.append(note_block(approach))
    out.append("\n## What counts as inner alignment\n\n")
    out.append(diagram(data, approach))
    out.append("\n" + role_list(data, links, approach))
    if approach.decomposition_note:
        out.append(f"\n{paragraphs(approach.decomposition_note)}\n")
    out.append("\n## Definitions in this approach\n\n")
    out.append(bullet_list([links.to(d) for d in approach.definitions], "definitions"))
    out.append("\n## Verdicts\n\n")
    rows = [
        [
            links.to(s.id),
            f"[{verdict_badge(r.verdict, r.hedged, r.basis, r.implied)}]({links.path(r.id)})",
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
    for quote_id in approach.evidence[:100]:
        out.append(quote_block(data, links, quote_id))
    return Page(path, "".join(out), approach.label, approach.id, "Approach")


def decomposition_page(data: SiteData, part: DecompositionPart) -> Page:
    path = page_path("decomposition", part.id)
    links = Links(data, base_of(path))
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
    rows = [
        [links.to(a.id), f'<span class="kb-role kb-role-{r}">{ROLE_TEXT[r]}</span>']
        for a in data.approaches()
        for r in [role(a, part.id)]
    ]
    out.append(table(["Approach", "Counts as"], rows))
    out.append(note_block(part))
    return Page(path, "".join(out), part.label, part.id, "DecompositionPart")


def decomposition_overview(data: SiteData) -> Page:
    """All approaches' diagrams side by side: the index page of the decomposition folder."""
    path = "decomposition/index.md"
    links = Links(data, base_of(path))
    out = [
        "# The decomposition\n\n"
        "The essay splits getting a trained system to do what we want into steps; each "
        "approach draws the line between inner and outer alignment at a different place. "
        "Each diagram marks every step with what that approach counts it as, in words and "
        "in colour (green: inner alignment, blue: outer alignment, grey dashed: neither).\n\n"
        "## Steps\n\n",
        bullet_list([f"{md(p.number)}. {links.to(p.id)}" for p in _parts(data)], "steps"),
    ]
    for approach in data.approaches()[:20]:
        out.append(f"\n## {links.to(approach.id)}\n\n")
        out.append(diagram(data, approach))
    return Page(path, "".join(out), "The decomposition")
