"""The HTTP face: SPARQL 1.1 Protocol at ``/sparql``, named questions at ``/api/questions``,
the site.

Routes:

- ``GET /sparql?query=...``, ``POST /sparql`` (form field ``query`` or an
  ``application/sparql-query`` body): results by the Accept header; ``GET /sparql`` with
  no query: the service description (Turtle, N-Triples, JSON-LD or RDF/XML);
- ``GET /api/questions``: the named questions; ``GET /api/questions/NAME?param=value``: one
  answered;
- anything else: the built site, when ``--site`` names one.

Every error is JSON of one shape, ``{"error": {"status": ..., "message": ...}}``, and
never carries a traceback.
"""

from __future__ import annotations

import contextlib
import gzip
import ipaddress
import mimetypes
import re
import signal
import socket
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pyoxigraph as ox

from kb.model.errors import UsageError
from kb.model.vocab import KB_GRAPH
from kb.serve.answer import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    Refused,
    Reply,
    error,
    json_reply,
    negotiate,
    question_list,
)
from kb.serve.pool import (
    DEFAULT_REPLY_BYTES,
    LIMIT_STATUS,
    QuestionJob,
    SparqlJob,
    WorkerPool,
)

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
    #: Largest answer in bytes; the answers being sent at once share 4 times this.
    max_reply: int = DEFAULT_REPLY_BYTES
    #: Seconds a client has to send a whole request (head, then body), and to read an answer.
    request_timeout: float = 10.0
    send_timeout: float = 30.0
    #: Host names (besides IP addresses and localhost) the server answers for.
    allowed_hosts: tuple[str, ...] = ()
    #: Origins whose pages may read answers (CORS); none by default, "*" for any.
    cors_origins: tuple[str, ...] = ()
    #: Megabytes of answers kept for repeated requests (0: none).
    cache_mb: int = 64
    quiet: bool = False


#: Bytes of a request line plus headers; more is a 431.
HEAD_LIMIT = 32 * 1024
#: Answers up to this size are sent outside the shared budget for large ones.
SMALL_REPLY = 64 * 1024


class _HeadTooLarge(Exception):
    pass


@dataclass(eq=False)
class _Connection:
    socket: socket.socket
    since: float
    reading: bool = True
    evicted: bool = False


