"""Term and definition pages: term → its definitions → their sources and endorsers."""

from __future__ import annotations

from kb.model.models import Approach, DecompositionPart, Definition, Term
from kb.publish.site import home
from kb.publish.site.data import SiteData, page_path
from kb.publish.site.escape import md, paragraphs
from kb.publish.site.render import (
    Links,
    Page,
    base_of,
    bullet_list,
    by_quote_order,
    entity_header,
    in_author_order,
    note_block,
    quote_block,
    short_name,
    table,
)


def approach_line(
    data: SiteData, links: Links, definition: Definition, endorsers: bool = True
) -> str:
    """The approaches a definition belongs to, each with the researchers who endorse it
    (they endorse the approach, not necessarily this wording of it). A term page lists
    many definitions of one approach: there, ``endorsers=False`` says it once per
    approach page instead of after every definition."""
    parts = []
    for approach in data.pointing(definition.id, Approach, "definitions"):
        who = links.many(approach.endorsed_by, empty="") if endorsers else ""
        parts.append(links.to(approach.id) + (f" (endorsed by {who})" if who else ""))
    return "; ".join(parts) or "—"


def by_approach(
    data: SiteData, definitions: list[Definition]
) -> list[tuple[Approach | None, Definition]]:
    """Definitions grouped by approach, in the essay's order of approaches; a definition
    in no approach comes last."""
    order = {a.id: n for n, a in enumerate(data.approaches())}
    found: list[tuple[Approach | None, Definition]] = []
    for definition in definitions:
        approaches = data.pointing(definition.id, Approach, "definitions")
        found += [(a, definition) for a in approaches] or [(None, definition)]
    return sorted(  # stable: within an approach, definitions keep their order
        found, key=lambda pair: order.get(pair[0].id, 0) if pair[0] else len(order)
    )


def side_by_side(data: SiteData, links: Links, definitions: list[Definition]) -> str:
    """The definitions' words next to each other, one row each, grouped by approach."""
    rows = [
        [
            links.to(approach.id, short_name(approach)) if approach else "—",
            md(definition.paraphrase),
            links.many(in_author_order(data, definition.authors, definition.source)),
        ]
        for approach, definition in by_approach(data, definitions)
    ]
    return (
        '\n<div class="kb-stack" markdown>\n\n'
        + table(["Approach", "Definition", "By"], rows)
        + "\n</div>\n"
    )


def term_page(data: SiteData, term: Term) -> Page:
    path = page_path("term", term.id)
    links = Links(data, base_of(path))
    out = [entity_header(data, path, term)]
    if term.alt_labels:
        out.append("\n**Also called:** " + "; ".join(md(a) for a in term.alt_labels) + "\n")
    plain_words = home.lead(data, links, on_home=False) if term.id == home.LEAD_TERM else ""
    if plain_words:  # the contested term opens in plain words, then says why it is contested
        out.append(plain_words + "\n## Why it is contested\n")
    if term.scope_note:
        out.append("\n" + paragraphs(term.scope_note) + "\n")
    out.append(note_block(term))
    for name, ids in (
        ("Broader terms", term.broader),
        ("Narrower terms", term.narrower + [t.id for t in data.pointing(term.id, Term, "broader")]),
        ("Related terms", term.related),
    ):
        unique = sorted(set(ids))
        if unique:
            out.append(f"\n**{name}:** {links.many(unique)}\n")
    # In the order the essay quotes them (those it does not quote after), so the list reads
    # as the essay's history of the term does.
    definitions = by_quote_order(
        data, data.pointing(term.id, Definition, "defines"), lambda d: d.quote
    )
    if len(definitions) > 1:
        out.append("\n## Side by side\n")
        out.append(side_by_side(data, links, definitions))
    out.append("\n## Definitions\n")
    if not definitions:
        out.append("\n*The KB records no definition of this term.*\n")
    for definition in definitions[:200]:
        authors = links.many(in_author_order(data, definition.authors, definition.source))
        out.append(f"\n### {links.to(definition.id)}\n")
        out.append(f"\n{md(definition.paraphrase)}\n")
        source = f"**source:** {links.to(definition.source)} · " if definition.source else ""
        out.append(
            f"\n**By:** {authors} · {source}"
            f"**approach:** {approach_line(data, links, definition, endorsers=False)}\n"
        )
        out.append(quote_block(data, links, definition.quote))
    parts = data.pointing(term.id, DecompositionPart, "term")
    if parts:
        out.append("\n## In the essay's decomposition\n\n")
        out.append(bullet_list([links.to(p.id) for p in parts], "steps"))
    # Terms rank first in the theme's search: a reader searching a word wants its term page.
    boost = (("search", "\n  boost: 8"),)
    return Page(path, "".join(out), term.id, "Term", boost)


def definition_page(data: SiteData, definition: Definition) -> Page:
    path = page_path("definition", definition.id)
    links = Links(data, base_of(path))
    out = [entity_header(data, path, definition)]
    out.append(f"\n**Defines:** {links.to(definition.defines)}\n")
    out.append(f"\n{paragraphs(definition.paraphrase)}\n")
    out.append(quote_block(data, links, definition.quote))
    out.append("\n## Provenance\n\n")
    authors = in_author_order(data, definition.authors, definition.source)
    rows = [
        f"**Authors:** {links.many(authors)}",
        f"**Source:** {links.to(definition.source) or '—'}",
        f"**In approach:** {approach_line(data, links, definition)}",
    ]
    if definition.revision_of:
        rows.append(f"**Revises:** {links.to(definition.revision_of)}")
    revised = data.pointing(definition.id, Definition, "revision_of")
    if revised:
        rows.append(f"**Revised by:** {links.many(d.id for d in revised)}")
    similar = sorted(
        set(definition.similar_to)
        | {d.id for d in data.pointing(definition.id, Definition, "similar_to")}
    )
    if similar:
        rows.append(f"**Similar to:** {links.many(similar)}")
    out.append(bullet_list(rows))
    out.append(note_block(definition))
    return Page(path, "".join(out), definition.id, "Definition")
