"""Source and quote pages, BibTeX and the bibliography: every quote shows where it is from."""

from __future__ import annotations

from kb.model.models import (
    Approach,
    Argument,
    DecompositionPart,
    Definition,
    Quote,
    Scenario,
    Source,
    Verdict,
)
from kb.publish.site.citation import (
    STYLE,
    bibtex,
    bibtex_block,
    identifier_link,
    reference,
    sort_key,
    year_suffixes,
)
from kb.publish.site.citation import markdown as cited
from kb.publish.site.data import SiteData, page_path
from kb.publish.site.escape import external_link, md
from kb.publish.site.render import (
    Links,
    Page,
    base_of,
    bullet_list,
    data_url,
    entity_header,
    header,
    in_reading_order,
    note_block,
    quote_block,
    table,
    unverified,
)


def identifier(value: str | None) -> str:
    """A source's identifier; one whose scheme names a page (arXiv) links to it."""
    if not value:
        return "—"
    target = identifier_link(value)
    return external_link(target, value.strip()) if target else md(value)


def _field(source: Source, name: str, value: str) -> str:
    return value + (" " + unverified() if name in source.unverified_fields else "")


def source_page(data: SiteData, source: Source) -> Page:
    path = page_path("source", source.id)
    links = Links(data, base_of(path))
    # the work as a reference list gives it, first; its fields in detail follow
    out = [entity_header(data, path, source), "\n" + _reference_block(data, source)]
    if source.unidentified:
        out.append(
            f"\n{unverified('unidentified source')} The essay cites this work, but which "
            "work it is is not known.\n"
        )
    if source.primary:
        out.append(
            "\n**Primary source:** the essay this KB is built from; its quotes are checked "
            "verbatim against it.\n"
        )
    rows = [
        ["Title", _field(source, "title", md(source.label))],
        ["Type", md(source.work_type)],
        ["Authors", _field(source, "authors", links.many(source.authors))],
        ["Date", _field(source, "date", md(source.date or "—"))],
        ["Publisher", _field(source, "publisher", md(source.publisher or "—"))],
        ["Identifier", _field(source, "identifier", identifier(source.identifier))],
        ["URL", _field(source, "url", external_link(source.url) if source.url else "—")],
    ]
    if source.part_of:
        rows.append(["Part of", _field(source, "part_of", links.to(source.part_of))])
    parts = data.pointing(source.id, Source, "part_of")
    if parts:
        rows.append(["Parts", links.many(p.id for p in parts)])
    out.append("\n" + table(["Field", "Value"], rows))
    if source.unverified_fields:
        out.append(
            f"\nFields marked {unverified()} are believed but not checked against the work.\n"
        )
    out.append(note_block(source))
    bib = data_url(path, source.id, "bib")
    out.append(
        f"\n## Cite\n\nThe reference at the top of this page is in the {STYLE} style "
        f"(see the [bibliography]({base_of(path)}bibliography.md)).\n\n"
        f'BibTeX (<a href="{bib}">download</a>):\n' + bibtex_block(bibtex(data, source))
    )
    quotes = in_reading_order(data, data.pointing(source.id, Quote, "source"))
    if quotes:
        out.append("\n## Quotes from this work\n\n")
        out.append(bullet_list([links.to(q.id) for q in quotes], "quotes"))
    quoted_in = in_reading_order(data, data.pointing(source.id, Quote, "quoted_in"))
    if quoted_in:
        out.append("\n## Quotes of other works taken from this one\n\n")
        out.append(bullet_list([links.to(q.id) for q in quoted_in], "quotes"))
    users = [
        *data.pointing(source.id, Definition, "source"),
        *data.pointing(source.id, Scenario, "source"),
        *data.pointing(source.id, Argument, "sources"),
        *data.pointing(source.id, Approach, "named_in"),
    ]
    if users:
        out.append("\n## Cited by\n\n")
        out.append(bullet_list([links.to(e.id) for e in users]))
    return Page(path, "".join(out), source.id, "Source")


def quote_page(data: SiteData, quote: Quote) -> Page:
    path = page_path("quote", quote.id)
    links = Links(data, base_of(path))
    source = data.get(quote.source)
    # the H1 names where the words are from; the words themselves follow in full
    where = source.display_label if isinstance(source, Source) else quote.source
    heading = header(data, path, "Quote", quote.id, f"Quote from {where}")
    out = [heading, quote_block(data, links, quote.id, on_its_page=True)]
    checked = isinstance(source, Source) and source.primary
    via = data.get(quote.quoted_in) if quote.quoted_in else None
    if checked:
        out.append("\nChecked verbatim against the essay this KB is built from.\n")
    elif isinstance(via, Source) and via.primary:
        out.append(
            "\nTaken from the essay, which quotes this work; checked verbatim against the "
            "essay, not against the work itself.\n"
        )
    else:
        out.append(f"\n{unverified()} Not checked against the work it comes from.\n")
    users = [
        *data.pointing(quote.id, Definition, "quote"),
        *data.pointing(quote.id, DecompositionPart, "quote"),
        *data.pointing(quote.id, Approach, "evidence"),
        *data.pointing(quote.id, Scenario, "evidence"),
        *data.pointing(quote.id, Verdict, "evidence"),
        *data.pointing(quote.id, Argument, "quote"),
    ]
    out.append("\n## Used as evidence by\n\n")
    out.append(bullet_list([links.to(e.id) for e in users]))
    out.append(note_block(quote))
    # Each quote is also on the pages that cite it, where search finds it in context; kept
    # out of the search index, which every page's first view downloads.
    return Page(path, "".join(out), quote.id, "Quote", (("search", "\n  exclude: true"),))


def _reference_block(data: SiteData, source: Source) -> str:
    letter = year_suffixes(data, data.all(Source)).get(source.id, "")
    text = cited(reference(data, source, letter), unverified)
    return f'<p class="kb-reference" markdown>{text}</p>\n'


def bibliography(data: SiteData) -> tuple[Page, str]:
    """The bibliography page, in the site's citation style, and the whole-KB ``.bib``
    file. Works the essay cites without identifying them are listed apart: what the KB
    holds for them is a description, not a reference."""
    path = "bibliography.md"
    links = Links(data, "")
    sources = sorted(data.all(Source), key=lambda s: sort_key(data, s))
    letters = year_suffixes(data, sources)

    def entry(source: Source) -> str:
        text = cited(reference(data, source, letters.get(source.id, "")), unverified)
        return f"{text} ({links.to(source.id, 'source page')})"

    known = [entry(s) for s in sources if not s.unidentified]
    unknown = [entry(s) for s in sources if s.unidentified]
    body = (
        "# Bibliography\n\n"
        f"Every work the KB cites, in the {STYLE} style (*The Chicago Manual of Style*, "
        "17th edition), sorted by first author. Only what the KB records is given: a work "
        'without a recorded date reads "n.d.", and a field not checked against the work '
        f"itself is marked {unverified()}. Titles are as the works give them. Each source "
        "page has its BibTeX entry; all of them are in "
        "[bibliography.bib](bibliography.bib).\n\n" + bullet_list(known, "sources", limit=2000)
    )
    if unknown:
        body += (
            "\n## Cited but not identified\n\n"
            "The essay refers to these works without saying which they are. Each is given "
            "by what the KB knows of it: its author where the essay names one, and a "
            "description in place of a title.\n\n" + bullet_list(unknown, "sources", limit=2000)
        )
    whole = "".join(bibtex(data, s) + "\n" for s in sources)
    return Page(path, body), whole
