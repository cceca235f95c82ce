"""Citations on the built site: the bibliography and every page's "Cite as" text in the
Chicago author-date style, built from the data alone, read back structurally and by a
BibTeX parser; unverified fields stay visibly marked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import HOSTILE_KB, ROOT
from pybtex.database import Person, parse_string

from kb.model.models import Researcher, Source
from kb.model.vocab import iri
from kb.publish.publication import CREATOR
from kb.publish.site.citation import STYLE, inverted, long_date, plain, reference
from kb.publish.site.data import SiteData
from kb.publish.site.escape import squash

pytestmark = pytest.mark.slow


@dataclass
class Item:
    """One element's text, links, marks and italic runs."""

    text: list[str] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    italic: list[str] = field(default_factory=list)

    @property
    def plain(self) -> str:
        return " ".join("".join(self.text).split())


class Parts(HTMLParser):
    """The bibliography's list items, and a page's H1, "Cite as" text and BibTeX blocks."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.items: list[Item] = []
        self.h1 = Item()
        self.cite = Item()
        self.bibtex: list[str] = []
        self._open: list[tuple[str, Item | None]] = []
        self._stack: list[str] = []
        self.feed(text)

    def _current(self) -> list[Item]:
        return [item for _, item in self._open if item is not None]

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        item = None
        if tag == "li" and "md-nav__item" not in classes:
            item = Item()
            self.items.append(item)
        elif tag == "h1":
            item = self.h1
        elif tag == "span" and "kb-reference" in classes:
            item = self.cite
        elif tag == "pre" and "kb-bibtex" in classes:
            self.bibtex.append("")
        self._open.append((tag, item))
        self._stack.append(" ".join(classes))
        for open_item in self._current():
            if tag == "a" and "href" in a:
                open_item.hrefs.append(a["href"])

    def handle_endtag(self, tag):
        while self._open:
            self._stack.pop()
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for open_item in self._current():
            open_item.text.append(data)
            if "kb-unverified" in self._stack[-1]:
                open_item.marks.append(data.strip())
            if any(t == "em" for t, _ in self._open):
                open_item.italic.append(data)
        if any(t == "pre" for t, _ in self._open) and self.bibtex:
            self.bibtex[-1] += data


def bibliography_items(site: Path) -> dict[str, Item]:
    """Each source's bibliography entry, by the source id its "source page" link names."""
    html = (site / "bibliography" / "index.html").read_text(encoding="utf-8")
    out = {}
    for item in Parts(html).items:
        pages = [h for h in item.hrefs if h.startswith("../source/")]
        if pages:
            out[pages[-1].split("/")[2]] = item
    return out


def family_first(name: str) -> str:
    """The name as pybtex's BibTeX name parser splits it, family name first."""
    person = Person(name)
    family = " ".join(person.prelast_names + person.last_names)
    given = " ".join(person.first_names + person.middle_names)
    return f"{family}, {given}" if given else family


def test_names_invert_as_a_bibtex_parser_splits_them():
    for paths in (None, [HOSTILE_KB]):
        data = SiteData.load(paths)
        for person in data.all(Researcher):
            name = squash(person.display_label)
            assert sorted(inverted(name).replace(",", "").split()) == sorted(
                name.replace(",", "").split()
            )  # every word kept
            if re.search(r"\band\b|,", name):  # an organisation, or inverted already
                assert inverted(name) == name
            elif not re.search(r"[{}\\]", name):  # BibTeX syntax aside
                assert inverted(name) == family_first(name), name


