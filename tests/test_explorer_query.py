"""The query page in headless Chromium: every named question gives the rows `kb ask` gives
(same example bindings), and SERVICE, updates and runaway queries are refused or stopped
without freezing the page."""

from __future__ import annotations

import pytest
from test_site_browser import Visit, browser, server

from kb import KnowledgeBase
from kb.query.questions import registry

__all__ = ["browser", "server"]  # fixtures, used by name

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _run(visit: Visit, timeout_ms: int = 60_000) -> dict:
    visit.page.evaluate("window.kbLastResult = null")
    visit.page.locator("#kb-query button").click()
    visit.page.wait_for_function("window.kbLastResult !== null", timeout=timeout_ms)
    return visit.page.evaluate("window.kbLastResult")


def _without_unbound(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if v is not None} for row in rows]


@pytest.fixture(scope="module")
def query_page(browser, server):
    visit = Visit(browser, server + "explore/query/")
    visit.page.locator("#kb-query.kb-ready").wait_for()
    yield visit
    visit.close()


def test_every_named_question_gives_the_rows_of_kb_ask(query_page: Visit, k: KnowledgeBase) -> None:
    for name, question in registry().items():
        query_page.page.select_option("#kb-question", name)
        result = _run(query_page)
        assert result["kind"] == "select", (name, result)
        expected = _without_unbound(k.ask(name, **question.example))
        assert result["rows"] == expected, name
    assert query_page.errors == []
    assert query_page.outside_requests() == []


@pytest.mark.parametrize(
    "sparql",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }",
    ],
)
def test_service_and_updates_are_refused(query_page: Visit, sparql: str) -> None:
    query_page.page.select_option("#kb-question", "")
    query_page.page.fill("#kb-sparql", sparql)
    assert _run(query_page)["kind"] == "error"
    assert query_page.outside_requests() == []


def test_a_runaway_query_is_stopped_and_the_page_stays_usable(query_page: Visit) -> None:
    query_page.page.select_option("#kb-question", "")
    query_page.page.fill(
        "#kb-sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    )
    query_page.page.evaluate("window.kbLastResult = null")
    query_page.page.locator("#kb-query button").click()
    # The page answers while the query runs: were the main thread busy with it, this
    # script would only run after the query had ended, when a result is set.
    assert query_page.page.evaluate("window.kbLastResult") is None
    query_page.page.wait_for_function("window.kbLastResult !== null", timeout=30_000)
    result = query_page.page.evaluate("window.kbLastResult")
    assert result["kind"] == "error" and "stopped" in result["message"]
    query_page.page.fill("#kb-sparql", "ASK { ?s a skos:Concept }")
    answer = _run(query_page)
    assert (answer["kind"], answer["value"]) == ("boolean", True)
