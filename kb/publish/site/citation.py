"""Citations in one standard style, Chicago author-date (*The Chicago Manual of Style*,
17th edition, chapter 15), and BibTeX entries: for the works the KB cites and for its pages.

Built only from recorded fields: a missing author, date or URL is left out (a missing year
reads "n.d.", as the style asks), never guessed, and a field the data marks unverified
carries a visible mark. Titles are given as the works give them (the style's headline
capitalisation would change words the KB only records). A reference is a list of
:class:`Element` values so that each page module renders it with its own marks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from kb import __version__
from kb.model.models import Researcher, Source
from kb.model.vocab import iri
from kb.publish.publication import CREATOR
from kb.publish.site.data import SiteData
from kb.publish.site.escape import external_link, html_text, md, squash

#: The style's name, as the site names it to readers.
STYLE = "Chicago author-date"
#: The site's name in citations (as ``site_name`` in mkdocs.yml).
SITE_NAME = "Inner alignment KB"
#: Chicago lists up to ten authors; past that, the first seven and "et al.".
_MOST_AUTHORS, _FIRST_AUTHORS = 10, 7

#: Work types that stand alone (a title in italics; the others' titles are quoted).
_STAND_ALONE = ("sequence",)
#: Work types whose publisher is a repository or a publisher (roman), not a periodical.
_ROMAN_PUBLISHER = ("paper", "sequence")

_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


@dataclass(frozen=True)
class Element:
    """One part of a reference: its text, how it is set, an optional link, an optional
    mark (for example "date unverified") and what ends it (a period, or a comma before a
    date that belongs to it)."""

    text: str
    style: Literal["plain", "italic", "quoted"] = "plain"
    href: str | None = None
    mark: str | None = None
    #: The text is Markdown already (a page heading), not KB text to escape.
    markdown: bool = False
    end: str = "."


def is_organisation(name: str) -> bool:
    """A name containing the word "and" names an organisation: kept whole, never inverted
    or split into authors."""
    return re.search(r"\band\b", name, re.IGNORECASE) is not None


def inverted(name: str) -> str:
    """A person's name family name first ("Hubinger, Evan"), split as BibTeX splits
    "First von Last": the last word and the lower-case words before it ("van Merwijk,
    Chris"). A one-word name, an organisation or a name with a comma of its own (already
    inverted, or with a suffix) stays as written."""
    words = name.split()
    if len(words) < 2 or is_organisation(name) or "," in name:
        return " ".join(words)
    start = len(words) - 1
    while start > 1 and words[start - 1][:1].islower():
        start -= 1
    return f"{' '.join(words[start:])}, {' '.join(words[:start])}"


def family_key(name: str) -> str:
    """The name's sorting key: the family name first, case folded."""
    return inverted(name).casefold()


def author_names(data: SiteData, source: Source) -> list[str]:
    """The source's authors as written (an id the KB lacks shows as the id)."""
    names = []
    for author in source.authors:
        person = data.get(author)
        names.append(person.display_label if isinstance(person, Researcher) else author)
    return names


def author_list(names: Sequence[str]) -> str:
    """Authors in the style's order: the first inverted, "and" before the last; past ten,
    the first seven and "et al."."""
    if len(names) > _MOST_AUTHORS:
        return ", ".join([inverted(names[0]), *names[1:_FIRST_AUTHORS]]) + ", et al"
    first, rest = inverted(names[0]), list(names[1:])
    if not rest:
        return first
    if len(rest) == 1:
        return f"{first}, and {rest[0]}" if "," in first else f"{first} and {rest[0]}"
    return ", ".join([first, *rest[:-1]]) + f", and {rest[-1]}"


def long_date(date: str) -> str | None:
    """An ISO date as the style writes it in a container ("June 5, 2019", "May 2021");
    None for a year alone (the year is already in the reference)."""
    parts = date.split("-")
    if len(parts) == 3:
        return f"{_MONTHS[int(parts[1]) - 1]} {int(parts[2])}, {parts[0]}"
    if len(parts) == 2:
        return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return None


_ARXIV = re.compile(r"^arXiv:(\d{4}\.\d{4,5}(v\d+)?)$", re.IGNORECASE)