class EndpointServer(ThreadingHTTPServer):
    """A threaded HTTP server that hands every query to a :class:`WorkerPool`.

    Bounds, whatever clients do: at most ``max_connections`` connections, and when they
    are all taken a new one evicts the connection that has waited longest for its
    request head (a slowloris trickle, or an idle keep-alive), never one being answered;
    every request must arrive within ``request_timeout`` and every answer leave within
    ``send_timeout``; answers over :data:`SMALL_REPLY` bytes being sent at once share a
    budget of ``4 * max_reply`` bytes (503 beyond it).
    """

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, settings: Settings, pool: WorkerPool):
        self.settings = settings
        self.pool = pool
        self._lock = threading.Lock()
        self._connections: dict[Any, _Connection] = {}
        self._budget = 4 * settings.max_reply
        self._gzipped: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
        self._gzipped_bytes = 0
        self._cache = _Cache(settings.cache_mb * 1024 * 1024)
        if ":" in settings.host:
            self.address_family = socket.AF_INET6
        super().__init__((settings.host, settings.port), Handler)

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            if len(self._connections) >= self.settings.max_connections:
                waiting = [c for c in self._connections.values() if c.reading and not c.evicted]
                if not waiting:
                    self._refuse(request)
                    return
                victim = min(waiting, key=lambda c: c.since)
                victim.evicted = True
                with contextlib.suppress(OSError):
                    victim.socket.shutdown(socket.SHUT_RDWR)
            self._connections[request] = _Connection(request, time.monotonic())
        super().process_request(request, client_address)

    def _refuse(self, request: Any) -> None:
        with contextlib.suppress(OSError):
            request.settimeout(1)
            request.sendall(_raw_response(error(503, "too many busy connections; try again")))
        self.shutdown_request(request)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._connections.pop(request, None)

    def answer(self, job: SparqlJob | QuestionJob, client: str) -> Reply:
        """The pool's answer to ``job``, or the same answer given before: the KB is
        read-only, so a request answers the same way until the server restarts (unless
        its query calls RAND, NOW, UUID, STRUUID or BNODE, which are never kept)."""
        key = None if isinstance(job, SparqlJob) and _VOLATILE.search(job.query) else job
        if key is not None:
            found = self._cache.get(key)
            if found is not None:
                return found
        reply = self.pool.run(job, client)
        if key is not None and reply.status == 200:
            self._cache.put(key, reply)
        return reply

    def state(self, request: Any, reading: bool) -> None:
        """Mark a connection as waiting for a request head (evictable) or being answered."""
        with self._lock:
            found = self._connections.get(request)
            if found is not None:
                found.reading = reading
                found.since = time.monotonic()

    def reserve(self, size: int) -> bool:
        """Take ``size`` bytes of the budget for answers being sent; False if it is spent."""
        if size <= SMALL_REPLY:
            return True
        with self._lock:
            if size > self._budget:
                return False
            self._budget -= size
            return True

    def release(self, size: int) -> None:
        if size > SMALL_REPLY:
            with self._lock:
                self._budget += size

    def gzipped(self, key: tuple[str, int, int], data: bytes) -> bytes:
        """A site file compressed once and kept (up to 32 MB of them)."""
        with self._lock:
            found = self._gzipped.get(key)
        if found is not None:
            return found
        packed = gzip.compress(data, compresslevel=6, mtime=0)
        with self._lock:
            self._gzipped[key] = packed
            self._gzipped_bytes += len(packed)
            while self._gzipped_bytes > 32 * 1024 * 1024:
                _, dropped = self._gzipped.popitem(last=False)
                self._gzipped_bytes -= len(dropped)
        return packed

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One escaped line per failed connection, never a traceback."""
        problem = sys.exc_info()[1]
        if isinstance(problem, ConnectionError | TimeoutError) or self.settings.quiet:
            return  # a client that went away or stalled: nothing to report
        host = client_address[0] if client_address else "?"
        _log(f"{host} - connection failed: {type(problem).__name__}: {problem}")


#: Functions whose answers differ from call to call.
_VOLATILE = re.compile(r"(?i)(RAND|NOW|UUID|STRUUID|BNODE)\s*\(")


class _Cache:
    """Replies by request, least recently used dropped first, within ``limit`` bytes."""

    def __init__(self, limit: int):
        self._limit = limit
        self._items: OrderedDict[Any, Reply] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Any) -> Reply | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Any, reply: Reply) -> None:
        size = len(reply.body) + 512
        if size > self._limit // 16:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = reply
            self._bytes += size
            while self._bytes > self._limit:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped.body) + 512


def _log(line: str) -> None:
    sys.stderr.write(escape_controls(line) + "\n")


_CONTROLS = {code: f"\\x{code:02x}" for code in [*range(0x20), *range(0x7F, 0xA0)]}


def escape_controls(text: str) -> str:
    r"""``text`` with every C0 and C1 control character (and DEL) written as ``\xNN``.

    >>> escape_controls("GET /\x1b[31mred")
    'GET /\\x1b[31mred'
    """
    return text.translate(_CONTROLS)


def _raw_response(reply: Reply) -> bytes:
    head = (
        f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}\r\n"
        f"Content-Type: {reply.content_type}\r\nContent-Length: {len(reply.body)}\r\n"
        "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + reply.body


class _Reader:
    """A connection's input, with a deadline for each whole request and a cap on its head.

    A socket timeout alone restarts with every byte, so a client trickling one byte at a
    time could hold a connection for ever; here every read waits only for what is left of
    the request's deadline.
    """

    def __init__(self, sock: socket.socket):
        self._socket = sock
        self._buffer = bytearray()
        self.deadline = time.monotonic()
        self.head_left: int | None = None

    def start(self, seconds: float, head_limit: int | None) -> None:
        self.deadline = time.monotonic() + seconds
        self.head_left = head_limit

    def _fill(self) -> bool:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request took too long")
        self._socket.settimeout(left)
        data = self._socket.recv(65536)
        self._buffer += data
        return bool(data)

    def _take(self, size: int) -> bytes:
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        if self.head_left is not None:
            self.head_left -= len(data)
            if self.head_left < 0:
                raise _HeadTooLarge
        return data

    def readline(self, limit: int = -1) -> bytes:
        while True:
            end = self._buffer.find(b"\n") + 1
            if limit >= 0 and (not end or end > limit) and len(self._buffer) >= limit:
                end = limit
            if end:
                return self._take(end)
            if not self._fill():
                return self._take(len(self._buffer))

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size and self._fill():
            pass
        return self._take(min(size, len(self._buffer)))

    def close(self) -> None:
        self._buffer.clear()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kb-serve"
    #: Answers leave at once instead of waiting ~40 ms for an ACK (Nagle's algorithm).
    disable_nagle_algorithm = True
    server: EndpointServer
    rfile: Any

    # --- plumbing ---------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.rfile.close()
        self.rfile = _Reader(self.connection)

    def handle_one_request(self) -> None:
        settings = self.server.settings
        self.server.state(self.request, reading=True)
        self.rfile.start(settings.request_timeout, HEAD_LIMIT)
        self.command, self.requestline, self.request_version = "", "", "HTTP/1.1"
        try:
            super().handle_one_request()
        except _HeadTooLarge:
            self.send_error(431, f"the request head is over {HEAD_LIMIT} bytes")

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self.rfile.head_left = None
        self.server.state(self.request, reading=False)
        self.rfile.start(self.server.settings.request_timeout, None)
        return parsed

    def handle_expect_100(self) -> bool:
        """Answer a body that would be refused before the client sends it."""
        try:
            self._check_framing()
            self._check_host()
            length = self._content_length()
            if length is not None and length > self.server.settings.max_body:
                raise Refused(413, self._too_large(length))
        except Refused as refusal:
            self.close_connection = True
            self._send(error(refusal.status, refusal.message, refusal.headers))
            return False
        self._write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def version_string(self) -> str:
        return self.server_version

    def address_string(self) -> str:
        return str(self.client_address[0])

    def do_GET(self) -> None:
        self._handle()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def _handle(self) -> None:
        self._body_read = False
        extra: tuple[tuple[str, str], ...] = ()
        try:
            self._check_framing()
            self._check_host()
            path = urlsplit(self.path).path
            if _is_api(path):
                extra = self._cors()
            reply = self._route()
        except Refused as refusal:
            reply = error(refusal.status, refusal.message, refusal.headers)
        except Exception as problem:  # never a traceback, to the client or the log
            self.log_message("internal error: %s: %s", type(problem).__name__, problem)
            reply = error(500, "internal error; see the server log")
        unread = self.headers.get("Transfer-Encoding") or self.headers.get("Content-Length") or "0"
        if not self._body_read and unread.strip() not in ("", "0"):
            self.close_connection = True  # the body left unread must not be taken as a request
        if extra:
            reply = replace(reply, headers=reply.headers + extra)
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        body = b"" if self.command == "HEAD" or reply.status in (204, 304) else reply.body
        if not self.server.reserve(len(body)):
            reply = error(
                503,
                "the server is busy sending other large answers; try again",
                (("Retry-After", "2"),),
            )
            body = reply.body
        try:
            self.log_request(reply.status)
            lines = [
                f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}",
                f"Server: {self.server_version}",
                f"Date: {self.date_time_string()}",
                f"Content-Type: {reply.content_type}",
                f"Content-Length: {len(reply.body)}",
                "X-Content-Type-Options: nosniff",
                *(f"{name}: {value}" for name, value in reply.headers),
            ]
            if self.close_connection:
                lines.append("Connection: close")
            head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            if len(body) <= SMALL_REPLY:
                self._write(head + body)
            else:
                self._write(head)
                self._write(body)
        finally:
            self.server.release(len(body))

    def _write(self, data: bytes) -> None:
        """Send within ``send_timeout`` in all, however slowly the client reads."""
        deadline = time.monotonic() + self.server.settings.send_timeout
        view, sent = memoryview(data), 0
        while sent < len(view):
            left = deadline - time.monotonic()
            if left <= 0:
                self.close_connection = True
                raise TimeoutError("the client read the answer too slowly")
            self.connection.settimeout(left)
            sent += self.connection.send(view[sent : sent + 262144])

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
            _log(f"{self.address_string()} - {format % args}")

    # --- checks every request passes ----------------------------------------------------

    def _check_framing(self) -> None:
        """One way to tell where the body ends, or a 400 (request smuggling)."""
        lengths = self.headers.get_all("Content-Length") or []
        if len(lengths) > 1 or (lengths and self.headers.get("Transfer-Encoding")):
            self.close_connection = True
            raise Refused(400, "give one Content-Length and no Transfer-Encoding with it")

    def _content_length(self) -> int | None:
        raw = self.headers.get("Content-Length")
        if raw is None:
            return None
        if not raw.strip().isdigit():
            self.close_connection = True
            raise Refused(400, f"bad Content-Length {raw[:40]!r}")
        return int(raw)

    def _check_host(self) -> None:
        """Answer only requests addressed to this server by an IP address, ``localhost`` or
        a name given with ``--allowed-host``: a page on another site that rebinds its own
        name to this machine's address (DNS rebinding) gets a 421."""
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1:
            raise Refused(400, "more than one Host header")
        if not hosts:
            if self.request_version == "HTTP/1.1":
                raise Refused(400, "an HTTP/1.1 request needs a Host header")
            return
        if not host_allowed(hosts[0], self.server.settings.allowed_hosts):
            shown = escape_controls(hosts[0][:100])
            raise Refused(
                421,
                f"this server does not answer for the host {shown!r}; start it with "
                "--allowed-host NAME to allow a name",
            )

    def _cors(self) -> tuple[tuple[str, str], ...]:
        """CORS headers for a page at another origin, if ``--cors-origin`` allows it."""
        origin = self.headers.get("Origin")
        allowed = self.server.settings.cors_origins
        if not origin or not allowed:
            return ()
        if "*" in allowed:
            return (("Access-Control-Allow-Origin", "*"),)
        if origin in allowed:
            return (("Access-Control-Allow-Origin", origin), ("Vary", "Origin"))
        return ()

    # --- routing ----------------------------------------------------------------------

    def _route(self) -> Reply:
        parts = urlsplit(self.path)
        path = parts.path
        if self.command == "OPTIONS" and _is_api(path) and self._cors():
            return Reply(
                204,
                "text/plain; charset=utf-8",
                b"",
                (
                    ("Access-Control-Allow-Methods", "GET, HEAD, POST"),
                    ("Access-Control-Allow-Headers", "Accept, Content-Type"),
                    ("Access-Control-Max-Age", "600"),
                ),
            )
        if path in ("/sparql", "/sparql/"):
            return self._sparql(parts.query)
        if path in ("/api/questions", "/api/questions/") or path.startswith("/api/questions/"):
            self._allow("GET", "HEAD")
            name = path.removeprefix("/api/questions").strip("/")
            if not name:
                return json_reply(question_list())
            arguments = {}
            for key, values in _params(parts.query).items():
                if len(values) > 1:
                    raise Refused(400, f"parameter {key!r} given {len(values)} times; give it once")
                arguments[key] = values[0]
            job = QuestionJob(unquote(name), tuple(arguments.items()))
            return self.server.answer(job, self.address_string())
        self._allow("GET", "HEAD")
        if path in ("/api", "/api/") or (path == "/" and self.server.settings.site is None):
            return json_reply(
                {
                    "sparql": f"{self.server.url}/sparql",
                    "questions": f"{self.server.url}/api/questions",
                }
            )
        if self.server.settings.site is not None:
            return self._static(self.server.settings.site, path)
        raise Refused(404, f"nothing at {_short(path)}; try /sparql or /api/questions")

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
            f"{self.server.url}/sparql",
        )
        reply = self.server.answer(job, self.address_string())
        return replace(reply, headers=(*reply.headers, ("Vary", "Accept")))

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise Refused(411, "send the body with a Content-Length, not chunked")
        length = self._content_length()
        if length is None:
            self.close_connection = True
            raise Refused(411, "a POST needs a Content-Length")
        if length > self.server.settings.max_body:
            self.close_connection = True
            self._drain(length)
            raise Refused(413, self._too_large(length))
        self._body_read = True
        return self.rfile.read(length)

    def _too_large(self, length: int) -> str:
        return f"the body has {length} bytes; the limit is {self.server.settings.max_body}"

    def _drain(self, length: int) -> None:
        """Read (and drop) a too-large body so the client sees the 413, not a reset."""
        left = min(length, _DRAIN_LIMIT)
        try:
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    return
                left -= len(chunk)
        except (OSError, _HeadTooLarge):
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
            (("Vary", "Accept"),),
        )

    # --- the site ---------------------------------------------------------------------

    def _static(self, root: Path, path: str) -> Reply:
        """A file of the built site, gzipped when the client accepts it, with an ETag and
        a Cache-Control; any path that is not a readable file inside the site is a 404."""
        try:
            found = _site_file(root, path)
        except (OSError, RuntimeError, ValueError):
            found = None
        if isinstance(found, Reply):
            return found
        if found is None:
            page = root / "404.html"
            if page.is_file():
                return Reply(404, "text/html; charset=utf-8", page.read_bytes())
            raise Refused(404, f"nothing at {_short(path)}")
        target, data, stat = found
        media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if media.startswith("text/") or media in _TEXT_MEDIA:
            media += "; charset=utf-8"
        tag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        headers = [("Cache-Control", _cache_control(target, media)), ("Vary", "Accept-Encoding")]
        packed = (media.startswith("text/") or media.split(";")[0] in _TEXT_MEDIA) and len(
            data
        ) > 512
        if packed and _accepts_gzip(self.headers.get("Accept-Encoding")):
            data = self.server.gzipped((str(target), stat.st_mtime_ns, stat.st_size), data)
            tag = tag[:-1] + '-gzip"'
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("ETag", tag))
        if tag in (self.headers.get("If-None-Match") or ""):
            return Reply(304, media, b"", tuple(headers))
        return Reply(200, media, data, tuple(headers))


