"""``kb.query.remote``: questions against a SPARQL endpoint give the bundled KB's answers.

Against a live ``kb serve``: ``KnowledgeBase.remote(url)`` and ``--endpoint URL`` on the
command line. Against small fake endpoints: Virtuoso's quirks, redirects, proxies, errors.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pyoxigraph as ox
import pytest
from kb_server import kb_serve, question_cases

from kb import KnowledgeBase
from kb.cli import main
from kb.model.errors import UsageError
from kb.query.engine import run_sparql
from kb.query.remote import RemoteBackend

pytestmark = pytest.mark.slow

SELECT = "SELECT ?s ?label WHERE { ?s a kb:Scenario ; rdfs:label ?label } ORDER BY ?s"
CONSTRUCT = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a kb:Scenario ; rdfs:label ?l }"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with kb_serve() as url:
        yield f"{url}/sparql"


@pytest.fixture(scope="module")
def local(k: KnowledgeBase) -> KnowledgeBase:
    return k


@pytest.fixture(scope="module")
def remote(endpoint: str) -> KnowledgeBase:
    return KnowledgeBase.remote(endpoint)


@pytest.mark.parametrize(("name", "arguments"), question_cases())
def test_every_question_same_as_local(
    local: KnowledgeBase, remote: KnowledgeBase, name: str, arguments: dict[str, str]
) -> None:
    assert remote.ask(name, **arguments) == local.ask(name, **arguments)


def test_api_verbs_same_as_local(local: KnowledgeBase, remote: KnowledgeBase) -> None:
    assert remote.verdicts("example-3") == local.verdicts("example-3")
    assert remote.sparql(SELECT) == local.sparql(SELECT)
    assert remote.sparql("ASK { ?s a kb:Scenario }") is True
    assert remote.sparql("ASK { ?s a kb:Nothing }") is False
    assert set(remote.sparql(CONSTRUCT)) == set(local.sparql(CONSTRUCT))


def test_matrix_same_as_local(local: KnowledgeBase, remote: KnowledgeBase) -> None:
    here, there = local.matrix(), remote.matrix()
    assert there.approaches == here.approaches and list(there) == list(here)


def test_entities_same_as_local(local: KnowledgeBase, remote: KnowledgeBase) -> None:
    assert remote.entities == local.entities
    assert remote.get("example-3") == local.get("example-3")


def test_triples_same_as_local(local: KnowledgeBase, remote: KnowledgeBase) -> None:
    """What the site's downloads read: the same triples, whichever backend answers."""
    import pyoxigraph as ox

    def canonical(triples: list[ox.Triple]) -> ox.Dataset:
        dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return dataset

    here, there = local.triples(), remote.triples()
    assert len(there) == len(here)
    assert canonical(there) == canonical(here)


