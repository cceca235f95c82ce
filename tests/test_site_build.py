"""The site of the bundled KB: a strict build, every page type reached from home, links,
data files, cookbook, citations, search index and navigation size."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import pyoxigraph as ox
import pytest
from conftest import HOSTILE_KB, INVALID_KB, ROOT, build_site

from kb import KnowledgeBase
from kb.cli import site as site_cli
from kb.model.models import KINDS, Source, Term
from kb.model.vocab import iri
from kb.publish.schema import artefacts
from kb.publish.site import cookbook
from kb.publish.site.render import LEGEND, VERDICT_SYMBOLS, verdict_badge, verdict_mark
from kb.query.questions import registry
from kb.rdf.paths import KB_PATH_VARIABLE, turtle_files

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


def test_every_entity_page_is_reached_from_home(crawled, k):
    pages, _ = crawled
    for kind in KINDS:
        for entity in k.all(kind):
            assert f"/{kind.kind.folder}/{entity.id}/" in pages, (kind.__name__, entity.id)
    for row in k.verdicts():  # stated and derived
        assert f"/verdict/{row.id}/" in pages, row.id
    for path in ("/", "/guide/", "/bibliography/", "/downloads/", "/questions/"):
        assert path in pages
    for name in registry():
        assert f"/questions/{name}/" in pages


def test_no_broken_internal_links(crawled):
    _, broken = crawled
    assert broken == []


def test_entity_pages_link_their_data_in_head(built_site, k):
    term = k.get("mesa-optimizer", Term)
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


def test_home_has_matrix_with_marks_and_disagreements(crawled, k):
    home = crawled[0]["/"]
    text = home.plain
    for approach in k.all(KINDS[2]):  # named as the matrix's columns name them
        assert approach.label.removesuffix(" approach").capitalize() in text
    for value in ("inner-aligned", "inner-misaligned"):
        assert value in text
    assert "hedged" in text and "derived" in text
    rows = k.verdicts()
    disagree = {
        s for s in {r.scenario for r in rows} if len({r.value for r in rows if r.scenario == s}) > 1
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


def test_decomposition_diagrams_are_html_drawn_at_build_time(built_site, k):
    for approach in k.all(KINDS[2]):
        html = (built_site / "approach" / approach.id / "index.html").read_text(encoding="utf-8")
        assert '<ol class="kb-flow"' in html and "mermaid" not in html
        assert "inner alignment" in html and "outer alignment" in html
    assert not list(built_site.rglob("*mermaid*"))
    grid = (built_site / "decomposition" / "index.html").read_text(encoding="utf-8")
    assert grid.count("kb-role-") >= len(k.all(KINDS[2])) * 3


def test_cookbook_answers_every_question(crawled):
    pages, _ = crawled
    for name in registry():
        text = pages[f"/questions/{name}/"].plain
        assert "SPARQL" in text and f"kb ask {name}" in text and "k.ask(" in text
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
    shapes = (folder / "shapes.ttl").read_text(encoding="utf-8")
    assert shapes == artefacts()["shapes.ttl"]  # the schema's shapes, as committed
    assert len(list(ox.parse(shapes.encode(), format=ox.RdfFormat.TURTLE))) > 100


def test_citations(crawled, built_site, k):
    pages, _ = crawled
    bibliography = pages["/bibliography/"]
    for source in k.all(Source):
        page = pages[f"/source/{source.id}/"]
        assert f"{{{source.id}," in page.plain  # the BibTeX entry
        assert (built_site / "id" / f"{source.id}.bib").is_file()
        assert f"../source/{source.id}/" in bibliography.hrefs
        if source.unverified_fields:
            assert "unverified" in page.plain
        if source.unidentified:
            assert "unidentified source" in page.plain
    assert (built_site / "bibliography.bib").read_text(encoding="utf-8").count("@") >= len(
        k.all(Source)
    )


def test_quotes_show_source_and_author(crawled, k):
    pages, _ = crawled
    from kb.model.models import Quote

    for quote in k.all(Quote):
        page = pages[f"/quote/{quote.id}/"]
        assert f"source/{quote.source}/" in " ".join(page.hrefs)
        for speaker in quote.speakers:
            assert f"researcher/{speaker}/" in " ".join(page.hrefs)


def test_search_index_has_labels_and_alternative_labels(built_site, k):
    index = (built_site / "search" / "search_index.json").read_text(encoding="utf-8")
    term = k.get("mesa-optimizer", Term)
    assert term.label in index
    for alt in term.alt_labels:
        assert alt in index


def test_site_command_has_help(kb_cli):
    result = kb_cli("site", "build", "--help")
    assert result.returncode == 0 and "--kb" in result.stdout and "--out" in result.stdout


@pytest.fixture
def old_site(tmp_path: Path) -> Path:
    """An output folder holding an earlier build, which a failed build must leave as it is."""
    out = tmp_path / "old-site"
    out.mkdir()
    (out / "index.html").write_text("earlier build", encoding="utf-8")
    (out / site_cli.MARKER).write_text("", encoding="utf-8")
    return out


def test_site_build_on_invalid_kb_lists_problems_and_keeps_output(old_site):
    result = build_site(old_site, INVALID_KB)
    assert result.returncode == 1, result.stdout + result.stderr
    expected = INVALID_KB.with_suffix(".expected").read_text(encoding="utf-8").split("\n")[0]
    problem = expected.split(":", 1)[1]  # the fixture's problem, after its file name
    lines = result.stderr.splitlines()
    assert any(line.endswith(problem) and "dangling-reference.ttl" in line for line in lines)
    assert "1 problem in the knowledge base" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert sorted(p.name for p in old_site.iterdir()) == [site_cli.MARKER, "index.html"]
    assert (old_site / "index.html").read_text(encoding="utf-8") == "earlier build"


def test_site_build_on_missing_path_is_a_usage_error(old_site, tmp_path):
    missing = tmp_path / "nonexistent"
    result = build_site(old_site, missing)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == f"kb: {missing}: no such file or folder"
    assert (old_site / "index.html").read_text(encoding="utf-8") == "earlier build"


def test_site_build_without_kb_ignores_exported_kb_path(built_site):
    """An exported KB_PATH does not change what `kb site build` builds: the bundled KB (the
    shared site is built with an invalid KB in KB_PATH, and that build passed)."""
    assert (built_site / "term" / "mesa-optimizer" / "index.html").is_file()
    assert KB_PATH_VARIABLE not in site_cli.site_environment(None)
    exported = site_cli.site_environment([str(INVALID_KB)])
    assert exported[KB_PATH_VARIABLE] == str(INVALID_KB.resolve())


@pytest.mark.parametrize("kb_path", [INVALID_KB, Path("/nonexistent/kb")])
def test_plain_mkdocs_build_reports_a_bad_kb_in_one_line(tmp_path, kb_path):
    env = dict(os.environ, KB_PATH=str(kb_path), NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "out")]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, result.stderr
    assert f"cannot build the site from KB_PATH={kb_path}" in errors[0]
    if kb_path == INVALID_KB:
        assert "1 problem in the knowledge base" in errors[0]
        assert f"`kb validate {kb_path}`" in errors[0]


def test_plain_mkdocs_build_makes_the_site_kb_site_build_makes(tmp_path, hostile_site):
    """`mkdocs build` in a checkout, with the KB in KB_PATH, runs the same plugin: the same
    files, byte for byte, as `kb site build --kb` (which hands it the KB it validated)."""
    env = dict(os.environ, KB_PATH=str(HOSTILE_KB), NO_MKDOCS_2_WARNING="1")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    plain = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    built = {
        p.relative_to(hostile_site): p.read_bytes()
        for p in hostile_site.rglob("*")
        if p.is_file() and p.name != site_cli.MARKER
    }
    assert sorted(plain) == sorted(built)
    assert [path for path in plain if plain[path] != built[path]] == []
    assert any(path.parts[0] == "id" for path in plain)  # the data files, after the build


def test_a_failed_mkdocs_build_keeps_the_earlier_site(
    old_site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A page that strict mode rejects (a link to no page) fails `kb site build` with
    mkdocs' messages and exit 1; the earlier build stays, and no staging folder is left."""
    import kb.cli
    from kb.publish.site import build
    from kb.publish.site.render import Page as MarkdownPage

    every_page = build.pages

    def pages_and_a_broken_link(data: Any) -> Any:
        yield from every_page(data)
        yield MarkdownPage("broken.md", "# Broken\n\n[nowhere](no-such-page.md)\n")

    monkeypatch.setattr(build, "pages", pages_and_a_broken_link)
    assert kb.cli.main(["site", "build", "--out", str(old_site)]) == 1
    err = capsys.readouterr().err
    assert "no-such-page.md" in err and "Aborted with 1 warnings in strict mode!" in err
    assert "site build failed" in err and "Traceback" not in err
    assert sorted(p.name for p in old_site.iterdir()) == [site_cli.MARKER, "index.html"]
    assert [p.name for p in old_site.parent.iterdir()] == [old_site.name]


