"""The site of the bundled KB: a strict build, every page type reached from home, links,
data files, cookbook, citations, search index and navigation size."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import pyoxigraph as ox
import pytest

from kb import KnowledgeBase
from kb.models import KINDS, Source, Term
from kb.questions import registry
from kb.sitegen.data import FOLDERS
from kb.vocab import iri

pytestmark = pytest.mark.slow


class Page(HTMLParser):
    """The parts of a built page the tests read: links, head links, classes and text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.head_links: list[dict[str, str]] = []
        self.classes: list[str] = []
        self.text: list[str] = []
        self.nav_links = 0
        self._in_head = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "head":
            self._in_head = True
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
            if "md-nav__link" in a.get("class", ""):
                self.nav_links += 1
        if tag == "link" and self._in_head:
            self.head_links.append(a)
        self.classes.extend(a.get("class", "").split())

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False

    def handle_data(self, data):
        self.text.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def _file_for(site: Path, url_path: str) -> Path:
    path = site / unquote(url_path).lstrip("/")
    if url_path.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path


def crawl(site: Path) -> tuple[dict[str, Page], list[tuple[str, str]]]:
    """Every page reachable from the home page by links, and every broken internal link."""
    base = "http://site.invalid/"
    pages: dict[str, Page] = {}
    broken: list[tuple[str, str]] = []
    queue = [base]
    seen = {base}
    while queue:
        url = queue.pop()
        path = _file_for(site, urlparse(url).path)
        page = Page(path.read_text(encoding="utf-8"))
        pages[urlparse(url).path] = page
        for href in page.hrefs:
            target, _ = urldefrag(urljoin(url, href))
            if not target.startswith(base):
                continue
            if not _file_for(site, urlparse(target).path).is_file():
                broken.append((urlparse(url).path, href))
                continue
            if target in seen or _file_for(site, urlparse(target).path).suffix != ".html":
                continue
            seen.add(target)
            queue.append(target)
    return pages, broken


@pytest.fixture(scope="module")
def crawled(built_site: Path) -> tuple[dict[str, Page], list[tuple[str, str]]]:
    return crawl(built_site)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_every_entity_page_is_reached_from_home(crawled, kb):
    pages, _ = crawled
    for kind in KINDS:
        for entity in kb.all(kind):
            assert f"/{FOLDERS[kind]}/{entity.id}/" in pages, (kind.__name__, entity.id)
    for row in kb.verdicts():  # stated and derived
        assert f"/verdict/{row.id}/" in pages, row.id
    for path in ("/", "/guide/", "/bibliography/", "/downloads/", "/questions/"):
        assert path in pages
    for name in registry():
        assert f"/questions/{name}/" in pages


def test_no_broken_internal_links(crawled):
    _, broken = crawled
    assert broken == []


def test_entity_pages_link_their_data_in_head(built_site, kb):
    term = kb.get("mesa-optimizer", Term)
    page = Page((built_site / "term" / term.id / "index.html").read_text(encoding="utf-8"))
    alternates = {
        link.get("type"): link["href"] for link in page.head_links if link.get("rel") == "alternate"
    }
    assert set(alternates) >= {"text/turtle", "application/ld+json"}
    folder = built_site / "term" / term.id
    ttl = (folder / alternates["text/turtle"]).resolve()
    triples = list(ox.parse(ttl.read_bytes(), format=ox.RdfFormat.TURTLE))
    assert any(t.subject == ox.NamedNode(iri(term.id)) for t in triples)
    jsonld = (folder / alternates["application/ld+json"]).resolve()
    assert json.loads(jsonld.read_text(encoding="utf-8"))
    assert any(
        q.subject == ox.NamedNode(iri(term.id))
        for q in ox.parse(jsonld.read_bytes(), format=ox.RdfFormat.JSON_LD)
    )


