"""The HTTP face: SPARQL 1.1 Protocol at ``/sparql``, named questions at ``/questions``, the site.

Routes:

- ``GET /sparql?query=...``, ``POST /sparql`` (form field ``query`` or an
  ``application/sparql-query`` body): results by the Accept header; ``GET /sparql`` with
  no query: the service description (Turtle, N-Triples, JSON-LD or RDF/XML);
- ``GET /questions``: the named questions; ``GET /questions/NAME?param=value``: one answered;
- anything else: the built site, when ``--site`` names one.

Every error is JSON of one shape, ``{"error": {"status": ..., "message": ...}}``, and
never carries a traceback.
"""

from __future__ import annotations

import contextlib
import mimetypes
import re
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pyoxigraph as ox

from kb.errors import UsageError
from kb.server import KB_GRAPH
from kb.server.answer import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Refused,
    Reply,
    error,
    json_reply,
    negotiate,
    question_list,
)
from kb.server.pool import LIMIT_STATUS, QuestionJob, SparqlJob, WorkerPool

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DRAIN_LIMIT = 8 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """How ``kb serve`` runs; every bound has a default that suits a laptop."""

    host: str = "127.0.0.1"
    port: int = 8000
    paths: tuple[str, ...] | None = None
    site: Path | None = None
    workers: int = 2
    timeout: float = 5.0
    max_rows: int = 10_000
    max_body: int = 64 * 1024
    max_connections: int = 128
    max_memory: int = 1024
    quiet: bool = False


