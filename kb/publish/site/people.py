"""Researcher and argument pages: researcher → what they authored, endorsed and named."""

from __future__ import annotations

from kb.model.models import Approach, Argument, Definition, Quote, Researcher, Source, Verdict
from kb.publish.site.data import SiteData, page_path
from kb.publish.site.escape import md, paragraphs
from kb.publish.site.render import (
    Links,
    Page,
    base_of,
    bullet_list,
    entity_header,
    evidence_blocks,
    in_reading_order,
    note_block,
    quote_block,
    unverified,
)


def _work(links: Links, source: Source) -> str:
    """A work in a list of someone's works: its title and year, marked as its data is."""
    year = md(source.date[:4]) if source.date else "n.d."
    if "date" in source.unverified_fields:
        year += " " + unverified("date unverified")
    marks = " " + unverified("unidentified source") if source.unidentified else ""
    return f"{links.to(source.id)} ({year}){marks}"


def researcher_page(data: SiteData, person: Researcher) -> Page:
    path = page_path("researcher", person.id)
    links = Links(data, base_of(path))
    out = [entity_header(data, path, person)]
    if person.note:  # who they are in the debate: the lead, not a box under it
        out.append("\n" + paragraphs(person.note) + "\n")
    if person.alternate_names:
        out.append("\n**Also written:** " + "; ".join(md(n) for n in person.alternate_names) + "\n")
    if person.forum_username:
        out.append(f"\n**Forum user name:** {md(person.forum_username)}\n")
    works = sorted(
        data.pointing(person.id, Source, "authors"), key=lambda s: (s.date or "~", s.label)
    )
    if works:
        out.append("\n## Authored\n\n")
        out.append(bullet_list([_work(links, w) for w in works], "sources"))
    sections = [
        (
            "Definitions",
            [d.id for d in data.pointing(person.id, Definition, "authors")],
            "definitions",
        ),
        (
            "Endorses",
            [a.id for a in data.pointing(person.id, Approach, "endorsed_by")],
            "approaches",
        ),
        ("Named", [a.id for a in data.pointing(person.id, Approach, "named_by")], "approaches"),
        (
            "Put forward a similar definition to",
            [a.id for a in data.pointing(person.id, Approach, "similar_definition_by")],
            "approaches",
        ),
        (
            "Verdicts asserted",
            [v.id for v in data.pointing(person.id, Verdict, "asserted_by")],
            "verdicts",
        ),
        (
            "Arguments",
            [a.id for a in data.pointing(person.id, Argument, "authors")],
            "arguments",
        ),
        (
            "Quoted words",
            [q.id for q in in_reading_order(data, data.pointing(person.id, Quote, "speakers"))],
            "quotes",
        ),
    ]
    for heading, ids, what in sections:  # each a list of links
        if ids:
            out.append(f"\n## {heading}\n\n")
            out.append(bullet_list([links.to(i) for i in ids], what))
    return Page(path, "".join(out), person.id, "Researcher")


def argument_page(data: SiteData, argument: Argument) -> Page:
    path = page_path("argument", argument.id)
    links = Links(data, base_of(path))
    out = [entity_header(data, path, argument)]
    out.append(f"\n{paragraphs(argument.description)}\n\n")
    out.append(
        bullet_list(
            [
                f"**By:** {links.many(argument.authors)}",
                f"**Supports:** {links.many(argument.supports)}",
                f"**Opposes:** {links.many(argument.opposes)}",
                f"**Sources:** {links.many(argument.sources)}",
            ]
        )
    )
    out.append(quote_block(data, links, argument.quote))
    if argument.evidence:
        out.append("\n## Evidence\n")
        out.append(evidence_blocks(data, links, argument.evidence))
    out.append(note_block(argument))
    return Page(path, "".join(out), argument.id, "Argument")
