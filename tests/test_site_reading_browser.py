"""Layout a reader sees, measured in headless Chromium: notes read at the body's size."""

from __future__ import annotations

import pytest
from test_site_browser import Visit, browser, server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_notes_read_at_the_size_of_the_text_around_them(browser, server):  # noqa: F811
    visit = Visit(browser, server + "approach/optimization-focused/")
    try:
        sizes = visit.page.evaluate(
            """() => {
                const size = e => parseFloat(getComputedStyle(e).fontSize);
                const note = document.querySelector("article .admonition p:not(.admonition-title)");
                const body = document.querySelector("article > p:not([class])");
                return [size(note), size(body)];
            }"""
        )
        assert sizes[0] == sizes[1] and sizes[0] >= 14, sizes
        assert visit.errors == []
    finally:
        visit.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def boxes(chromium, url: str, selector: str) -> list[dict]:
    """The bounding boxes of ``selector``'s elements on a phone-sized page."""
    context = chromium.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        return page.evaluate(
            """s => [...document.querySelectorAll(s)].map(e => {
                const r = e.getBoundingClientRect();
                return {left: r.left, right: r.right, width: r.width};
            })""",
            selector,
        )
    finally:
        context.close()


def test_on_a_phone_a_matrix_row_shows_all_its_verdicts(browser, server):  # noqa: F811
    found = boxes(browser, server, ".kb-matrix tr.kb-split td .kb-verdict")
    assert len(found) >= 6
    for box in found:  # every verdict on screen, none behind a sideways scroll
        assert box["left"] >= 0 and box["right"] <= 390, box


def test_on_a_phone_the_why_of_each_approach_reads_across_the_screen(browser, server):  # noqa: F811
    cells = boxes(browser, server + "scenario/example-3/", ".kb-stack td")
    assert len(cells) >= 9
    for cell in cells:  # stacked, one approach after another, not an 80 px column
        assert cell["width"] >= 300 and cell["right"] <= 390, cell


def test_no_underline_runs_between_a_verdict_and_its_marks(browser, server):  # noqa: F811
    for path in ("verdict/", "approach/optimization-focused/"):
        visit = Visit(browser, server + path)
        try:
            lines = visit.page.evaluate(
                """() => [...document.querySelectorAll("article a")]
                    .filter(a => a.querySelector(".kb-verdict"))
                    .map(a => getComputedStyle(a).textDecorationLine)"""
            )
            assert lines and set(lines) == {"none"}, (path, set(lines))
        finally:
            visit.close()


def test_search_results_say_what_kind_of_page_each_is(browser, server):  # noqa: F811
    visit = Visit(browser, server)
    try:
        visit.page.locator("input.md-search__input").click()
        visit.page.keyboard.type("mesa", delay=50)
        result = visit.page.locator(".md-search-result__item:has(a[href*='term/mesa-optimizer/'])")
        result.first.wait_for(timeout=15000)
        assert "Term" in result.first.locator(".md-tag").all_inner_texts()
        assert visit.page.locator(".md-search-result__item .md-tag").count() >= 3
        page = Visit(browser, server + "term/mesa-optimizer/")
        try:  # the page itself names its kind once, in its breadcrumb
            assert not any(t.is_visible() for t in page.page.locator("article .md-tags").all())
        finally:
            page.close()
    finally:
        visit.close()