def test_legend_is_made_of_the_badges_and_marks_cells_use():
    for value in VERDICT_SYMBOLS:
        assert verdict_badge(value, hedged=False, basis="stated") in LEGEND
    for mark in ("hedged", "derived", "implied"):
        assert verdict_mark(mark) in LEGEND
        assert verdict_mark(mark) in verdict_badge("uncertain", True, "derived", implied=True)


def test_cookbook_python_snippet_runs_without_shadowing_the_package():
    questions = list(registry().values())
    question = next((q for q in questions if q.example), questions[0])
    snippet = cookbook._python(question)
    assert not re.search(r"^kb\b", snippet, re.M)
    namespace: dict[str, object] = {}
    exec(compile(snippet, "cookbook", "exec"), namespace)
    assert isinstance(namespace["k"], KnowledgeBase)


def test_guide_python_example_runs():
    guide = (ROOT / "site" / "docs" / "guide.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", guide, re.S)
    assert block is not None and not re.search(r"^kb\b", block.group(1), re.M)
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), "guide.md", "exec"), namespace)
    assert isinstance(namespace["k"], KnowledgeBase)


def test_definitions_list_authors_in_the_sources_order(built_site: Path) -> None:
    """Risks from Learned Optimization lists Hubinger first; the site keeps that order, and
    says endorsers endorse the approach, not the definition."""
    page = (built_site / "term" / "inner-alignment" / "index.html").read_text(encoding="utf-8")
    by_lines = [p for p in page.split("<p>") if "By:" in p and "Advanced Machine Learning" in p]
    assert len(by_lines) == 1
    line = by_lines[0]
    names = ["Evan Hubinger", "Chris van Merwijk", "Vladimir Mikulik", "Joar Skalse"]
    positions = [line.index(name) for name in names]
    assert positions == sorted(positions)
    assert "approach:" in line