@pytest.mark.parametrize(
    "argv",
    [
        ["verdicts", "example-3", "--format", "json"],
        ["ask", "verdicts", "scenario=example-3", "--format", "csv"],
        ["sparql", SELECT, "--format", "json"],
        ["sparql", "ASK { ?s a kb:Scenario }", "--format", "json"],
        ["sparql", CONSTRUCT],
        ["verdicts", "example-3"],
        ["matrix"],
        ["matrix", "--format", "json"],
        ["show", "verdict-example-3-objective-focused"],
    ],
)
def test_cli_endpoint_same_as_local(
    endpoint: str, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 0
    here = capsys.readouterr().out
    assert main([*argv, "--endpoint", endpoint]) == 0
    assert capsys.readouterr().out == here and here


def test_endpoint_errors_are_usage_errors(endpoint: str, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(UsageError, match="400: malformed query"):
        run_sparql(RemoteBackend(endpoint), "SELECT ?s WHERE {")
    with pytest.raises(UsageError, match="403: SERVICE"):
        run_sparql(RemoteBackend(endpoint), "SELECT * { SERVICE <http://127.0.0.1:1/> {} }")
    assert main(["sparql", "SELECT ?s WHERE {", "--endpoint", endpoint]) == 2
    assert "malformed query" in capsys.readouterr().err


def test_bad_urls() -> None:
    with pytest.raises(UsageError, match="not an http"):
        RemoteBackend("file:///etc/passwd")
    with pytest.raises(UsageError, match="cannot reach"):
        RemoteBackend("http://127.0.0.1:1/sparql").query("ASK {}")


def test_default_graph_in_the_url() -> None:
    backend = RemoteBackend("http://127.0.0.1:1/sparql?default-graph-uri=http%3A%2F%2Fa%2Fg&x=1")
    assert backend.default_graph == "http://a/g"
    assert backend.url == "http://127.0.0.1:1/sparql?x=1"
    with pytest.raises(UsageError, match="one default-graph-uri"):
        RemoteBackend("http://h/sparql?default-graph-uri=http://a&default-graph-uri=http://b")


def test_environment_proxies_are_not_used(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:1")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert run_sparql(RemoteBackend(endpoint), "ASK { ?s ?p ?o }") is True


# --- fake endpoints -------------------------------------------------------------------------


def fake_endpoint(answer: Callable[[BaseHTTPRequestHandler, bytes], None]) -> Any:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer(self, body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def fake() -> Iterator[Callable[..., str]]:
    servers = []

    def start(answer: Callable[[BaseHTTPRequestHandler, bytes], None]) -> str:
        server = fake_endpoint(answer)
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/sparql"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _reply(handler: BaseHTTPRequestHandler, status: int, media: str, body: str) -> None:
    data = body.encode()
    handler.send_response(status)
    handler.send_header("Content-Type", media)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


VIRTUOSO_ASK_TRUE = """<sparql xmlns="http://www.w3.org/2005/sparql-results#">
 <head><variable name="__ASK_RETVAL"/></head>
 <results distinct="false" ordered="true"><result><binding name="__ASK_RETVAL">
 <literal datatype="http://www.w3.org/2001/XMLSchema#integer">1</literal></binding></result>
 </results></sparql>"""
VIRTUOSO_ASK_FALSE = """<sparql xmlns="http://www.w3.org/2005/sparql-results#">
 <head><variable name="__ASK_RETVAL"/></head><results distinct="false" ordered="true">
 </results></sparql>"""
VIRTUOSO_JSON = """{ "head": { "link": [], "vars": ["n"] }, "results": { "distinct": false,
 "ordered": true, "bindings": [ { "n": { "type": "typed-literal",
 "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "42" }} ] } }"""


@pytest.mark.parametrize(
    ("body", "expected"), [(VIRTUOSO_ASK_TRUE, True), (VIRTUOSO_ASK_FALSE, False)]
)
def test_virtuoso_ask_as_a_table(fake: Callable[..., str], body: str, expected: bool) -> None:
    url = fake(lambda h, _: _reply(h, 200, "application/sparql-results+xml", body))
    result = RemoteBackend(url).query("ASK { ?s ?p ?o }")
    assert isinstance(result, ox.QueryBoolean) and bool(result) is expected


def test_virtuoso_typed_literal_json(fake: Callable[..., str]) -> None:
    url = fake(lambda h, _: _reply(h, 200, "application/sparql-results+json", VIRTUOSO_JSON))
    assert run_sparql(RemoteBackend(url), "SELECT ?n WHERE {}") == [{"n": 42}]


def test_asks_by_query_form_and_sends_the_graph(fake: Callable[..., str]) -> None:
    seen: list[tuple[str, bytes]] = []

    def answer(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        seen.append((handler.headers["Accept"], body))
        if "n-triples" in handler.headers["Accept"].split(",")[0]:
            _reply(
                handler, 200, "application/n-triples", "<http://a/s> <http://a/p> <http://a/o> .\n"
            )
        else:
            _reply(handler, 200, "application/sparql-results+xml", VIRTUOSO_ASK_TRUE)

    backend = RemoteBackend(fake(answer), default_graph="http://a/g")
    assert run_sparql(backend, "CONSTRUCT WHERE { ?s ?p ?o }") == [
        ox.Triple(
            ox.NamedNode("http://a/s"), ox.NamedNode("http://a/p"), ox.NamedNode("http://a/o")
        )
    ]
    assert run_sparql(backend, "ASK {}") is True
    assert seen[0][0].startswith("application/n-triples")
    assert seen[1][0].startswith("application/sparql-results+xml")
    assert all(b"default-graph-uri=http%3A%2F%2Fa%2Fg" in body for _, body in seen)


def test_redirects_are_not_followed(fake: Callable[..., str]) -> None:
    def answer(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        handler.send_response(307)
        handler.send_header("Location", "http://127.0.0.2:1/sparql")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    with pytest.raises(UsageError, match="redirects"):
        RemoteBackend(fake(answer)).query("ASK {}")


def test_error_text_from_other_endpoints(fake: Callable[..., str]) -> None:
    message = "Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error"
    url = fake(lambda h, _: _reply(h, 400, "text/plain", message + "\n\nSPARQL query:\n..."))
    with pytest.raises(UsageError, match="answered 400: Virtuoso 37000 Error SP030"):
        RemoteBackend(url).query("SELECT ?s WHERE {")
    url = fake(lambda h, _: _reply(h, 200, "text/html", "<html></html>"))
    with pytest.raises(UsageError, match="text/html"):
        RemoteBackend(url).query("SELECT ?s WHERE {}")