def identifier_link(value: str) -> str | None:
    """The page an identifier names, when its scheme says so (an arXiv id's abstract)."""
    found = _ARXIV.match(value.strip())
    return f"https://arxiv.org/abs/{found[1]}" if found else None


def _nested(title: str) -> str:
    """A title inside double quotes: its own double quotes become single ones."""
    return title.translate(str.maketrans('\u201c\u201d"', "\u2018\u2019'"))


def reference(data: SiteData, source: Source, suffix: str = "") -> list[Element]:
    """The source's entry in a Chicago author-date reference list; ``suffix`` tells apart
    works of the same authors and year ("2020a", "n.d.-b"; see :func:`year_suffixes`).

    A work the essay cites without identifying it has a description, not a title: shown
    as the style shows descriptions, neither quoted nor italic, and marked unidentified.
    """
    unverified = set(source.unverified_fields)

    def mark(field: str) -> str | None:
        return f"{field} unverified" if field in unverified else None

    names = author_names(data, source)
    year = Element(
        source.date[:4] + suffix if source.date else "n.d." + ("-" + suffix if suffix else ""),
        mark=mark("date"),
    )
    if source.unidentified:
        title = Element(source.label, mark="unidentified source")
    elif source.work_type in _STAND_ALONE:
        title = Element(source.label, "italic", mark=mark("title"))
    else:
        title = Element(_nested(source.label), "quoted", mark=mark("title"))
    out = (
        [Element(author_list(names), mark=mark("authors")), year, title] if names else [title, year]
    )
    parent = data.get(source.part_of) if source.part_of else None
    if isinstance(parent, Source):
        within = f"In *{md(parent.label)}*"
        out.append(Element(within, mark=mark("part_of"), markdown=True))
    if source.publisher:
        # journals, forums and podcasts are set in italics; a repository or the publisher
        # of a stand-alone work in roman
        roman = source.work_type in _ROMAN_PUBLISHER
        out.append(
            Element(source.publisher, "plain" if roman else "italic", mark=mark("publisher"))
        )
    if source.work_type == "podcast-episode":
        out.append(Element("Podcast episode"))
    if source.date and (when := long_date(source.date)):
        if source.publisher:  # the day belongs to its periodical: "Forum, June 5, 2019."
            out[-1] = replace(out[-1], end=",")
        out.append(Element(when, mark=mark("date")))
    if source.identifier:
        out.append(
            Element(
                source.identifier,
                href=identifier_link(source.identifier),
                mark=mark("identifier"),
            )
        )
    if source.url:
        out.append(Element(source.url, href=source.url, mark=mark("url")))
    return out


def year_suffixes(data: SiteData, sources: Sequence[Source]) -> dict[str, str]:
    """Letters that tell apart works with the same authors and year, by title: the style
    writes "2020a", "2020b" (and "n.d.-a") in the list and in citations alike."""
    groups: dict[tuple[tuple[str, ...], str], list[Source]] = {}
    for source in sources:
        key = (tuple(author_names(data, source)), (source.date or "")[:4])
        groups.setdefault(key, []).append(source)
    letters = {}
    for key, group in groups.items():
        if key[0] and len(group) > 1:
            for number, source in enumerate(sorted(group, key=_title_key)):
                letters[source.id] = _letters(number)
    return letters


def _letters(number: int) -> str:
    """0 → "a", 25 → "z", 26 → "aa": as many letters as a long run of works needs."""
    head, last = divmod(number, 26)
    return (_letters(head - 1) if head else "") + "abcdefghijklmnopqrstuvwxyz"[last]


def _title_key(source: Source) -> str:
    return source.label.casefold()


def sort_key(data: SiteData, source: Source) -> tuple[str, int, tuple[str, ...], str, str]:
    """Reference-list order: first author's family name (the title when there is no
    author); a single author's works before those with co-authors; then the co-authors,
    the year (undated works last) and the title."""
    names = author_names(data, source)
    first = family_key(names[0]) if names else source.label.casefold()
    others = tuple(name.casefold() for name in names[1:])
    return (first, len(names) > 1, others, (source.date or "~")[:4], _title_key(source))