class EndpointServer(ThreadingHTTPServer):
    """A threaded HTTP server that hands every query to a :class:`WorkerPool`."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, settings: Settings, pool: WorkerPool):
        self.settings = settings
        self.pool = pool
        self.connections = threading.BoundedSemaphore(settings.max_connections)
        if ":" in settings.host:
            self.address_family = socket.AF_INET6
        super().__init__((settings.host, settings.port), Handler)

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.connections.acquire(blocking=False):
            try:
                reply = error(503, "too many open connections; try again shortly")
                request.sendall(_raw_response(reply))
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.release()


def _raw_response(reply: Reply) -> bytes:
    head = (
        f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}\r\n"
        f"Content-Type: {reply.content_type}\r\nContent-Length: {len(reply.body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + reply.body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kb-serve"
    timeout = 30  # seconds a client may stay silent mid-request
    server: EndpointServer

    # --- plumbing ---------------------------------------------------------------------

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    def _handle(self) -> None:
        self._body_read = False
        try:
            reply = self._route()
        except Refused as refusal:
            reply = error(refusal.status, refusal.message, refusal.headers)
        except Exception as problem:  # never a traceback to the client
            self.log_message("internal error: %s: %s", type(problem).__name__, problem)
            reply = error(500, "internal error; see the server log")
        unread = self.headers.get("Transfer-Encoding") or self.headers.get("Content-Length") or "0"
        if not self._body_read and unread.strip() not in ("", "0"):
            self.close_connection = True  # the body left unread must not be taken as a request
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (bad request line, headers too long) in our JSON shape."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # unparsable request line: answer in HTTP/1.0
            self.request_version = "HTTP/1.0"
        reason = message or HTTPStatus(code).phrase
        with contextlib.suppress(OSError):
            self._send(error(code, reason))

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.settings.quiet:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    # --- routing ----------------------------------------------------------------------

    def _route(self) -> Reply:
        parts = urlsplit(self.path)
        path = parts.path
        if path in ("/sparql", "/sparql/"):
            return self._sparql(parts.query)
        if path in ("/questions", "/questions/") or path.startswith("/questions/"):
            self._allow("GET", "HEAD")
            name = path.removeprefix("/questions").strip("/")
            if not name:
                return json_reply(question_list())
            arguments = {}
            for key, values in _params(parts.query).items():
                if len(values) > 1:
                    raise Refused(400, f"parameter {key!r} given {len(values)} times; give it once")
                arguments[key] = values[0]
            return self.server.pool.run(QuestionJob(unquote(name), tuple(arguments.items())))
        self._allow("GET", "HEAD")
        if self.server.settings.site is not None:
            return self._static(self.server.settings.site, path)
        if path == "/":
            return json_reply(
                {
                    "sparql": f"{self.server.url}/sparql",
                    "questions": f"{self.server.url}/questions",
                }
            )
        raise Refused(404, f"nothing at {path}; try /sparql or /questions")

    def _allow(self, *methods: str) -> None:
        if self.command not in methods:
            allowed = ", ".join(methods)
            raise Refused(
                405, f"{self.command} is not allowed here; use {allowed}", (("Allow", allowed),)
            )

    # --- SPARQL protocol --------------------------------------------------------------

    def _sparql(self, query_string: str) -> Reply:
        self._allow("GET", "HEAD", "POST")
        params = _params(query_string)
        if self.command == "POST":
            media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            body = self._body()
            if media == "application/x-www-form-urlencoded":
                for key, values in _params(_text(body)).items():
                    params.setdefault(key, []).extend(values)
            elif media == "application/sparql-query":
                params.setdefault("query", []).append(_text(body))
            elif media == "application/sparql-update":
                raise Refused(403, "SPARQL Update is not accepted: this endpoint is read-only")
            else:
                raise Refused(
                    415,
                    f"cannot read a {media or 'body without a Content-Type'}; send "
                    "application/x-www-form-urlencoded or application/sparql-query",
                )
        if "update" in params:
            raise Refused(403, "SPARQL Update is not accepted: this endpoint is read-only")
        queries = params.get("query", [])
        if not queries:
            if self.command == "POST":
                raise Refused(400, "no query: send it as the 'query' form field")
            return self._description()
        if len(queries) > 1:
            raise Refused(400, f"{len(queries)} queries given; send one")
        job = SparqlJob(
            queries[0],
            self.headers.get("Accept"),
            tuple(params.get("default-graph-uri", [])),
            tuple(params.get("named-graph-uri", [])),
        )
        return self.server.pool.run(job)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise Refused(411, "send the body with a Content-Length, not chunked")
        raw = self.headers.get("Content-Length")
        if raw is None:
            self.close_connection = True
            raise Refused(411, "a POST needs a Content-Length")
        try:
            length = int(raw)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            raise Refused(400, f"bad Content-Length {raw!r}")
        limit = self.server.settings.max_body
        if length > limit:
            self.close_connection = True
            self._drain(length)
            raise Refused(413, f"the body has {length} bytes; the limit is {limit}")
        self._body_read = True
        return self.rfile.read(length)

    def _drain(self, length: int) -> None:
        """Read (and drop) a too-large body so the client sees the 413, not a reset."""
        left = min(length, _DRAIN_LIMIT)
        try:
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    return
                left -= len(chunk)
        except OSError:
            return

    def _description(self) -> Reply:
        """The SPARQL 1.1 Service Description of this endpoint."""
        offers = list(GRAPH_FORMATS)[:4]
        media = negotiate(self.headers.get("Accept"), offers) or offers[0]
        return Reply(
            200,
            media if media.endswith("json") else media + "; charset=utf-8",
            service_description(
                f"{self.server.url}/sparql", GRAPH_FORMATS[media], self.server.pool.timeout
            ),
        )

    # --- the site ---------------------------------------------------------------------

    def _static(self, root: Path, path: str) -> Reply:
        root = root.resolve()
        try:
            target = (root / unquote(path).lstrip("/")).resolve()
        except (OSError, ValueError):
            target = root / "\0"
        if not target.is_relative_to(root):
            raise Refused(404, f"nothing at {path}")
        if target.is_dir():
            if not path.endswith("/"):
                return Reply(301, "text/plain; charset=utf-8", b"", (("Location", path + "/"),))
            target = target / "index.html"
        if not target.is_file():
            page = root / "404.html"
            if page.is_file():
                return Reply(404, "text/html; charset=utf-8", page.read_bytes())
            raise Refused(404, f"nothing at {path}")
        media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if media.startswith("text/") or media in ("application/javascript", "image/svg+xml"):
            media += "; charset=utf-8"
        return Reply(200, media, target.read_bytes())


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise Refused(400, f"the body is not UTF-8: {problem.reason}") from None


def _params(query_string: str) -> dict[str, list[str]]:
    try:
        return parse_qs(query_string, keep_blank_values=True, errors="strict", max_num_fields=64)
    except UnicodeDecodeError:
        raise Refused(400, "the parameters are not UTF-8") from None
    except ValueError as problem:
        raise Refused(400, f"cannot read the parameters: {problem}") from None


def service_description(endpoint: str, rdf_format: ox.RdfFormat, timeout: float) -> bytes:
    """What the endpoint offers, in the SPARQL 1.1 Service Description vocabulary."""
    node = ox.NamedNode(endpoint)
    dataset, graph = ox.BlankNode("dataset"), ox.BlankNode("graph")
    named = ox.BlankNode("named")

    def iri(text: str) -> ox.NamedNode:
        return ox.NamedNode(text)

    triples = [
        ox.Triple(node, iri(RDF_TYPE), iri(SD + "Service")),
        ox.Triple(node, iri(SD + "endpoint"), node),
        ox.Triple(node, iri(SD + "supportedLanguage"), iri(SD + "SPARQL11Query")),
        ox.Triple(node, iri(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, iri(RDF_TYPE), iri(SD + "Dataset")),
        ox.Triple(dataset, iri(SD + "defaultGraph"), graph),
        ox.Triple(graph, iri(RDF_TYPE), iri(SD + "Graph")),
        ox.Triple(dataset, iri(SD + "namedGraph"), named),
        ox.Triple(named, iri(RDF_TYPE), iri(SD + "NamedGraph")),
        ox.Triple(named, iri(SD + "name"), iri(KB_GRAPH)),
        ox.Triple(
            node,
            iri("http://www.w3.org/2000/01/rdf-schema#comment"),
            ox.Literal(
                "The inner-alignment KB, read-only: no update, LOAD or SERVICE; FROM only "
                f"<{KB_GRAPH}>; queries stop after {timeout:g} s ({LIMIT_STATUS} if they run "
                "longer or return too many rows)."
            ),
        ),
    ]
    names = {
        "application/sparql-results+json": "SPARQL_Results_JSON",
        "application/sparql-results+xml": "SPARQL_Results_XML",
        "text/csv": "SPARQL_Results_CSV",
        "text/tab-separated-values": "SPARQL_Results_TSV",
        "text/turtle": "Turtle",
        "application/n-triples": "N-Triples",
        "application/ld+json": "JSON-LD",
        "application/rdf+xml": "RDF_XML",
    }
    for media in [*list(RESULT_FORMATS)[:4], *list(GRAPH_FORMATS)[:4]]:
        triples.append(ox.Triple(node, iri(SD + "resultFormat"), iri(FORMATS_NS + names[media])))
    prefixes = {"sd": SD, "formats": FORMATS_NS, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    data = ox.serialize(
        triples,
        format=rdf_format,
        prefixes=None if rdf_format == ox.RdfFormat.N_TRIPLES else prefixes,
    )
    return data if isinstance(data, bytes) else str(data).encode("utf-8")


_LOOPBACK = re.compile(r"^(127\.\d+\.\d+\.\d+|::1|localhost)$")


def is_loopback(host: str) -> bool:
    return bool(_LOOPBACK.match(host))


def make_server(settings: Settings) -> EndpointServer:
    """Load the KB, start the workers and bind; the caller runs ``serve_forever``."""
    from kb.server.answer import store_dump

    dump = store_dump(list(settings.paths) if settings.paths else None)
    pool = WorkerPool(
        dump,
        size=settings.workers,
        timeout=settings.timeout,
        max_rows=settings.max_rows,
        max_memory=settings.max_memory,
    )
    try:
        return EndpointServer(settings, pool)
    except OSError as problem:
        pool.close()
        where = f"{settings.host}:{settings.port}"
        raise UsageError(f"cannot listen on {where}: {problem.strerror or problem}") from None
    except BaseException:
        pool.close()
        raise


def serve(settings: Settings) -> None:
    """Run the endpoint until interrupted."""
    server = make_server(settings)

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        print(
            f"kb serve: SPARQL at {server.url}/sparql, questions at {server.url}/questions"
            f" ({settings.workers} workers; per query {settings.timeout:g} s, "
            f"{settings.max_rows} rows, {settings.max_memory} MB)",
            flush=True,
        )
        if not is_loopback(settings.host):
            print(f"kb serve: warning: listening on {settings.host}, not loopback", file=sys.stderr)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.pool.close()