def test_bibliography_entries_follow_the_style_from_the_data_alone(built_site):
    data = SiteData.load()
    items = bibliography_items(built_site)
    sources = data.all(Source)
    assert set(items) == {s.id for s in sources}
    for source in sources:
        item, text = items[source.id], items[source.id].plain
        names = [data.get(a).display_label for a in source.authors]
        year = source.date[:4] if source.date else "n.d."
        title = squash(source.label).translate(str.maketrans("\u201c\u201d", "\u2018\u2019"))
        # author(s), year (or n.d.), title in the style's order, once the marks are set aside
        unmarked = text
        for mark in item.marks:
            unmarked = unmarked.replace(" " + mark, "")
        year_token = rf"{re.escape(year)}(-?[a-z])?\.?"
        title_token = rf"\u201c?{re.escape(title)}"
        if names:
            start = re.escape(family_first(names[0]))
            assert re.match(rf"{start}.*?\. {year_token} {title_token}", unmarked), text
            positions = [text.index(n if i else family_first(n)) for i, n in enumerate(names)]
            assert positions == sorted(positions), text
        else:
            assert re.match(rf"{title_token}\.?\u201d? {year_token}( |$)", unmarked), text
        # a stand-alone work's title in italics, another's quoted; a description neither
        if source.unidentified:
            assert "“" + title not in text and title not in "".join(item.italic)
        elif source.work_type == "sequence":
            assert title in "".join(item.italic)
        else:
            assert "“" + title in text
        # nothing the data does not hold: every year printed is the source's, every link
        # its URL, the page its identifier names, or its source page
        rest = text.replace(title, "")
        for value in (source.url, source.identifier):
            rest = rest.replace(value or "\0", "")
        assert set(re.findall(r"\b(?:19|20)\d\d\b", rest)) <= {year}, text
        if source.date and long_date(source.date):
            assert long_date(source.date) in text
        for href in item.hrefs:
            assert href in (source.url, f"../source/{source.id}/") or (
                source.identifier and href.endswith(source.identifier.split(":")[-1])
            ), href
        if source.url:
            assert source.url in item.hrefs
        # unverified fields stay visibly marked; nothing else is
        expected = [f"{f} unverified" for f in source.unverified_fields]
        if source.unidentified:
            expected.append("unidentified source")
        assert set(item.marks) == set(expected), (source.id, item.marks)


def test_bibliography_is_sorted_and_names_its_style(built_site):
    data = SiteData.load()
    html = (built_site / "bibliography" / "index.html").read_text(encoding="utf-8")
    assert f"in the {STYLE} style" in " ".join(unescape(html).split())
    items = bibliography_items(built_site)
    for section in (False, True):
        keys = []
        for source_id in items:
            source = data.get(source_id)
            assert isinstance(source, Source)
            if source.unidentified is section:
                name = data.get(source.authors[0]) if source.authors else None
                keys.append(family_first(name.display_label) if name else source.label)
        assert [k.casefold().lstrip("“") for k in keys] == sorted(
            k.casefold().lstrip("“") for k in keys
        )
    assert STYLE in (ROOT / "site" / "docs" / "guide.md").read_text(encoding="utf-8")


def test_the_cite_page_gives_the_essay_as_the_bibliography_does():
    data = SiteData.load()
    essay = next(s for s in data.all(Source) if s.primary)
    cite = " ".join((ROOT / "site" / "docs" / "cite.md").read_text(encoding="utf-8").split())
    expected = plain(reference(data, essay)).replace(essay.url or "", f"<{essay.url}>")
    assert expected in cite.replace("> ", "").replace("*", "")


def test_every_entity_page_cites_itself_in_the_style_and_in_bibtex(built_site):
    pages = 0
    for html_file in built_site.rglob("index.html"):
        html = html_file.read_text(encoding="utf-8")
        if "kb-reference" not in html or "kb-data" not in html:
            continue
        parts = Parts(html)
        if not parts.cite.text:
            continue
        pages += 1
        title, cite = parts.h1.plain.rstrip("¶").strip(), parts.cite.plain
        updated = re.search(r"Last updated</strong> (\d{4}-\d\d-\d\d)", unescape(html))
        year = updated[1][:4] + "." if updated else "n.d."
        assert cite.startswith(f"{CREATOR}. {year} “{title}"), (html_file, cite)
        entity_id = html_file.parent.name
        assert cite.endswith(iri(entity_id) + "."), cite
        entry = parse_string(parts.bibtex[-1], "bibtex")
        (key,) = entry.entries
        bib = entry.entries[key]
        assert key == f"inner-alignment-kb:{entity_id}"
        assert [str(p) for p in bib.persons["author"]] == ["{" + CREATOR + "}"]
        assert bib.fields["url"] == iri(entity_id)
        if updated:
            assert bib.fields["year"] == updated[1][:4]
        else:
            assert "year" not in bib.fields
    assert pages > 200
