"""The explorer in headless Chromium: set facts and read each approach's verdict; follow a
crux's minimal pair to the classify page, pre-filled; axe finds no serious violation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_site_browser import AXE, Visit, browser, require, server

from kb.model.cruxes import all_pairs, classification_table, cruxes, facts_key
from kb.model.rules import RULES

__all__ = ["browser", "server"]  # fixtures, used by name

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _verdicts_shown(visit: Visit) -> dict[str, str]:
    cards = visit.page.locator(".kb-verdict-card h3")
    cards.first.wait_for()
    shown = {}
    for text in cards.all_inner_texts():
        label, _, value = text.partition(": ")
        shown[label] = value.split()[0]
    return shown


def _labels(built_site: Path) -> dict[str, str]:
    data = json.loads((built_site / "explore" / "classification.json").read_text("utf-8"))
    return data["approaches"]


def test_setting_facts_shows_the_rules_verdicts(browser, server, built_site: Path) -> None:
    labels = _labels(built_site)
    rows = classification_table()
    visit = Visit(browser, server + "explore/classify/")
    try:
        for row in (rows[0], rows[len(rows) // 2], rows[-1]):
            for name, value in row["facts"].items():
                visit.page.locator(f"input[name='{name}'][value='{json.dumps(value)}']").check()
            shown = _verdicts_shown(visit)
            expected = {labels[a]: v["value"] for a, v in row["verdicts"].items()}
            assert shown == expected, row["key"]
            paragraphs = {
                " ".join(text.split())
                for text in visit.page.locator(".kb-verdict-card p").all_inner_texts()
            }
            for verdict in row["verdicts"].values():  # each card's rationale, as a paragraph
                assert " ".join(verdict["rationale"].split()) in paragraphs
            assert f"facts={row['key']}" in visit.page.url
        assert visit.errors == []
        assert visit.outside_requests() == []
    finally:
        visit.close()


def test_a_minimal_pair_opens_the_classify_page_prefilled(browser, server, built_site) -> None:
    a, b = all_pairs()[1]
    pair = cruxes(a, b).minimal_pairs[0]
    key = facts_key(pair.after)
    visit = Visit(browser, server + f"explore/cruxes/{a}--{b}/")
    try:
        visit.page.locator(f'a[href*="facts={key}"]').first.click()
        visit.page.wait_for_load_state("networkidle")
        assert "/explore/classify/" in visit.page.url
        shown = _verdicts_shown(visit)
        labels = _labels(built_site)
        row = next(r for r in classification_table() if r["key"] == key)
        assert shown == {labels[x]: row["verdicts"][x]["value"] for x in RULES}
        for name, value in row["facts"].items():
            checked = visit.page.locator(f'input[name="{name}"]:checked').get_attribute("value")
            assert json.loads(checked or "null") == value
        assert visit.errors == []
    finally:
        visit.close()


@pytest.mark.parametrize(
    "path",
    [
        "explore/classify/",
        "explore/cruxes/",
        "explore/cruxes/objective-focused--optimization-focused/",
        "explore/query/",
    ],
)
def test_explorer_pages_have_no_serious_axe_violation(browser, server, path: str) -> None:
    require(AXE.is_file(), f"no axe-core at {AXE} (npm ci)")
    for width in (1280, 375):
        visit = Visit(browser, server + path)
        try:
            visit.page.set_viewport_size({"width": width, "height": 900})
            visit.page.add_script_tag(path=str(AXE))
            result = visit.page.evaluate("axe.run(document).then(r => r.violations)")
            serious = [v["id"] for v in result if v["impact"] in ("serious", "critical")]
            assert serious == [], (path, width, serious)
        finally:
            visit.close()