def test_every_generated_path_is_written_once(tmp_path: Path) -> None:
    """Derived verdicts are ordinary Verdict entities: one page each, never two at one path."""
    from collections import Counter

    from kb.publish.site.build import generate
    from kb.publish.site.data import SiteData

    written: list[str] = []
    generate(lambda path, _content: written.append(path), SiteData.load())
    repeated = {path: n for path, n in Counter(written).items() if n > 1}
    assert not repeated
    derived = [p for p in written if p.startswith("verdict/derived-")]
    assert derived  # the bundled KB has verdicts the essay leaves open


def test_a_kind_without_a_page_module_gets_a_fields_page(monkeypatch, k) -> None:
    """A new kind needs only its table row and model to appear on the site."""
    from kb.model.models import Argument
    from kb.publish.site import build
    from kb.publish.site.data import SiteData

    monkeypatch.delitem(build.ENTITY_PAGES, Argument)
    written: dict[str, str | bytes] = {}
    build.generate(written.__setitem__, SiteData.load())
    argument = k.all(Argument)[0]
    page = written[f"argument/{argument.id}.md"]
    assert isinstance(page, str)
    assert "**Description:**" in page and "**Authors:**" in page
    assert "argument/index.md" in written


def test_kb_site_build_parses_each_file_once(
    tmp_path: Path, parses: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`kb site build` validates the KB and hands that loaded KB to the mkdocs build (run
    in-process): each Turtle file is parsed once, and the site has every entity's page."""
    import kb.cli

    out = tmp_path / "site"
    assert kb.cli.main(["site", "build", "--out", str(out)]) == 0, capsys.readouterr().err
    assert len(parses) == len(turtle_files()), parses
    assert (out / "term" / "mesa-optimizer" / "index.html").is_file()
    assert (out / "id" / "mesa-optimizer.ttl").is_file()  # the plugin's data files
