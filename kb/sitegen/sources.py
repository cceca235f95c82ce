"""Source and quote pages, BibTeX and the bibliography: every quote shows where it is from."""

from __future__ import annotations

import re

from kb.models import (
    Approach,
    Argument,
    DecompositionPart,
    Definition,
    Quote,
    Researcher,
    Scenario,
    Source,
    Verdict,
)
from kb.sitegen.data import SiteData, page_path
from kb.sitegen.escape import external_link, html_text, md, squash
from kb.sitegen.render import (
    Links,
    Page,
    base_of,
    bullet_list,
    data_url,
    entity_header,
    header,
    note_block,
    quote_block,
    table,
    unverified,
)

BIBTEX_TYPES = {
    "paper": "article",
    "forum-post": "online",
    "comment": "online",
    "sequence": "online",
    "sequence-section": "online",
    "podcast-episode": "misc",
}


#: LaTeX's special characters in text, as commands that print them.
_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIB_PATTERN = re.compile("|".join(re.escape(c) for c in _BIB_SPECIAL))


def _bib_value(text: str) -> str:
    """A BibTeX text field: one line, every LaTeX special character printed as itself."""
    flat = squash(text)
    return _BIB_PATTERN.sub(lambda m: _BIB_SPECIAL[m.group(0)], flat)


def _bib_url(text: str) -> str:
    """A URL field: kept as typed (the url package prints it verbatim) but for braces,
    which would end the field, and whitespace, percent-encoded."""
    flat = squash(text)
    return flat.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def _bib_name(name: str) -> str:
    """One author: a name that contains " and " (an organisation) is braced, so BibTeX
    keeps it whole instead of reading two authors."""
    value = _bib_value(name)
    return "{" + value + "}" if re.search(r"\band\b", value, re.IGNORECASE) else value


_BIB_FORMAT = {"url": _bib_url, "eprint": _bib_url}


def bibtex(data: SiteData, source: Source) -> str:
    """One BibTeX entry (plain text; HTML-escape it before putting it in a page)."""
    fields: list[tuple[str, str]] = [("title", source.label)]
    names = []
    for author in source.authors:
        person = data.get(author)
        names.append(person.display_label if isinstance(person, Researcher) else author)
    if names:
        fields.append(("author", " and ".join(_bib_name(n) for n in names)))
    if source.date:
        fields.append(("year", source.date[:4]))
        if len(source.date) >= 7:
            fields.append(("month", source.date[5:7]))
        if len(source.date) == 10:
            fields.append(("date", source.date))
    if source.publisher:
        key = "journal" if source.work_type == "paper" else "publisher"
        fields.append((key, source.publisher))
    if source.identifier:
        if source.identifier.lower().startswith("arxiv:"):
            fields += [("eprint", source.identifier[6:]), ("archiveprefix", "arXiv")]
        else:
            fields.append(("note", source.identifier))
    if source.url:
        fields.append(("url", source.url))
    notes = []
    if source.unidentified:
        notes.append("unidentified: which work the essay cites is not known")
    if source.unverified_fields:
        notes.append("unverified fields: " + ", ".join(source.unverified_fields))
    if notes:
        fields.append(("annote", "; ".join(notes)))
    kind = BIBTEX_TYPES.get(source.work_type, "misc")
    body = ",\n".join(
        f"  {name} = {{{value if name == 'author' else _BIB_FORMAT.get(name, _bib_value)(value)}}}"
        for name, value in fields
    )
    return f"@{kind}{{{source.id},\n{body}\n}}\n"


def bibtex_block(entry: str) -> str:
    return f'\n<pre class="kb-bibtex"><code>{html_text(entry.rstrip())}</code></pre>\n'


_ARXIV = re.compile(r"^arXiv:(\d{4}\.\d{4,5}(v\d+)?)$", re.IGNORECASE)


def identifier(value: str | None) -> str:
    """A source's identifier; an arXiv identifier links to its abstract page."""
    if not value:
        return "—"
    found = _ARXIV.match(value.strip())
    if found:
        return external_link(f"https://arxiv.org/abs/{found[1]}", value.strip())
    return md(value)


def _field(source: Source, name: str, value: str) -> str:
    return value + (" " + unverified() if name in source.unverified_fields else "")


def source_page(data: SiteData, source: Source) -> Page:
    path = page_path("source", source.id)
    links = Links(data, base_of(path))
    out = [entity_header(data, path, source)]
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
        f'\n## Cite\n\nBibTeX (<a href="{bib}">download</a>):\n'
        + bibtex_block(bibtex(data, source))
    )
    quotes = data.pointing(source.id, Quote, "source")
    if quotes:
        out.append("\n## Quotes from this work\n\n")
        out.append(bullet_list([links.to(q.id) for q in quotes], "quotes"))
    quoted_in = data.pointing(source.id, Quote, "quoted_in")
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
    out = [heading, quote_block(data, links, quote.id)]
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


def _sort_key(data: SiteData, source: Source) -> tuple[str, str, str]:
    first = data.get(source.authors[0]) if source.authors else None
    name = first.display_label if first is not None else "~"
    return (name.split()[-1].lower() if name.split() else "~", source.date or "", source.label)


def bibliography(data: SiteData) -> tuple[Page, str]:
    """The bibliography page and the whole-KB ``.bib`` file."""
    path = "bibliography.md"
    links = Links(data, "")
    sources = sorted(data.all(Source), key=lambda s: _sort_key(data, s))
    items = []
    for source in sources:
        authors = links.many(source.authors, empty="author unknown")
        marks = []
        if source.unidentified:
            marks.append(unverified("unidentified source"))
        if source.unverified_fields:
            marks.append(unverified("some fields unverified"))
        date = f" ({md(source.date)})" if source.date else ""
        publisher = f" {md(source.publisher)}." if source.publisher else ""
        items.append(f"{authors}{date}. {links.to(source.id)}.{publisher} {' '.join(marks)}")
    body = (
        "# Bibliography\n\nEvery work the KB cites, sorted by first author. Each source page "
        "has its BibTeX entry; all of them are in [bibliography.bib](bibliography.bib).\n\n"
        + bullet_list(items, "sources", limit=2000)
    )
    whole = "".join(bibtex(data, s) + "\n" for s in sources)
    return Page(path, body), whole