def page_reference(heading: str, entity_id: str, updated: str | None) -> list[Element]:
    """How to cite one page of the KB, as the style cites website content: the KB's
    creator, the year its data last changed ("n.d." when the history does not say), the
    page's title (``heading``, Markdown already), the site, and the entity's permanent
    identifier."""
    out = [
        Element(CREATOR),
        Element(updated[:4] if updated else "n.d."),
        Element(heading, "quoted", markdown=True),
        Element(f"{SITE_NAME}, version {__version__}"),
    ]
    if updated and (when := long_date(updated)):
        out.append(Element("Last modified " + when))
    out.append(Element(iri(entity_id), href=iri(entity_id)))
    return out


#: Text that already ends a sentence (before any closing quotation marks).
_ENDED = re.compile("[.?!][\u201d\u2019\"')*]*$")


def markdown(elements: Sequence[Element], mark: Callable[[str], str]) -> str:
    """A reference as Markdown; ``mark`` renders a mark (the site's "unverified" badge).

    A mark goes right after what it marks, before the period; after a quoted title's
    closing quotation mark, as the style puts the period inside it.
    """
    out = []
    for element in elements:
        text = element.text if element.markdown else md(element.text)
        if element.href is not None:
            text = external_link(element.href, element.text)
        end = "" if _ENDED.search(element.text) else element.end
        badge = " " + mark(element.mark) if element.mark else ""
        if element.style == "quoted":
            text = f"\u201c{text}{end}\u201d{badge}"
        elif element.style == "italic":
            text = f"*{text}*{badge}{end}"
        else:
            text = f"{text}{badge}{end}"
        out.append(text)
    return " ".join(out)


def plain(elements: Sequence[Element]) -> str:
    """A reference as plain text (marks in brackets), for BibTeX notes and tests."""
    return html.unescape(
        markdown(
            [Element(squash(e.text), e.style, None, e.mark, e.markdown) for e in elements],
            lambda text: f"[{text}]",
        ).replace("*", "")
    )


#: The BibTeX entry type of each kind of work.
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
    """One author: an organisation's name is braced, so BibTeX keeps it whole instead of
    reading two authors (or a family name) into it."""
    value = _bib_value(name)
    return "{" + value + "}" if is_organisation(name) else value


_BIB_FORMAT = {"url": _bib_url, "eprint": _bib_url}


def _bib_date(date: str | None) -> list[tuple[str, str]]:
    if not date:
        return []
    fields = [("year", date[:4])]
    if len(date) >= 7:
        fields.append(("month", date[5:7]))
    if len(date) == 10:
        fields.append(("date", date))
    return fields


def _entry(kind: str, key: str, fields: Sequence[tuple[str, str]]) -> str:
    body = ",\n".join(
        f"  {name} = {{{value if name == 'author' else _BIB_FORMAT.get(name, _bib_value)(value)}}}"
        for name, value in fields
    )
    return f"@{kind}{{{key},\n{body}\n}}\n"


def bibtex(data: SiteData, source: Source) -> str:
    """One BibTeX entry (plain text; HTML-escape it before putting it in a page)."""
    fields: list[tuple[str, str]] = [("title", source.label)]
    names = author_names(data, source)
    if names:
        fields.append(("author", " and ".join(_bib_name(n) for n in names)))
    fields += _bib_date(source.date)
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
    return _entry(BIBTEX_TYPES.get(source.work_type, "misc"), source.id, fields)


def page_bibtex(title: str, entity_id: str, updated: str | None) -> str:
    """A BibTeX entry for one page of the KB (``title`` as plain text)."""
    fields = [
        ("title", title),
        ("author", "{" + _bib_value(CREATOR) + "}"),  # a group: one name, never split
        ("howpublished", SITE_NAME),
        *_bib_date(updated),
        ("url", iri(entity_id)),
        ("note", f"Version {__version__}"),
    ]
    return _entry("misc", f"inner-alignment-kb:{entity_id}", fields)


def bibtex_block(entry: str) -> str:
    return f'\n<pre class="kb-bibtex"><code>{html_text(entry.rstrip())}</code></pre>\n'
