"""Quotes on the site in the essay's order: the Quote index grouped by work and section, with
each work's attribution said once, and evidence lists in the order the essay gives them.

The expected orders are computed here from the data (each quote's recorded section and
``schema:position``), never written down; ``kb quotes verify`` checks the data itself."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import FIXTURES

from kb.api import KnowledgeBase
from kb.model.models import (
    Approach,
    Argument,
    Definition,
    Quote,
    Scenario,
    Source,
    Term,
    Verdict,
)
from kb.publish.site import indexes
from kb.publish.site.data import SiteData

pytestmark = pytest.mark.slow


class Outline(HTMLParser):
    """The page's article in document order: its h2/h3 headings (by text), its "quote page"
    links (a quote named in a note is not listed), and the researchers and sources it links,
    as ("h2", text), ("quote", id), ...; a source linked from a heading comes just after it."""

    def __init__(self, html: str, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.items: list[tuple[str, str]] = []
        self._heading: str | None = None
        self._text: list[str] = []
        self._linked: list[tuple[str, str]] = []
        self._article = False
        self._quote: tuple[str, list[str]] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article":
            self._article = True
        if not self._article:
            return
        if tag in ("h2", "h3"):
            self._heading, self._text = tag, []
        elif tag == "a" and (href := a.get("href") or ""):
            target = urljoin(self.url, href)
            found = re.fullmatch(r"/(quote|researcher|source)/([a-z0-9-]+)/", target)
            if found and found.group(1) == "quote":
                self._quote = (found.group(2), [])
            elif found and self._heading is None:
                self.items.append((found.group(1), found.group(2)))
            elif found and found.group(1) == "source":
                self._linked.append((found.group(1), found.group(2)))

    def handle_endtag(self, tag):
        if tag == "article":
            self._article = False
        if tag == "a" and self._quote is not None:
            quote, text = self._quote
            if "".join(text).strip() == "quote page":
                self.items.append(("quote", quote))
            self._quote = None
        if tag == self._heading:
            text = " ".join("".join(self._text).split()).removesuffix("¶").strip()
            self.items += [(tag, text), *self._linked]
            self._heading, self._linked = None, []

    def handle_data(self, data):
        if self._quote is not None:
            self._quote[1].append(data)
        if self._heading is not None:
            self._text.append(data)


def page(site: Path, path: str) -> list[tuple[str, str]]:
    return Outline((site / path / "index.html").read_text(encoding="utf-8"), f"/{path}/").items


def primary(k: KnowledgeBase) -> Source:
    return next(s for s in k.all(Source) if s.primary)


def essay_order(quotes: list[Quote]) -> list[Quote]:
    return sorted(quotes, key=lambda q: (q.position is None, q.position or 0, q.id))


def test_quote_index_groups_by_work_then_essay_section(built_site, k):
    essay = primary(k)
    items = page(built_site, "quote")
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for kind, value in items:
        if kind == "h2":
            groups.append((value, []))
        elif groups:
            groups[-1][1].append((kind, value))
    quotes = k.all(Quote)
    listed = [v for _, group in groups for kind, v in group if kind == "quote"]
    assert sorted(listed) == sorted(q.id for q in quotes), "each quote listed once"

    def source_of(group: list[tuple[str, str]]) -> Source:
        return k.get(next(v for kind, v in group if kind == "source"), Source)

    title, own = groups[0]
    assert source_of(own) == essay and title == essay.label, "the essay's own words first"
    mine = essay_order([q for q in quotes if q.source == essay.id])
    assert [v for kind, v in own if kind == "quote"] == [q.id for q in mine]
    sections = list(dict.fromkeys(q.section for q in mine))
    shown = [v for kind, v in own if kind == "h3"]
    expected = ["Opening" if s == essay.label else s for s in sections]
    assert shown == expected, "sections in the essay's order"
    assert len(shown) >= 10
    speakers = [v for kind, v in own if kind == "researcher"]
    assert speakers == sorted({p for q in mine for p in q.speakers}), "said once per work"

    # Other works follow, each where the essay first quotes it, their words in its order.
    works = [source_of(group) for _, group in groups[1:]]
    assert len(works) >= 4

    def first_place(work: Source) -> int:
        return min(q.position or 0 for q in quotes if q.source == work.id)

    assert works == sorted(works, key=first_place)
    for work, (_, group) in zip(works, groups[1:], strict=True):
        theirs = essay_order([q for q in quotes if q.source == work.id])
        assert [v for kind, v in group if kind == "quote"] == [q.id for q in theirs], work.id
        assert all(h.startswith("Quoted in ") for kind, h in group if kind == "h3"), work.id


def evidence_links(site: Path, path: str) -> list[str]:
    items = page(site, path)
    start = items.index(("h2", "Evidence"))
    end = next((i for i in range(start + 1, len(items)) if items[i][0] == "h2"), len(items))
    return [v for kind, v in items[start:end] if kind == "quote"]


def test_evidence_lists_follow_the_essay(built_site, k):
    checked = 0
    for kind, folder in ((Scenario, "scenario"), (Approach, "approach"), (Argument, "argument")):
        for entity in k.all(kind):
            if len(entity.evidence) < 2:
                continue
            quotes = [k.get(i, Quote) for i in entity.evidence]
            expected = [q.id for q in essay_order(quotes)]
            assert evidence_links(built_site, f"{folder}/{entity.id}") == expected, entity.id
            checked += 1
    for verdict in k.all(Verdict):
        if verdict.basis == "stated" and len(verdict.evidence) > 1:
            quotes = [k.get(i, Quote) for i in verdict.evidence]
            found = evidence_links(built_site, f"verdict/{verdict.id}")
            assert found == [q.id for q in essay_order(quotes)], verdict.id
            checked += 1
    assert checked >= 20
    example = (built_site / "scenario" / "example-3" / "index.html").read_text(encoding="utf-8")
    evidence = example[example.index('id="evidence"') :]
    assert evidence.count("All from") == 1, "the shared attribution is said once"
    assert "researcher/rauno-arike/" in evidence.split("<blockquote>", 1)[0]
    assert "rauno-arike" not in evidence.split("<blockquote>", 1)[1].split("</article>")[0]


@pytest.fixture
def small_site_data(tmp_path: Path, kb_cli) -> SiteData:
    """The small quotes KB, placed against its essay, as the site generator reads it."""
    folder = tmp_path / "kb"
    folder.mkdir()
    shutil.copy(FIXTURES / "quotes" / "kb.ttl", folder / "kb.ttl")
    essay = FIXTURES / "quotes" / "essay.txt"
    placed = kb_cli("quotes", "place", "--kb", str(folder), "--source", str(essay))
    assert placed.returncode == 0, placed.stdout + placed.stderr
    return SiteData.load([folder])


def test_quote_index_markdown_for_other_works(small_site_data):
    """Words of a work the essay does not quote keep a stable order (by id) after those it
    does, each group under its own section heading."""
    data = small_site_data
    (index,) = indexes.kind_index(data, Quote)
    headings = re.findall(r"^(##+) (.*)$", index.body, re.M)
    essay = next(s for s in data.all(Source) if s.primary)
    book = next(s for s in data.all(Source) if not s.primary)
    assert [h for level, h in headings if level == "##"] == [
        f"[{essay.label}](../source/{essay.id}.md)",
        f"[{book.label}](../source/{book.id}.md)",
    ]
    own = [q for q in data.all(Quote) if q.source == essay.id]
    sections = list(dict.fromkeys(q.section for q in essay_order(own)))
    book_quotes = [q for q in data.all(Quote) if q.source == book.id]
    quoted = [q for q in book_quotes if q.quoted_in]
    unquoted = sorted((q for q in book_quotes if not q.quoted_in), key=lambda q: q.id)
    expected = [
        *("Opening" if s == essay.label else s for s in sections),
        *(f"Quoted in {q.section}" for q in quoted),
        *dict.fromkeys(str(q.locator)[:1].upper() + str(q.locator)[1:] for q in unquoted),
    ]
    assert [h for level, h in headings if level == "###"] == expected
    order = re.findall(r"\(\.\./quote/([a-z0-9-]+)\.md\)", index.body)
    assert order == [q.id for q in essay_order(own)] + [q.id for q in quoted + unquoted]
    assert index.body.count("(../researcher/author.md)") == 1, "attribution once per work"


def test_a_terms_definitions_follow_the_essays_quotes(built_site, k):
    """Definitions the essay quotes come in the order it quotes them, the others after."""
    checked = 0
    for term in k.all(Term):
        definitions = [d for d in k.all(Definition) if d.defines == term.id]
        if len(definitions) < 2:
            continue
        quoted = sorted(
            (d for d in definitions if d.quote),
            key=lambda d: (k.get(d.quote or "", Quote).position, d.id),
        )
        others = sorted((d for d in definitions if not d.quote), key=lambda d: d.id)
        shown = [v for kind, v in page(built_site, f"term/{term.id}") if kind == "h3"]
        assert shown == [d.label for d in quoted + others], term.id
        checked += 1
    assert checked >= 1


def test_a_quote_page_does_not_link_to_itself(built_site, k):
    for quote in k.all(Quote):
        url = f"/quote/{quote.id}/"
        html = (built_site / "quote" / quote.id / "index.html").read_text(encoding="utf-8")
        article = html[html.index("<article") : html.index("</article>")]
        hrefs = re.findall(r'href="([^"]*)"', article)
        assert hrefs, quote.id
        assert url not in {urljoin(url, h) for h in hrefs if not h.startswith("#")}, quote.id
