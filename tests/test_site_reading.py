"""The site reads as a reference work, not a database browser: plain words before
machinery, lists in the essay's order, identifiers in KB text shown as links, works with
their years. Each test reads the real built site."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kb.model.models import Researcher, Source
from kb.publish.site.data import SiteData

pytestmark = pytest.mark.slow


class Text(HTMLParser):
    """A page's article: its text outside code, its links, and its headings in order."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.prose: list[str] = []
        self.hrefs: list[str] = []
        self.headings: list[str] = []
        self._in = {"article": 0, "code": 0, "h": 0}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self._in["article"] += 1
        elif tag in ("pre", "code"):
            self._in["code"] += 1
        elif tag in ("h1", "h2", "h3"):
            self._in["h"] += 1
            self.headings.append("")
        elif tag == "a" and self._in["article"]:
            self.hrefs.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag == "article":
            self._in["article"] -= 1
        elif tag in ("pre", "code"):
            self._in["code"] -= 1
        elif tag in ("h1", "h2", "h3"):
            self._in["h"] -= 1

    def handle_data(self, data):
        if not self._in["article"]:
            return
        if self._in["h"]:
            self.headings[-1] += data.replace("¶", "").strip()
        if not self._in["code"]:
            self.prose.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.prose).split())


def read(site: Path, path: str) -> Text:
    return Text((site / path / "index.html").read_text(encoding="utf-8"))


def test_no_page_shows_an_identifier_where_kb_text_names_an_entity(built_site):
    """KB text that refers to an entity as "id:x" shows a link to x's page instead."""
    data = SiteData.load()
    named = 0
    for html in built_site.rglob("index.html"):
        page = Text(html.read_text(encoding="utf-8"))
        for found in re.findall(r"\bid:([a-z0-9-]+)", page.plain):
            assert data.get(found) is None, (html, found)  # only ids the KB lacks stay
        named += "inner-misalignment" in html.parent.name
    term = read(built_site, "term/inner-alignment")
    assert "../inner-misalignment/" in term.hrefs
    assert named


def test_the_term_page_opens_in_plain_words_and_links_the_comparisons(built_site):
    term = read(built_site, "term/inner-alignment")
    headings = term.headings
    assert headings.index("What is inner alignment?") < headings.index("Why it is contested")
    assert headings.index("Why it is contested") < headings.index("Definitions")
    assert "green cell" in term.plain  # the maze example
    assert "../../#the-verdict-matrix" in term.hrefs and "../../decomposition/" in term.hrefs


def test_scenarios_and_verdicts_are_listed_in_the_essays_order(built_site):
    data = SiteData.load()
    order = [s.display_label for s in data.scenarios()]
    index = read(built_site, "scenario")
    found = [label for label in order if label in index.plain]
    assert found == order
    positions = [index.plain.index(label) for label in order]
    assert positions == sorted(positions)
    verdicts = read(built_site, "verdict")
    assert "Legend:" in verdicts.plain and "the essay hedges it" in verdicts.plain
    first_rows = [verdicts.plain.index(label) for label in order]
    assert first_rows == sorted(first_rows)


def test_a_researcher_page_leads_with_their_role_and_dates_their_works(built_site):
    data = SiteData.load()
    for person in data.all(Researcher):
        page = read(built_site, f"researcher/{person.id}")
        if person.note:
            lead = " ".join(person.note.split())[:60]
            assert lead in page.plain
            assert "Note" not in page.headings
            if "Authored" in page.plain:
                assert page.plain.index(lead) < page.plain.index("Authored")
        for work in data.pointing(person.id, Source, "authors"):
            year = work.date[:4] if work.date else "n.d."
            assert re.search(
                rf"{re.escape(' '.join(work.label.split()))} \({re.escape(year)}", page.plain
            )


def test_a_derived_verdict_shows_the_facts_its_rule_read(built_site):
    from kb.model.models import Scenario, Verdict

    data = SiteData.load()
    derived = [v for v in data.all(Verdict) if v.basis != "stated"] or [
        r for r in data.matrix.values() if r.basis != "stated"
    ]
    assert derived
    for verdict in derived:
        page = read(built_site, f"verdict/{verdict.id}")
        assert "The facts the rule read" in page.headings
        scenario = data.get(verdict.scenario)
        assert isinstance(scenario, Scenario)
        assert "Training produces a mesa-optimizer" in page.plain


def test_home_gives_whole_reasons_and_readable_approach_names(built_site):
    home = read(built_site, "")
    reasons = re.findall(r"Why they split: (.*?)(?=Why they split:|$)", home.plain)
    assert reasons
    for reason in reasons:
        assert "…" not in reason.split(" Explore ")[0], reason
    data = SiteData.load()
    for approach in data.approaches():
        short = approach.display_label.removesuffix(" approach")
        assert short[:1].upper() + short[1:] in home.plain


def test_a_source_page_opens_with_its_reference(built_site):
    from kb.publish.site.citation import plain, reference, year_suffixes

    data = SiteData.load()
    letters = year_suffixes(data, data.all(Source))  # as the bibliography tells works apart
    for source in data.all(Source):
        page = read(built_site, f"source/{source.id}")
        cited = plain(reference(data, source, letters.get(source.id, "")))
        text = re.sub(r"\[([^\]]*)\]", r"\1", cited)  # marks show as badges
        after_crumbs = re.sub(r" ([.,])", r"\1", page.plain.split("\u203a Source", 1)[1].strip())
        first_words = " ".join(text.split()[:6])
        assert after_crumbs.startswith(first_words), (source.id, after_crumbs[:80])


def test_note_2_is_linked_where_kb_text_cites_it_and_downloads_name_their_version(built_site):
    from kb import __version__

    approach = read(built_site, "approach/objective-focused")
    assert "../../quote/quote-note-2/" in approach.hrefs
    assert f"version {__version__}" in read(built_site, "downloads").plain


def test_term_definitions_skip_repeated_endorsers_and_home_links_its_matrix(built_site):
    term = read(built_site, "term/inner-alignment")
    definitions = term.plain.split("Definitions", 1)[1]
    assert "approach:" in definitions and "endorsed by" not in definitions
    assert "#the-verdict-matrix" in read(built_site, "").hrefs
