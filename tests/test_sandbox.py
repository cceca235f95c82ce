"""No query can reach the network, whatever its text: the endpoint, the command line and the
Python API, each against a live HTTP listener on loopback that must receive nothing.

The corpus (tests/sandbox_corpus.py) is every SERVICE and FROM spelling from the security
review plus generated variants; each SERVICE spelling is first shown to be live, i.e. bare
pyoxigraph in this process does fetch it, so the sandbox is what stops it.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import run_kb_process
from kb_server import kb_serve
from sandbox_corpus import REVIEW_BYPASSES, from_corpus, service_corpus

from kb.api import KnowledgeBase
from kb.model.errors import UsageError
from kb.query import sandbox

_ANSWER = json.dumps(
    {
        "head": {"vars": ["s"]},
        "results": {"bindings": [{"s": {"type": "literal", "value": "FETCHED"}}]},
    }
).encode()


class Listener(http.server.ThreadingHTTPServer):
    """Answers any request with one SPARQL JSON row, "FETCHED", and counts connections."""

    daemon_threads = True

    def __init__(self) -> None:
        self.connections = 0
        super().__init__(("127.0.0.1", 0), _Handler)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self.connections += 1
        return True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(_ANSWER)))
        self.end_headers()
        self.wfile.write(_ANSWER)

    do_GET = do_POST

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with kb_serve() as base:
        yield base


def _evaluate_unprotected(query: str) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/x"), ox.NamedNode("http://e/p"), ox.Literal("1")))
    try:
        result = store.query(query)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (OSError, RuntimeError, SyntaxError, ValueError):
        pass


def _get(base: str, query: str) -> tuple[int, str]:
    url = f"{base}/sparql?" + urllib.parse.urlencode({"query": query})
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


# --- the mechanism ----------------------------------------------------------------------


def test_an_isolated_process_cannot_connect(listener: Listener) -> None:
    def connect() -> str:
        with socket.create_connection(("127.0.0.1", listener.server_address[1]), timeout=5):
            return "connected"

    with pytest.raises(UsageError, match=r"not permitted|unreachable"):
        sandbox.run_isolated(connect)
    assert listener.connections == 0
    assert connect() == "connected"  # the listener is live
    _wait_for(listener, 1)
    listener.connections = 0


def _wait_for(listener: Listener, count: int) -> None:
    for _ in range(100):
        if listener.connections >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"the listener saw {listener.connections} connections, not {count}")


@pytest.mark.parametrize("mechanism", ["_seccomp", "_namespace"])
def test_each_mechanism_alone_cuts_the_network(mechanism: str) -> None:
    """seccomp (the first choice) and the namespace (the fallback), each in a fresh child."""
    assert sandbox.network_reachable()
    pid = os.fork()
    if pid == 0:
        try:
            getattr(sandbox, mechanism)()
            os._exit(0 if not sandbox.network_reachable() else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status


def test_a_crash_while_evaluating_is_an_error_not_the_callers_death() -> None:
    with pytest.raises(UsageError, match="SIGKILL"):
        sandbox.run_isolated(lambda: os.kill(os.getpid(), signal.SIGKILL))
    assert sandbox.run_isolated(lambda a, b: a + b, 2, 3) == 5


def test_the_corpus_is_live(listener: Listener) -> None:
    """Unprotected, every SERVICE spelling reaches the listener (pyoxigraph 0.5 refuses a
    variable as the service, so those are in the corpus for a later version only)."""
    for query in service_corpus(listener.url):
        before = listener.connections
        _evaluate_unprotected(query)
        if "?svc" not in query:
            _wait_for(listener, before + 1)
    listener.connections = 0


# --- SERVICE through the three faces ------------------------------------------------------


def test_service_never_reaches_the_network_through_the_api(
    listener: Listener, k: KnowledgeBase
) -> None:
    for query in service_corpus(listener.url):
        try:
            result = k.sparql(query)
        except UsageError:
            continue
        assert "FETCHED" not in repr(result), query
    assert listener.connections == 0


def test_service_never_reaches_the_network_through_the_endpoint(
    listener: Listener, endpoint: str
) -> None:
    for query in service_corpus(listener.url):
        status, body = _get(endpoint, query)
        assert "FETCHED" not in body, query
        assert status in (200, 400, 403), (status, body, query)
        if "SILENT" not in query.upper() and "?svc" not in query:
            assert status == 403 and "SERVICE" in body, (status, body, query)
    for bypass in REVIEW_BYPASSES:
        status, body = _get(endpoint, bypass.format(H=listener.url))
        assert status == 403 and "SERVICE is not allowed" in body
    assert listener.connections == 0


def test_service_never_reaches_the_network_through_the_cli(listener: Listener) -> None:
    def run(query: str) -> tuple[str, Any]:
        return query, run_kb_process("sparql", query, "--format", "json")

    # One process per query: the review's spellings and each clause spelling once.
    corpus = service_corpus(listener.url, nestings=1)
    with ThreadPoolExecutor(2) as pool:
        for query, done in pool.map(run, corpus):
            assert "FETCHED" not in done.stdout, query
            assert done.returncode in (0, 2), (done.stderr, query)
            assert "internal error" not in done.stderr
    assert listener.connections == 0


# --- FROM / FROM NAMED --------------------------------------------------------------------


def test_from_is_refused_whatever_the_spelling(
    listener: Listener, endpoint: str, k: KnowledgeBase
) -> None:
    corpus = from_corpus(listener.url)
    for query in corpus:
        status, body = _get(endpoint, query)
        assert status == 403 and "FROM" in body, (status, body, query)
        with pytest.raises(UsageError, match="FROM"):
            k.sparql(query)
    with ThreadPoolExecutor(2) as pool:
        runs = pool.map(lambda q: run_kb_process("sparql", q), corpus)
        for query, done in zip(corpus, runs, strict=True):
            assert done.returncode == 2 and "FROM" in done.stderr, (done.stderr, query)
    assert listener.connections == 0


def test_a_refused_from_named_is_called_so(listener: Listener, k: KnowledgeBase) -> None:
    with pytest.raises(UsageError, match=r"^FROM NAMED <"):
        k.sparql(f"SELECT * FROM NAMED <{listener.url}g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")


def test_the_kb_graph_may_be_named(endpoint: str, k: KnowledgeBase) -> None:
    from kb.model.vocab import KB_GRAPH

    query = f"SELECT (COUNT(*) AS ?n) FROM <{KB_GRAPH}> WHERE {{ ?s ?p ?o }}"
    status, body = _get(endpoint, query)
    assert status == 200
    assert k.sparql(query)[0]["n"] == int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_words_that_only_look_like_from_are_fine(k: KnowledgeBase) -> None:
    rows = k.sparql(
        'SELECT ?from WHERE { BIND("quoted from the essay" AS ?from) FILTER(?from != kb:from) }'
    )
    assert rows == [{"from": "quoted from the essay"}]