_TEXT_MEDIA = ("application/javascript", "image/svg+xml", "application/json", "application/xml")
_HASHED = re.compile(r"\.[0-9a-f]{8,}\.(min\.)?(js|css)$")


def _site_file(root: Path, path: str) -> tuple[Path, bytes, Any] | Reply | None:
    root = root.resolve()
    target = (root / unquote(path).lstrip("/")).resolve()
    if not target.is_relative_to(root):
        return None
    if target.is_dir():
        if not path.endswith("/"):
            return Reply(301, "text/plain; charset=utf-8", b"", (("Location", path + "/"),))
        target = target / "index.html"
    if not target.is_file():
        return None
    return target, target.read_bytes(), target.stat()


def _cache_control(target: Path, media: str) -> str:
    """Pages are checked again each time (they change with the KB); files whose names
    carry a content hash are kept for a year; other files for an hour."""
    if media.startswith("text/html"):
        return "no-cache"
    if _HASHED.search(target.name):
        return "public, max-age=31536000, immutable"
    return "public, max-age=3600"


def _accepts_gzip(header: str | None) -> bool:
    for item in (header or "").split(","):
        name, *params = (part.strip() for part in item.split(";"))
        if name.lower() in ("gzip", "*"):
            return not any(
                p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params
            )
    return False


