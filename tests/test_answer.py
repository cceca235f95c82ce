"""The endpoint's answers without HTTP: :func:`kb.serve.answer.negotiate` and
:func:`kb.serve.answer.answer_sparql`, the functions its workers call, on the store they
load (the endpoint tests check the same through a running server)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kb.api import KnowledgeBase
from kb.model.vocab import KB_GRAPH, sparql_prefixes
from kb.serve.answer import (
    DEFAULT_ROWS,
    SERVICE_REFUSED,
    Reply,
    answer_sparql,
    negotiate,
    store_dump,
    store_from_dump,
)

OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]
VERDICTS = "SELECT ?v WHERE { ?v a kb:Verdict }"


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, OFFERS[0]),  # no Accept header: the first offer
        ("  ", OFFERS[0]),
        ("text/csv", "text/csv"),
        ("TEXT/CSV", "text/csv"),  # media types are case-insensitive
        ("text/csv;q=0.5, application/sparql-results+xml", OFFERS[1]),  # the higher quality
        ("application/sparql-results+xml, text/csv", OFFERS[1]),  # equal: the client's order
        ("text/*", "text/csv"),  # a range
        ("text/*, text/csv;q=0.9, */*;q=0.1", "text/csv"),
        ("*/*;q=0.1, text/csv;q=0.2", "text/csv"),
        ("*/*", OFFERS[0]),
        ("text/csv;q=oops, application/sparql-results+xml", OFFERS[1]),  # a bad q counts as 0
        ("text/csv;q=0", None),  # refused explicitly
        ("image/png", None),
    ],
)
def test_negotiation_picks_the_offer_the_client_prefers(accept: str | None, chosen: str) -> None:
    assert negotiate(accept, OFFERS) == chosen


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """The store a worker answers from: the bundled KB's dump, as the server makes it."""
    return store_from_dump(store_dump(None))


def ask(
    store: ox.Store,
    query: str,
    accept: str | None = None,
    max_rows: int = DEFAULT_ROWS,
    default_graphs: tuple[str, ...] = (),
) -> Reply:
    """``query`` (with the KB's prefixes) answered as the endpoint answers it."""
    text = sparql_prefixes() + query
    return answer_sparql(store, text, accept, default_graphs=default_graphs, max_rows=max_rows)


def error_of(reply: Reply) -> str:
    assert reply.content_type == "application/json"
    body = json.loads(reply.body)["error"]
    assert body["status"] == reply.status
    return str(body["message"])


def test_a_select_answers_what_the_python_api_answers(store: ox.Store, k: KnowledgeBase) -> None:
    reply = ask(store, VERDICTS)
    assert (reply.status, reply.content_type) == (200, "application/sparql-results+json")
    rows = json.loads(reply.body)["results"]["bindings"]
    assert len(rows) == len(k.sparql(VERDICTS)) > 0


@pytest.mark.parametrize(
    ("accept", "label"),
    [
        ("application/json", "application/sparql-results+json"),
        ("application/xml", "application/sparql-results+xml; charset=utf-8"),
        ("text/csv", "text/csv; charset=utf-8"),
    ],
)
def test_a_reply_is_labelled_with_its_formats_own_type(
    store: ox.Store, accept: str, label: str
) -> None:
    reply = ask(store, VERDICTS, accept)
    assert (reply.status, reply.content_type) == (200, label)
    media = label.split(";")[0]
    if media == "text/csv":  # CSV is lossy: pyoxigraph does not read it back
        assert reply.body.decode("utf-8").splitlines()[0] == "v"
    else:
        fmt = ox.QueryResultsFormat.from_media_type(media)
        assert len(list(ox.parse_query_results(reply.body, format=fmt))) > 0


def test_an_ask_is_never_csv(store: ox.Store) -> None:
    """CSV and TSV define no boolean: an ASK that accepts only CSV is refused (406)."""
    assert json.loads(ask(store, "ASK { ?s a kb:Scenario }").body)["boolean"] is True
    reply = ask(store, "ASK { ?s a kb:Scenario }", "text/csv")
    assert reply.status == 406 and "application/sparql-results+json" in error_of(reply)


def test_a_construct_is_a_graph_in_the_format_asked(store: ox.Store) -> None:
    query = "CONSTRUCT { ?s a kb:Scenario } WHERE { ?s a kb:Scenario }"
    reply = ask(store, query, "text/turtle")
    assert (reply.status, reply.content_type) == (200, "text/turtle; charset=utf-8")
    assert len(list(ox.parse(reply.body, format=ox.RdfFormat.TURTLE))) > 0
    assert ask(store, query, "application/sparql-results+json").status == 406


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("INSERT DATA { kb:a kb:b kb:c }", 403, "read-only"),
        ("LOAD <http://example.org/x>", 403, "LOAD is not accepted"),
        ("SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }", 403, SERVICE_REFUSED),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", 403, "never fetches graphs"),
        ("SELECT * WHERE { ?s ?p", 400, "malformed query"),
        ("SELECT * WHERE " + "{ " * 2000 + "}" * 2000, 400, "nested"),
    ],
    ids=["update", "load", "service", "from", "malformed", "deep"],
)
def test_refusals_come_before_the_store(
    store: ox.Store, query: str, status: int, message: str
) -> None:
    reply = ask(store, query)
    assert reply.status == status
    assert message in error_of(reply)


def test_too_many_rows_is_an_error_not_a_cut(store: ox.Store) -> None:
    reply = ask(store, VERDICTS, max_rows=3)
    assert reply.status == 422 and "more than 3 rows" in error_of(reply)


def test_only_the_kbs_own_graph_may_be_named(store: ox.Store, k: KnowledgeBase) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    whole = ask(store, count, default_graphs=(KB_GRAPH,))
    assert whole.status == 200
    n = int(json.loads(whole.body)["results"]["bindings"][0]["n"]["value"])
    assert n == k.sparql(count)[0]["n"]
    other = ask(store, count, default_graphs=("http://example.org/g",))
    assert other.status == 403 and "default-graph-uri" in error_of(other)
