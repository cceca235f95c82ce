"""The explorer's pages in the built site: the table the browser reads is the rules' table,
the classify page carries every row without JavaScript, and every crux page and link lands."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

from kb.model.cruxes import all_pairs, classification_table, cruxes, facts_key


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))
        if tag == "script" and found.get("src"):
            self.scripts.append(str(found["src"]))


def _parse(path: Path) -> _Anchors:
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _page(site: Path, url_path: str) -> Path:
    return site / url_path.strip("/") / "index.html"


def test_the_table_the_browser_reads_is_the_rules_table(built_site: Path) -> None:
    shipped = json.loads((built_site / "explore" / "classification.json").read_text("utf-8"))
    assert shipped["rows"] == json.loads(json.dumps(classification_table()))
    keys = {row["key"] for row in shipped["rows"]}
    for scenario in shipped["scenarios"]:
        assert scenario["key"] in keys
        assert _page(built_site, scenario["path"]).is_file()


def test_the_classify_page_has_every_row_without_javascript(built_site: Path) -> None:
    page = _parse(_page(built_site, "explore/classify"))
    assert {f"f-{row['key']}" for row in classification_table()} <= page.ids
    assert any(src.endswith("js/explore.js") for src in page.scripts)
    assert (built_site / "js" / "explore.js").is_file()


def test_explorer_scripts_load_only_on_their_own_pages(built_site: Path) -> None:
    for html in built_site.rglob("index.html"):
        scripts = _parse(html).scripts
        assert any(s.endswith("js/explore.js") for s in scripts) == (html.parent.name == "classify")
        assert any(s.endswith("js/query.js") for s in scripts) == (html.parent.name == "query")
        assert not any("oxigraph" in s for s in scripts), html  # only the worker loads it


def test_every_crux_page_links_its_minimal_pairs_to_a_prefilled_classify_page(
    built_site: Path,
) -> None:
    classify = _page(built_site, "explore/classify")
    row_ids = _parse(classify).ids
    for a, b in all_pairs():
        url = f"explore/cruxes/{a}--{b}/"
        page = _parse(_page(built_site, url))
        crux = cruxes(a, b)
        wanted = {facts_key(m.before) for m in crux.minimal_pairs} | {
            facts_key(m.after) for m in crux.minimal_pairs
        }
        linked = set()
        for href in page.hrefs:
            target = urlparse(urljoin("http://site/" + url, href))
            if target.path == "/explore/classify/" and target.query:
                key = parse_qs(target.query)["facts"][0]
                assert target.fragment == f"f-{key}" and target.fragment in row_ids
                linked.add(key)
        assert wanted <= linked


def test_the_matrix_links_disagreeing_rows_to_their_cruxes(built_site: Path) -> None:
    home = _parse(built_site / "index.html")
    crux_links = [h for h in home.hrefs if "explore/cruxes/" in h]
    assert crux_links
    for href in crux_links:
        target = urlparse(urljoin("http://site/", href)).path
        assert _page(built_site, target).is_file(), href
