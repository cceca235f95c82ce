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
