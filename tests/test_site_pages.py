"""What a reader gets from the built site: a plain-language lead, a matrix that explains
itself, summaries that end at a word, the head metadata, the 404 page and citations."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT

from kb import __version__
from kb.publish.site import home
from kb.publish.site.citation import SITE_NAME
from kb.publish.site.render import short

pytestmark = pytest.mark.slow


class Head(HTMLParser):
    """The <meta name="description"> and every href of a page, and its text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.description: str | None = None
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("name") == "description":
            self.description = a.get("content")
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])

    def handle_data(self, data):
        self.text.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def page(site: Path, path: str) -> Head:
    return Head((site / path / "index.html").read_text(encoding="utf-8"))


def test_meta_description_is_whole_and_per_page(built_site):
    assert page(built_site, "").description == (
        "Who means what by “inner alignment”, an annotated knowledge base of the debate."
    )
    term = page(built_site, "term/inner-alignment").description or ""
    assert term.startswith("Inner alignment: Who means what by “inner alignment”")


def test_home_opens_with_a_plain_language_lead(built_site):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    lead, matrix = html.index("What is inner alignment?"), html.index("kb-matrix-table")
    assert lead < html.index("About this site") < matrix
    head = page(built_site, "")
    assert "term/inner-alignment/" in head.hrefs
    assert "source/clarifying-the-confusion-around-inner-alignment/" in head.hrefs
    assert "green cell" in head.plain  # the maze example


def test_matrix_rows_in_essay_order_with_reasons_where_approaches_split(built_site, k):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    table = html[html.index("kb-matrix-table") :]
    rows = re.findall(r'<th scope="row"><a href="scenario/([^/]+)/"', table)
    assert rows[:4] == ["example-1", "example-1-capability-failure", "example-2", "example-3"]
    assert rows.index("example-4") < rows.index("example-5")
    assert table.count('class="kb-split"') == table.count("Why they split:") >= 3
    assert len(rows) == len(k.all(type(k["example-3"])))
    assert 'title="the essay hedges it"' in html  # the marks explain themselves


def test_no_summary_is_cut_mid_word():
    text = "Alpha beta gamma delta. Second sentence follows here."
    assert short(text, 20) == "Alpha beta gamma delta."  # a first sentence near the limit: whole
    assert short(text, 10) == "Alpha…"
    long = "word " * 60
    cut = short(long, 40)
    assert cut.endswith("…") and cut[:-1].split() == ["word"] * len(cut[:-1].split())


def test_not_found_page_offers_ways_in(built_site):
    html = (built_site / "404.html").read_text(encoding="utf-8")
    assert "Page not found" in html and "search" in html
    for target in ("/term/", "/scenario/", "/guide/"):
        assert f'href="{target}"' in html


def test_every_entity_page_says_how_to_cite_it(built_site):
    term = page(built_site, "term/mesa-optimizer")
    assert "Cite as The inner-alignment-kb contributors." in term.plain
    assert f"“Mesa-optimizer.” {SITE_NAME}, version {__version__}." in term.plain
    assert "https://w3id.org/inner-alignment-kb/id/mesa-optimizer" in term.plain
    footer = page(built_site, "")
    assert any("alignmentforum.org/posts/xdtNd8xCdzpgfnGme" in h for h in footer.hrefs)
    assert "MIT licence" in footer.plain


def test_citation_metadata_agrees_with_the_project():
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    version = __version__
    assert f"version: {version}" in cff and "license: MIT" in cff
    assert f"version {version}" in (ROOT / "site" / "docs" / "cite.md").read_text("utf-8")
    assert f"site_name: {SITE_NAME}\n" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_verdict_pages_show_the_other_approaches(built_site):
    verdict = page(built_site, "verdict/verdict-example-3-optimization-focused")
    assert "The other approaches on this scenario" in verdict.plain
    assert any("verdict-example-3-objective-focused" in h for h in verdict.hrefs)


def test_scenario_pages_restate_the_set_up_and_link_neighbours(built_site):
    scenario = page(built_site, "scenario/example-3")
    assert "The set-up" in scenario.plain and "green cell just left of the exit" in scenario.plain
    assert "../example-2/" in scenario.hrefs and "../birth-control/" in scenario.hrefs


def test_home_lead_is_left_out_for_a_kb_without_its_entities():
    from kb.publish.site.data import SiteData

    data = SiteData.load([ROOT / "tests" / "fixtures" / "hostile_site_kb"])
    assert home.lead(data, home.Links(data, "")) == ""


def test_every_essay_link_finds_its_quote_in_the_essay(built_site, essay):
    """Each "read it in the essay" link's text fragment (start and end) is in the essay."""
    from urllib.parse import unquote

    essay = " ".join(essay.read_text(encoding="utf-8").split())
    fragments = set()
    for html in built_site.rglob("*.html"):
        fragments.update(re.findall(r'href="[^"#]*#:~:text=([^"]+)"', html.read_text("utf-8")))
    assert len(fragments) > 50
    for fragment in fragments:
        for part in fragment.split(","):
            assert unquote(part) in essay, fragment


def test_term_page_puts_definitions_side_by_side_by_approach(built_site):
    html = (built_site / "term" / "inner-alignment" / "index.html").read_text(encoding="utf-8")
    table = html[html.index('id="side-by-side"') : html.index('id="definitions"')]
    order = [
        table.index(f'approach/{a}/"') for a in ("objective-focused", "generalization-focused")
    ]
    assert order == sorted(order)  # in the essay's order of approaches
    assert "aligning mesa-optimizers with the base objective" in table


def test_entity_pages_say_when_their_data_last_changed(built_site, tmp_path):
    from kb.publish.site.history import entity_dates

    dates = entity_dates()
    if not dates:
        if os.environ.get("CI"):  # CI builds from a clone, which has the history
            pytest.fail("no data history found, though CI runs in a git checkout")
        pytest.skip("the KB is not in a git checkout here")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", dates["mesa-optimizer"])
    assert (
        f"Last updated {dates['mesa-optimizer']}" in page(built_site, "term/mesa-optimizer").plain
    )
    outside = tmp_path / "kb"
    outside.mkdir()
    (outside / "a.ttl").write_bytes((ROOT / "kb" / "data" / "terms.ttl").read_bytes())
    assert entity_dates([outside]) == {}  # no history: no date, no error


def test_sitemap_and_canonical_links_with_a_site_address(tmp_path):
    from conftest import HOSTILE_KB, build_site

    out = tmp_path / "site"
    result = build_site(out, HOSTILE_KB, env={"KB_SITE_URL": "https://example.org/kb/"})
    assert result.returncode == 0, result.stderr
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/kb/term/hostile-term/</loc>" in sitemap
    html = (out / "term" / "hostile-term" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/kb/term/hostile-term/">' in html


def test_no_empty_fields_linked_identifiers_and_whole_quote_titles(built_site):
    approach = page(built_site, "approach/optimization-focused")
    assert "Similar definitions by: —" not in approach.plain
    rlo = page(built_site, "source/risks-from-learned-optimization")
    assert "https://arxiv.org/abs/1906.01820" in rlo.hrefs
    quote = (built_site / "quote" / "quote-rlo-definition" / "index.html").read_text("utf-8")
    title = quote.split("<h1", 1)[1].split("</h1>")[0]
    assert "Quote from Risks from Learned Optimization" in title and "…" not in title