def test_home_has_matrix_with_marks_and_disagreements(crawled, kb):
    home = crawled[0]["/"]
    text = home.plain
    for approach in kb.all(KINDS[2]):
        assert approach.label in text
    for value in ("inner-aligned", "inner-misaligned"):
        assert value in text
    assert "hedged" in text and "derived" in text
    rows = kb.verdicts()
    disagree = {
        s
        for s in {r.scenario for r in rows}
        if len({r.verdict for r in rows if r.scenario == s}) > 1
    }
    assert disagree, "the bundled KB has scenarios on which approaches disagree"
    assert home.classes.count("kb-disagree") >= len(disagree)
    assert "kb-derived" in home.classes and "kb-hedged" in home.classes
    for row in rows:
        assert f"verdict/{row.id}/" in home.hrefs


def test_navigation_lists_index_pages_not_entities(crawled):
    pages, _ = crawled
    term_page = pages["/term/mesa-optimizer/"]
    assert term_page.nav_links < 40
    assert not any("term/mesa-optimizer" in h for h in pages["/guide/"].hrefs)


def test_decomposition_diagrams(built_site, kb):
    for approach in kb.all(KINDS[2]):
        html = (built_site / "approach" / approach.id / "index.html").read_text(encoding="utf-8")
        assert '<pre class="mermaid"><code>flowchart' in html
        assert "inner alignment" in html and "outer alignment" in html
    assert (built_site / "js" / "mermaid.min.js").is_file()


def test_cookbook_answers_every_question(crawled):
    pages, _ = crawled
    for name in registry():
        text = pages[f"/questions/{name}/"].plain
        assert "SPARQL" in text and f"kb ask {name}" in text and "kb.ask(" in text
        assert "Answer on this KB" in text
        assert "Not answerable" not in text, name


def test_downloads_parse(built_site):
    folder = built_site / "downloads"
    assert len(list(ox.parse((folder / "kb.ttl").read_bytes(), format=ox.RdfFormat.TURTLE))) > 100
    nt = list(ox.parse((folder / "kb.nt").read_bytes(), format=ox.RdfFormat.N_TRIPLES))
    jsonld = list(ox.parse((folder / "kb.jsonld").read_bytes(), format=ox.RdfFormat.JSON_LD))
    assert len(nt) == len(jsonld)
    context = json.loads((folder / "context.jsonld").read_text(encoding="utf-8"))
    assert context["@context"]["Term"]["@context"]["label"]["@id"] == "skos:prefLabel"
    json.loads((folder / "kb.schema.json").read_text(encoding="utf-8"))
    ox.parse((folder / "shapes.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)


def test_citations(crawled, built_site, kb):
    pages, _ = crawled
    bibliography = pages["/bibliography/"]
    for source in kb.all(Source):
        page = pages[f"/source/{source.id}/"]
        assert f"{{{source.id}," in page.plain  # the BibTeX entry
        assert (built_site / "id" / f"{source.id}.bib").is_file()
        assert f"../source/{source.id}/" in bibliography.hrefs
        if source.unverified_fields:
            assert "unverified" in page.plain
        if source.unidentified:
            assert "unidentified source" in page.plain
    assert (built_site / "bibliography.bib").read_text(encoding="utf-8").count("@") >= len(
        kb.all(Source)
    )


def test_quotes_show_source_and_author(crawled, kb):
    pages, _ = crawled
    from kb.models import Quote

    for quote in kb.all(Quote):
        page = pages[f"/quote/{quote.id}/"]
        assert f"source/{quote.source}/" in " ".join(page.hrefs)
        for speaker in quote.speakers:
            assert f"researcher/{speaker}/" in " ".join(page.hrefs)


def test_search_index_has_labels_and_alternative_labels(built_site, kb):
    index = (built_site / "search" / "search_index.json").read_text(encoding="utf-8")
    term = kb.get("mesa-optimizer", Term)
    assert term.label in index
    for alt in term.alt_labels:
        assert alt in index


def test_site_command_has_help(kb_cli):
    result = kb_cli("site", "build", "--help")
    assert result.returncode == 0 and "--kb" in result.stdout and "--out" in result.stdout
