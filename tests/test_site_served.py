"""The built site as readers get it: every internal link and asset answers through
``kb serve --site`` and through a plain static server, and a page without a diagram stays
within its transfer budget in Chromium (compressed, cold cache)."""

from __future__ import annotations

import functools
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import page_weight
import pytest
from kb_server import kb_serve

pytestmark = pytest.mark.slow

BASE = "http://site.invalid/"


class Targets(HTMLParser):
    """Every URL a page links to or loads: links, stylesheets, scripts, images."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


def internal_targets(site: Path) -> dict[str, str]:
    """Each internal target's path on the server, with one page that refers to it."""
    targets: dict[str, str] = {}
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        url = BASE + (rel.removesuffix("index.html") if rel.endswith("index.html") else rel)
        parser = Targets()
        parser.feed(page.read_text(encoding="utf-8"))
        for ref in parser.found:
            target, _ = urldefrag(urljoin(url, ref))
            if target.startswith(BASE) and rel != "404.html":
                targets.setdefault(urlparse(target).path, rel)
    return targets


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=folder))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def broken(server: str, targets: dict[str, str]) -> list[str]:
    problems = []
    for path, referrer in sorted(targets.items()):
        try:
            with urllib.request.urlopen(server + path, timeout=30) as answer:
                answer.read()
                kind = answer.headers.get("Content-Type", "")
                if (path.endswith("/") or path.endswith(".html")) and "text/html" not in kind:
                    problems.append(f"{path} (from {referrer}): {kind}, not HTML")
        except urllib.error.HTTPError as error:
            problems.append(f"{path} (from {referrer}): HTTP {error.code}")
    return problems


@pytest.fixture(scope="module")
def targets(built_site: Path) -> dict[str, str]:
    found = internal_targets(built_site)
    assert "/questions/" in found and "/search/search_index.json" not in found
    assert len(found) > 300
    return found


def test_every_internal_link_resolves_through_kb_serve(built_site, targets):
    with kb_serve("--site", str(built_site)) as server:
        assert broken(server, targets) == []


def test_every_internal_link_resolves_through_a_static_server(built_site, targets):
    with static_server(built_site) as server:
        assert broken(server, targets) == []


@pytest.mark.browser
def test_pages_without_a_diagram_stay_within_the_transfer_budget(built_site):
    from playwright.sync_api import sync_playwright

    with kb_serve("--site", str(built_site)) as server, sync_playwright() as p:
        browser = page_weight.launch(p)
        try:
            weights = [
                page_weight.measure(browser, f"{server}/{path}")
                for path in ("", "scenario/example-3/", "term/inner-alignment/", "quote/")
            ]
        finally:
            browser.close()
    for weight in weights:
        print(weight.line())
        assert any("search_index.json" in u for u in weight.by_resource)  # counted, not hidden
        assert weight.transferred <= page_weight.PAGE_BUDGET, weight.line()
