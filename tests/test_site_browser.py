"""The built site in headless Chromium (Debian's chromium driven by Playwright), served by a
stdlib HTTP server on 127.0.0.1: no console errors, a visible matrix, diagrams that render
as SVG, the theme's search, an axe-core scan, and no request leaving the machine."""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import ROOT
from page_weight import ARGS, CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """A plain static file server for ``folder`` on a free loopback port."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def server(built_site: Path) -> Iterator[str]:
    with static_server(built_site) as url:
        yield url


def require(present: bool, reason: str) -> None:
    """Fail (CI installs what the browser tests need); KB_SKIP_BROWSER=1 skips on a dev machine."""
    if present:
        return
    if os.environ.get("KB_SKIP_BROWSER") == "1":
        pytest.skip(f"{reason}; skipped because KB_SKIP_BROWSER=1")
    pytest.fail(f"{reason}; set KB_SKIP_BROWSER=1 to skip on a developer machine", pytrace=False)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    require(Path(CHROMIUM).is_file(), f"no chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield instance
        instance.close()


class Visit:
    """A page with its console errors, failed responses and every requested URL recorded."""

    def __init__(self, browser, url: str):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on(
            "response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}")
        )
        self.page.goto(url, wait_until="networkidle")

    def outside_requests(self) -> list[str]:
        return [
            u
            for u in self.requests
            if urlparse(u).scheme not in ("data", "blob", "about")
            and urlparse(u).hostname not in LOCAL_HOSTS
        ]

    def close(self):
        self.page.close()


def test_home_loads_clean_with_visible_matrix(browser, server):
    visit = Visit(browser, server)
    try:
        assert visit.page.locator(".kb-matrix table").is_visible()
        assert visit.page.locator(".kb-matrix .kb-verdict").count() >= 9
        assert visit.page.locator(".kb-matrix .kb-disagree").first.is_visible()
        visit.page.wait_for_timeout(500)
        assert visit.errors == []
        assert visit.outside_requests() == []
    finally:
        visit.close()


def test_scenario_page_loads_clean(browser, server):
    visit = Visit(browser, server + "scenario/example-3/")
    try:
        assert visit.page.locator("h1").inner_text().startswith("Example 3")
        assert visit.page.locator(".kb-verdict").count() >= 3
        visit.page.wait_for_timeout(500)
        assert visit.errors == []
        assert visit.outside_requests() == []
    finally:
        visit.close()


def test_decomposition_diagrams_draw_without_script(browser, server):
    visit = Visit(browser, server + "approach/generalization-focused/")
    try:
        steps = visit.page.locator("ol.kb-flow li.kb-step")
        assert steps.count() >= 3 and steps.first.is_visible()
        roles = visit.page.locator("ol.kb-flow .kb-step-role").all_inner_texts()
        assert "inner alignment" in roles and "outer alignment" in roles
        scripts = [urlparse(u).path for u in visit.requests if u.endswith(".js")]
        own = {f"/js/{p.name}" for p in (ROOT / "site" / "docs" / "js").iterdir()}
        assert all(p.startswith("/assets/javascripts/") or p in own for p in scripts), scripts
        assert not any("mermaid" in p for p in scripts)
        assert visit.errors == []
        assert visit.outside_requests() == []
    finally:
        visit.close()


def test_search_finds_mesa_optimizer(browser, server):
    visit = Visit(browser, server)
    try:
        visit.page.locator("input.md-search__input").click()
        visit.page.keyboard.type("mesa", delay=50)
        result = visit.page.locator(".md-search-result__item a[href*='term/mesa-optimizer/']")
        result.first.wait_for(timeout=15000)
        assert "mesa-optimizer" in result.first.inner_text().lower()
        assert visit.outside_requests() == []
    finally:
        visit.close()


#: One page of each kind a reader meets.
PAGE_KINDS = [
    "",
    "guide/",
    "term/",
    "term/inner-alignment/",
    "definition/rlo-inner-alignment/",
    "approach/optimization-focused/",
    "decomposition/",
    "decomposition/step-2/",
    "scenario/example-3/",
    "verdict/verdict-example-3-optimization-focused/",
    "verdict/derived-birth-control-objective-focused/",
    "argument/",
    "researcher/evan-hubinger/",
    "source/risks-from-learned-optimization/",
    "quote/",
    "questions/",
    "questions/disagreements/",
    "bibliography/",
    "downloads/",
    "cite/",
    "404.html",
]
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.mark.parametrize("size", SIZES)
def test_no_serious_accessibility_violations_on_any_page_kind(browser, server, built_site, size):
    require(AXE.is_file(), f"{AXE} missing: run `npm ci` at the repository root")
    context = browser.new_context(**SIZES[size])
    found = {}
    try:
        page = context.new_page()
        for path in PAGE_KINDS:
            assert (built_site / path).exists(), path
            page.goto(server + path, wait_until="load")
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']}))"
                ".violations.map(v => ({id: v.id, impact: v.impact,"
                " target: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
            )
            serious = [v for v in violations if v["impact"] in ("serious", "critical")]
            if serious:
                found[path] = serious
            if size == "phone":  # no sideways scrolling on a phone
                wide = page.evaluate("document.documentElement.scrollWidth > innerWidth + 1")
                if wide:
                    found[path] = [*found.get(path, []), "scrolls sideways"]
    finally:
        context.close()
    assert found == {}, "\n".join(f"{p}: {v}" for p, v in found.items())


#: Live markup in the page as the browser built it (after the theme's scripts ran).
LIVE_MARKUP = """() => {
    const found = [];
    for (const el of document.querySelectorAll("*")) {
        for (const attr of el.attributes) {
            const value = attr.value.replace(/\\s+/g, "").toLowerCase();
            if (attr.name.startsWith("on")) found.push(`${el.tagName} ${attr.name}`);
            if (["href", "src", "action", "formaction", "xlink:href"].includes(attr.name)
                && (value.startsWith("javascript:") || value.startsWith("data:text/html")))
                found.push(`${el.tagName} ${attr.name}=${attr.value}`);
        }
        if (["IMG", "IFRAME", "OBJECT", "EMBED", "BASE"].includes(el.tagName))
            found.push(el.outerHTML.slice(0, 80));
    }
    return found;
}"""


def test_hostile_kb_runs_no_script_in_chromium(browser, hostile_site):
    """Every page of the hostile site, and its search results, as Chromium renders them:
    no dialog opens, no javascript: link, no event handler, no image from KB text."""
    pages = sorted(hostile_site.rglob("*.html"))
    dialogs: list[str] = []
    problems: dict[str, list[str]] = {}
    with static_server(hostile_site) as base:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in pages:
            url = base + str(path.relative_to(hostile_site)).removesuffix("index.html")
            page.goto(url, wait_until="load")
            page.mouse.move(200, 300)
            if found := page.evaluate(LIVE_MARKUP):
                problems[url] = found
        page.goto(base, wait_until="load")
        page.locator("input.md-search__input").click()
        page.keyboard.type("alert", delay=20)
        page.locator(".md-search-result__item").first.wait_for(timeout=15000)
        if found := page.evaluate(LIVE_MARKUP):
            problems["search results"] = found
        page.close()
    assert len(pages) > 20
    assert dialogs == [] and problems == {}


def test_a_quote_links_to_its_place_in_the_essay(browser, server, tmp_path, essay):
    """The essay link under a quote carries a text fragment that Chromium finds in the
    essay: served here from the essay's text, at the same path as online."""
    import html
    from urllib.parse import urlparse

    visit = Visit(browser, server + "scenario/example-3/")
    try:
        link = visit.page.locator("blockquote a", has_text="read it in the essay").first
        href = link.get_attribute("href")
    finally:
        visit.close()
    online = urlparse(href)
    assert online.scheme == "https" and online.fragment.startswith(":~:text=")
    copy = tmp_path / online.path.strip("/") / "index.html"
    copy.parent.mkdir(parents=True)
    lines = essay.read_text(encoding="utf-8").splitlines()
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines if line.strip())
    copy.write_text(f"<!doctype html><meta charset=utf-8><body>{paragraphs}", "utf-8")
    with static_server(tmp_path) as local:
        page = browser.new_page(viewport={"width": 800, "height": 600})
        try:
            page.goto(f"{local}{online.path.lstrip('/')}/#{online.fragment}")
            page.wait_for_function("scrollY > 0", timeout=5000)  # scrolled to the quote
            start = unquote(online.fragment.removeprefix(":~:text=").split(",")[0])
            shown = page.evaluate(
                """start => [...document.querySelectorAll("p")].some(p => {
                    const box = p.getBoundingClientRect();
                    return p.textContent.includes(start) && box.top >= 0 && box.top < innerHeight;
                })""",
                start,
            )
            assert shown, start
        finally:
            page.close()
