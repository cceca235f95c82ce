"""``kb serve``: the SPARQL 1.1 Protocol, the question routes, the site, and every refusal.

One live server on a free loopback port serves the whole module; clients not written here
(SPARQLWrapper, rdflib's SPARQLStore) must get the same answers as the Python API.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import select
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from kb_server import kb_serve, question_cases

from kb import KnowledgeBase
from kb.model.vocab import ID, KB, KB_GRAPH, slug_of, sparql_prefixes
from kb.query.engine import LocalBackend, run_question
from kb.query.questions import registry

pytestmark = pytest.mark.slow

MAX_BODY = 4096
MAX_ROWS = 5000
APPROACH_LABELS = (
    "SELECT ?approach ?label WHERE { ?approach a kb:Approach ; rdfs:label ?label } "
    "ORDER BY ?approach"
)
LABELS_GRAPH = "CONSTRUCT { ?a rdfs:label ?l } WHERE { ?a a kb:Approach ; rdfs:label ?l }"
#: Too slow to finish within the test server's one-second limit.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: More rows than the test server's row limit.
HUGE = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("site")
    (folder / "index.html").write_text("<h1>the site</h1>", encoding="utf-8")
    (folder / "terms").mkdir()
    (folder / "terms" / "index.html").write_text("<h1>terms</h1>", encoding="utf-8")
    (folder.parent / "secret.txt").write_text("not served", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def base(site: Any) -> Iterator[str]:
    options = [
        "--workers",
        "2",
        "--timeout",
        "1",
        "--max-rows",
        str(MAX_ROWS),
        "--max-memory",
        "256",
    ]
    with kb_serve(*options, "--max-body", str(MAX_BODY), "--site", str(site)) as url:
        yield url


def call(
    url: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as problem:
        return problem.code, dict(problem.headers), problem.read()


def get(base: str, query: str, accept: str | None = None, **params: str) -> Any:
    fields = urllib.parse.urlencode({"query": query, **params})
    return call(f"{base}/sparql?{fields}", headers={"Accept": accept} if accept else None)


def assert_error(answer: tuple[int, dict[str, str], bytes], status: int, *words: str) -> None:
    """The one error shape, the expected status, a message with these words, no traceback."""
    code, headers, body = answer
    assert code == status, body
    assert headers["Content-Type"].startswith("application/json")
    document = json.loads(body)
    assert set(document) == {"error"} and set(document["error"]) == {"status", "message"}
    assert document["error"]["status"] == status
    message = document["error"]["message"]
    for word in words:
        assert word.lower() in message.lower(), message
    assert "Traceback" not in body.decode() and 'File "' not in body.decode()


# --- clients not written here -------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")
def test_sparqlwrapper_select_ask_construct(base: str, k: KnowledgeBase) -> None:
    from rdflib import Graph
    from SPARQLWrapper import JSON, RDFXML, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(f"{base}/sparql")
    client.setQuery(sparql_prefixes() + APPROACH_LABELS)
    client.setReturnFormat(JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]
    rows = [
        {"approach": slug_of(b["approach"]["value"]), "label": b["label"]["value"]}
        for b in bindings
    ]
    assert rows == k.sparql(APPROACH_LABELS) and rows

    for question, expected in (("ASK { ?a a kb:Approach }", True), ("ASK { ?a a kb:No }", False)):
        client.setQuery(sparql_prefixes() + question)
        client.setReturnFormat(JSON)
        assert client.queryAndConvert()["boolean"] is expected
        assert k.sparql(question) is expected

    expected = _ox_triples(k.sparql(LABELS_GRAPH))
    client.setQuery(sparql_prefixes() + LABELS_GRAPH)
    client.setReturnFormat(RDFXML)
    assert _triples(client.queryAndConvert()) == expected
    client.setReturnFormat(TURTLE)
    turtle = Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert _triples(turtle) == expected


def test_sparqlwrapper_post(base: str, k: KnowledgeBase) -> None:
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    client = SPARQLWrapper(f"{base}/sparql")
    client.setMethod(POST)
    client.setQuery(sparql_prefixes() + APPROACH_LABELS)
    client.setReturnFormat(JSON)
    assert len(client.queryAndConvert()["results"]["bindings"]) == len(k.sparql(APPROACH_LABELS))


def test_rdflib_sparqlstore(base: str, k: KnowledgeBase) -> None:
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(SPARQLStore(query_endpoint=f"{base}/sparql", returnFormat="xml"))
    rows = [
        {"approach": slug_of(str(r.approach)), "label": str(r.label)}
        for r in graph.query(sparql_prefixes() + APPROACH_LABELS)
    ]
    assert rows == k.sparql(APPROACH_LABELS)
    assert graph.query(sparql_prefixes() + "ASK { ?a a kb:Approach }").askAnswer is True
    assert graph.query(sparql_prefixes() + "ASK { ?a a kb:No }").askAnswer is False
    constructed = graph.query(sparql_prefixes() + LABELS_GRAPH).graph
    assert _triples(constructed) == _ox_triples(k.sparql(LABELS_GRAPH))


def _triples(graph: Any) -> set[tuple[str, str, str]]:
    return {(str(s), str(p), str(o)) for s, p, o in graph}


def _ox_triples(triples: list[ox.Triple]) -> set[tuple[str, str, str]]:
    return {(t.subject.value, t.predicate.value, t.object.value) for t in triples}


# --- the protocol -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html, */*;q=0.1", "application/sparql-results+json"),
        ("application/sparql-results+json;q=0.5, text/csv", "text/csv"),
    ],
)
def test_select_formats(base: str, accept: str | None, media: str) -> None:
    code, headers, body = get(base, sparql_prefixes() + APPROACH_LABELS, accept)
    assert code == 200
    assert headers["Content-Type"].split(";")[0] == media
    local = LocalBackend().query(sparql_prefixes() + APPROACH_LABELS)
    if media == "text/csv":  # lossy (an IRI and a string look alike): compare the values
        rows = list(csv.reader(io.StringIO(body.decode())))
        assert rows[0] == ["approach", "label"]
        assert rows[1:] == [[t.value for t in row] for row in local]
        return
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(media))
    assert [[str(t) for t in row] for row in parsed] == [[str(t) for t in row] for row in local]


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_ask_formats(base: str, accept: str) -> None:
    code, headers, body = get(base, "ASK { ?s ?p ?o }", accept)
    assert code == 200 and headers["Content-Type"].startswith(accept)
    assert bool(ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(accept)))


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/ld+json"])
def test_construct_formats(base: str, k: KnowledgeBase, accept: str) -> None:
    code, headers, body = get(base, sparql_prefixes() + LABELS_GRAPH, accept)
    assert code == 200 and headers["Content-Type"].startswith(accept)
    triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.from_media_type(accept))]
    assert _ox_triples(triples) == _ox_triples(k.sparql(LABELS_GRAPH))


def test_describe(base: str) -> None:
    code, _, body = get(base, f"DESCRIBE <{ID}objective-focused>", "application/n-triples")
    triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    assert code == 200 and any(t.object == ox.NamedNode(KB + "Approach") for t in triples)


def test_post_form_and_query_body(base: str) -> None:
    form = urllib.parse.urlencode({"query": "ASK { ?s a ?t }"}).encode()
    code, _, body = call(
        f"{base}/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert code == 200 and json.loads(body)["boolean"] is True
    code, _, body = call(
        f"{base}/sparql", b"ASK { ?s a ?t }", {"Content-Type": "application/sparql-query"}
    )
    assert code == 200 and json.loads(body)["boolean"] is True


def test_service_description(base: str) -> None:
    code, headers, body = call(f"{base}/sparql")
    assert code == 200 and headers["Content-Type"].startswith("text/turtle")
    triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)]
    sd = "http://www.w3.org/ns/sparql-service-description#"
    kinds = {t.object.value for t in triples if t.predicate.value.endswith("#type")}
    assert sd + "Service" in kinds
    assert any(t.object == ox.NamedNode(KB_GRAPH) for t in triples)


def test_from_the_kb_graph_is_the_kb(base: str, k: KnowledgeBase) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{KB_GRAPH}> WHERE {{ ?s ?p ?o }}"
    code, _, body = get(base, query)
    assert code == 200
    plain = k.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == plain
    code, _, _ = get(base, "ASK { ?s ?p ?o }", **{"default-graph-uri": KB_GRAPH})
    assert code == 200


# --- named questions ----------------------------------------------------------------------


def test_question_list(base: str) -> None:
    code, _, body = call(f"{base}/api/questions")
    assert code == 200
    listed = json.loads(body)
    assert [q["name"] for q in listed] == list(registry())
    assert all(q["url"] == f"/api/questions/{q['name']}" for q in listed)


@pytest.mark.parametrize(("name", "arguments"), question_cases())
def test_question_route_matches_engine(base: str, name: str, arguments: dict[str, str]) -> None:
    code, _, body = call(f"{base}/api/questions/{name}?{urllib.parse.urlencode(arguments)}")
    assert code == 200, body
    answer = json.loads(body)
    assert answer["question"] == name and answer["arguments"] == arguments
    assert answer["rows"] == run_question(LocalBackend(), name, arguments)


def test_question_errors(base: str) -> None:
    assert_error(call(f"{base}/api/questions/no-such-question"), 404, "no-such-question")
    assert_error(call(f"{base}/api/questions/verdicts?scenario=nope"), 400, "scenario")
    assert_error(call(f"{base}/api/questions/verdicts?colour=red"), 400, "colour")
    assert_error(call(f"{base}/api/questions/verdicts?scenario=a&scenario=b"), 400, "once")


# --- closed and bounded -------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A loopback port that records whether anything connected (nothing should)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/", sock


def _contacted(sock: socket.socket) -> bool:
    return bool(select.select([sock], [], [], 0.2)[0])


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a/s> <http://a/p> <http://a/o> }",
        "DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "DROP DEFAULT",
        "WITH <http://a/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused(base: str, update: str) -> None:
    assert_error(get(base, update), 403, "read-only")
    form = urllib.parse.urlencode({"update": update}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert_error(call(f"{base}/sparql", form, headers), 403, "read-only")
    headers = {"Content-Type": "application/sparql-update"}
    assert_error(call(f"{base}/sparql", update.encode(), headers), 403, "read-only")
    code, _, body = get(base, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert code == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] != "0"


def test_load_is_refused_and_never_fetched(base: str, listener: Any) -> None:
    url, sock = listener
    assert_error(get(base, f"LOAD <{url}data.ttl>"), 403, "LOAD")
    assert not _contacted(sock)


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "select * where {{ ?x ?y ?z . service silent <{url}> {{ ?s ?p ?o }} }}",
        "PREFIX e: <{url}> SELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_refused_and_never_fetched(base: str, listener: Any, template: str) -> None:
    url, sock = listener
    assert_error(get(base, template.format(url=url)), 403, "SERVICE")
    assert not _contacted(sock)


def test_service_inside_a_string_is_fine(base: str) -> None:
    code, _, _ = get(base, 'SELECT * WHERE { ?s ?p "SERVICE <http://x/> {}" } # SERVICE')
    assert code == 200


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "PREFIX e: <{url}> ASK FROM e:g {{ ?s ?p ?o }}",
    ],
)
def test_foreign_datasets_are_refused_and_never_fetched(
    base: str, listener: Any, template: str
) -> None:
    url, sock = listener
    assert_error(get(base, template.format(url=url)), 403, "FROM", "never fetches")
    assert_error(get(base, "ASK { ?s ?p ?o }", **{"default-graph-uri": url}), 403, url)
    assert_error(get(base, "ASK { ?s ?p ?o }", **{"named-graph-uri": url}), 403, url)
    assert not _contacted(sock)


def test_malformed_query_names_the_parse_error(base: str) -> None:
    assert_error(get(base, "SELECT ?s WHERE { ?s ?p }"), 400, "malformed query", "error at 1:")
    assert_error(get(base, "SELEKT * {}"), 400, "malformed")


def test_body_over_the_limit(base: str) -> None:
    query = "ASK { ?s ?p ?o }" + " " * MAX_BODY
    headers = {"Content-Type": "application/sparql-query"}
    assert_error(call(f"{base}/sparql", query.encode(), headers), 413, str(MAX_BODY))


def test_time_limit_and_the_server_keeps_serving(base: str) -> None:
    slow: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: slow.update(answer=get(base, SLOW)))
    thread.start()
    quick = get(base, "ASK { ?s ?p ?o }")
    thread.join(timeout=60)
    assert quick[0] == 200
    assert_error(slow["answer"], 422, "time limit")
    assert get(base, "ASK { ?s ?p ?o }")[0] == 200
    assert_error(get(base, SLOW), 422, "time limit")
    assert get(base, "ASK { ?s ?p ?o }")[0] == 200


def test_memory_limit(base: str) -> None:
    """Sorting a cross product fills memory fast: the worker hits its limit (or, on a slow
    machine, the time limit) and the server answers the next query as usual."""
    code, _, body = get(base, "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f LIMIT 1")
    assert code == 422
    message = json.loads(body)["error"]["message"]
    assert "memory limit of 256 MB" in message or "time limit" in message
    assert get(base, "ASK { ?s ?p ?o }")[0] == 200


def test_row_limit(base: str) -> None:
    assert_error(get(base, HUGE), 422, str(MAX_ROWS), "rows")
    assert_error(get(base, "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }"), 422, "triples")


@pytest.mark.parametrize(
    ("path", "method", "data", "headers", "status"),
    [
        ("/nowhere", "GET", None, {}, 404),
        ("/sparql", "DELETE", None, {}, 405),
        ("/sparql", "PUT", b"x", {"Content-Type": "text/turtle"}, 405),
        ("/api/questions", "POST", b"x", {"Content-Type": "text/plain"}, 405),
        ("/sparql", "POST", b"query=ASK{}", {"Content-Type": "text/plain"}, 415),
        ("/sparql", "POST", b"", {"Content-Type": "application/x-www-form-urlencoded"}, 400),
        ("/sparql?query=ASK{}&query=ASK{}", "GET", None, {}, 400),
        ("/sparql?query=ASK{}", "GET", None, {"Accept": "image/png"}, 406),
        ("/sparql?query=%ff", "GET", None, {}, 400),
    ],
)
def test_error_statuses(
    base: str, path: str, method: str, data: bytes | None, headers: dict[str, str], status: int
) -> None:
    assert_error(call(base + path, data, headers, method), status)


def test_malformed_http_gets_json(base: str) -> None:
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /sparql HTTP/1.x\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        reply = b"".join(chunks).decode()
    head, _, body = reply.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 400 ")
    assert json.loads(body)["error"]["status"] == 400


def test_unread_body_does_not_poison_the_connection(base: str) -> None:
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("POST", "/api/questions", b"GET /nowhere HTTP/1.1\r\n\r\n")
    response = connection.getresponse()
    assert response.status == 405 and response.will_close
    response.read()
    connection.close()


def test_binds_loopback_by_default(base: str) -> None:
    assert urllib.parse.urlsplit(base).hostname == "127.0.0.1"


# --- the site -------------------------------------------------------------------------


def test_site(base: str) -> None:
    code, headers, body = call(f"{base}/")
    assert code == 200 and b"the site" in body and headers["Content-Type"].startswith("text/html")
    assert b"terms" in call(f"{base}/terms/")[2]
    assert_error(call(f"{base}/missing.html"), 404)
    assert_error(call(f"{base}/..%2fsecret.txt"), 404)
    assert_error(call(f"{base}/%2e%2e/secret.txt"), 404)