def _is_api(path: str) -> bool:
    return path.startswith(("/sparql", "/api"))


def _short(path: str) -> str:
    return path if len(path) <= 100 else path[:99] + "…"


def host_allowed(header: str, names: tuple[str, ...]) -> bool:
    """Whether a ``Host`` header names this server: an IP address (which no other site
    can rebind), ``localhost``, or one of ``names`` ("*" allows any).

    >>> host_allowed("127.0.0.1:8000", ()), host_allowed("[::1]:80", ())
    (True, True)
    >>> host_allowed("evil.example:8000", ()), host_allowed("kb.example", ("kb.example",))
    (False, True)
    """
    if header.startswith("["):
        name = header[1 : header.find("]")] if "]" in header else header
    else:
        name = header.rsplit(":", 1)[0] if header.count(":") == 1 else header
    name = name.strip().rstrip(".").lower()
    if "*" in names or name == "localhost" or name in {n.lower() for n in names}:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


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
    from kb.serve.answer import store_dump

    dump = store_dump(list(settings.paths) if settings.paths else None)
    pool = WorkerPool(
        dump,
        size=settings.workers,
        timeout=settings.timeout,
        max_rows=settings.max_rows,
        max_memory=settings.max_memory,
        max_reply=settings.max_reply,
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
            f"kb serve: SPARQL at {server.url}/sparql, questions at {server.url}/api/questions"
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
