"""Load test for ``kb serve``: good clients alone, then beside hostile ones, with Oxigraph's own
server as the baseline measured in the same run.

    python scripts/load_test.py [--runs 3] [--requests 3000] [--clients 32] [--workers 2]
                                [--timeout 5] [--attack-scale 1.0] [--tiny]

Starts ``kb serve``, ``kb serve --cache-mb 0`` (no answers kept for repeated requests) and,
when the ``oxigraph`` command is installed, ``oxigraph serve-read-only`` on the same
triples, on free loopback ports. Each run measures:

- **good**: ``--clients`` threads, each on its own keep-alive connection, send the good mix
  (the query each named question runs, with its example's values, plus raw SELECTs) to
  every server: requests/s, p50, p99; and the named questions through ``/api/questions``;
- **one client**: ``ASK {}`` on one keep-alive connection, median ms, on both servers;
- **under attack**: the same good clients against ``kb serve`` while, in another process,
  30 clients loop a query that overruns the time limit, 16 ask for a large answer and never
  read it, 50 connections trickle their headers (slowloris), and two send queries nested
  too deeply and malformed ones; a probe sends ``ASK {}`` every 0.25 s. Reported: the good
  clients' requests/s and p99, the probe's worst latency, the attackers' statuses (the
  slow-query policy, kept apart from the good figures) and the server's peak memory
  (the HTTP process, and with its workers).

Figures are min/median/max over ``--runs``. Checks: every good request 200 (also under
attack), every probe 200, deep and malformed queries 400, slow ones 422 or 503, no 5xx to
a good request, the server still answers. Exit status 0 when every check holds. Bounded:
every phase stops by itself. ``--tiny`` is the CI smoke run (a few requests, no timing
checked).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.model.vocab import sparql_prefixes
from kb.query.engine import LocalBackend, run_question
from kb.query.questions import registry

SELECTS = [
    "SELECT ?s ?label WHERE { ?s a kb:Scenario ; rdfs:label ?label } ORDER BY ?s",
    "SELECT ?a (COUNT(?v) AS ?n) WHERE { ?v a kb:Verdict ; kb:approach ?a } GROUP BY ?a",
    "SELECT ?v ?value WHERE { ?v kb:scenario id:example-3 ; kb:verdictValue ?value }",
    "SELECT DISTINCT ?type WHERE { ?s a ?type }",
    "ASK { ?s a kb:Approach }",
]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: One row holding an 8 MiB string: a large answer (under the 16 MiB --max-reply).
LARGE = (
    'SELECT ?v19 WHERE { BIND("0123456789abcdef" AS ?v0) '
    + " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(19))
    + " }"
)
DEEP = "SELECT * WHERE { FILTER(" + "(" * 20000 + "1" + ")" * 20000 + ") }"
#: Tracebacks found in a server's log (there must be none).
TRACEBACKS: list[str] = []
MALFORMED = ["SELECT ?s WHERE { ?s ?p }", "SELEKT * WHERE {}", "PREFIX broken SELECT * {}"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None


def good_mix() -> tuple[list[str], list[Request]]:
    """The good SPARQL texts (the same for both servers) and the named-question routes."""
    texts, routes = [], []

    class Recorder(LocalBackend):
        seen: list[str]

        def query(self, sparql: str) -> Any:
            self.seen.append(sparql)
            return super().query(sparql)

    recorder = Recorder()
    for name, question in registry().items():
        recorder.seen = []
        run_question(recorder, name, dict(question.example))
        texts.append(recorder.seen[-1])  # the question's own query, values bound
        query = urllib.parse.urlencode(question.example)
        routes.append(Request("GET", f"/api/questions/{name}" + (f"?{query}" if query else "")))
    texts += [sparql_prefixes() + text for text in SELECTS]
    return texts, routes


def sparql_get(path: str, text: str) -> Request:
    return Request("GET", f"{path}?{urllib.parse.urlencode({'query': text})}")


# --- servers ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def kb_server(args: argparse.Namespace, *extra: str) -> Iterator[tuple[str, int]]:
    """``kb serve`` on a free port: its base URL and process id."""
    command = [sys.executable, "-m", "kb.cli", "serve", "--port", "0", "--quiet", *extra]
    command += ["--timeout", str(args.timeout), "--workers", str(args.workers)]
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
        assert process.stdout is not None
        found = re.search(r"(http://[^\s/]+)/sparql", process.stdout.readline())
        try:
            if not found:
                log.seek(0)
                raise SystemExit(f"kb serve did not start: {log.read()[-500:]}")
            yield found.group(1), process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.seek(0)
            text = log.read()
            if "Traceback" in text:
                TRACEBACKS.append(text[text.index("Traceback") :][:3000])


@contextlib.contextmanager
def oxigraph_server(timeout: float) -> Iterator[str | None]:
    """``oxigraph serve-read-only`` on the same quads, or None if it is not installed."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        yield None
        return
    from kb.serve.answer import store_dump

    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / "kb.nq"
        dump.write_bytes(store_dump(None))
        location = str(Path(folder) / "db")
        subprocess.run(
            [binary, "load", "--location", location, "--file", str(dump)],
            check=True,
            capture_output=True,
        )
        port = free_port()
        command = [binary, "serve-read-only", "--location", location]
        command += ["--bind", f"127.0.0.1:{port}", "--timeout-s", f"{timeout:g}"]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(100):
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and its children (the server and its workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = children.read_text().split() if children.exists() else []
    return rss_mb(pid) + sum(rss_mb(int(kid)) for kid in kids)


# --- clients ------------------------------------------------------------------------------


class Client:
    """One keep-alive connection, reopened after the server closes it."""

    def __init__(self, base: str):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.connection: http.client.HTTPConnection | None = None

    def send(self, request: Request) -> tuple[int, bytes]:
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
            connection = self.connection
            headers = {"Accept": "application/sparql-results+json"}
            try:
                connection.request(request.method, request.path, request.body, headers)
                response = connection.getresponse()
                body = response.read()
                if response.will_close:
                    connection.close()
                    self.connection = None
                return response.status, body
            except (ConnectionError, http.client.HTTPException):
                connection.close()
                self.connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


@dataclass
class Load:
    seconds: float
    latencies: list[float]
    statuses: Counter[int]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def p(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def run_load(base: str, requests: list[Request], clients: int, deadline: float = 300) -> Load:
    """Send every request from ``clients`` threads, each with its own connection."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    local = threading.local()
    stop_at = time.monotonic() + deadline

    def one(request: Request) -> None:
        if time.monotonic() > stop_at:
            return
        if not hasattr(local, "client"):
            local.client = Client(base)
        begin = time.perf_counter()
        try:
            status, _ = local.client.send(request)
        except OSError:
            status = 0
        with lock:
            latencies.append(time.perf_counter() - begin)
            statuses[status] += 1

    begin = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, requests))
    return Load(time.monotonic() - begin, latencies, statuses)


def one_client(base: str, path: str, count: int) -> float:
    """Median ms of ``ASK {}`` on one keep-alive connection."""
    client = Client(base)
    request = sparql_get(path, "ASK {}")
    client.send(request)
    times = []
    for _ in range(count):
        begin = time.perf_counter()
        status, _ = client.send(request)
        times.append(time.perf_counter() - begin)
        assert status == 200
    return statistics.median(times) * 1000


# --- hostile clients (in their own process) -----------------------------------------------


def raw_request(path: str, body: bytes = b"", method: str = "GET", extra: str = "") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}"
    if body:
        head += f"Content-Type: application/sparql-query\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def status_of(sock: socket.socket) -> int:
    head = sock.recv(64)
    return int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0


def attack(host: str, port: int, scale: float, stop: Any, report: Any) -> None:
    """Run every kind of hostile client until ``stop`` is set; put their statuses."""
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    def count(kind: str, status: int | str) -> None:
        with lock:
            counts[f"{kind} {status}"] += 1

    def connect(timeout: float = 60) -> socket.socket:
        return socket.create_connection((host, port), timeout=timeout)

    def loop(kind: str, make: Callable[[], bytes]) -> None:
        while not stop.is_set():
            try:
                with connect() as sock:
                    sock.sendall(make())
                    count(kind, status_of(sock))
            except OSError as problem:
                count(kind, type(problem).__name__)

    def slow_reader() -> None:
        while not stop.is_set():
            try:
                sock = socket.socket()
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.settimeout(60)
                sock.connect((host, port))
                sock.sendall(raw_request(sparql_get("/sparql", LARGE).path))
                with sock:
                    first = sock.recv(16)
                    count("slow-reader", first.split(b" ")[1].decode() if first else "closed")
                    while not stop.is_set() and sock.recv(1):  # one byte a second
                        stop.wait(1)
            except OSError as problem:
                count("slow-reader", type(problem).__name__)

    def slowloris() -> None:
        while not stop.is_set():
            try:
                with connect(timeout=5) as sock:
                    sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    while not stop.is_set():
                        sock.sendall(b"X")
                        stop.wait(1)
            except OSError:
                count("slowloris", "dropped")

    def n(base: int) -> int:
        return max(1, round(base * scale))

    slow = raw_request(sparql_get("/sparql", SLOW).path)
    jobs: list[Callable[[], None]] = []
    jobs += [lambda: loop("slow-query", lambda: slow)] * n(30)
    jobs += [slow_reader] * n(16)
    jobs += [slowloris] * n(50)
    jobs += [lambda: loop("deep", lambda: raw_request("/sparql", DEEP.encode(), "POST"))]
    jobs += [
        lambda: loop(
            "malformed",
            lambda: raw_request(sparql_get("/sparql", MALFORMED[int(time.time()) % 3]).path),
        )
    ]
    threads = [threading.Thread(target=job, daemon=True) for job in jobs]
    for thread in threads:
        thread.start()
    stop.wait()
    give_up = time.monotonic() + 10  # daemon threads still blocked are left to the exit
    for thread in threads:
        thread.join(timeout=max(0.0, give_up - time.monotonic()))
    with lock:
        report.put(dict(counts))


@dataclass
class Attacked:
    good: Load
    probes: list[float]
    probe_statuses: Counter[int]
    hostile: dict[str, int]
    peak_parent: float
    peak_total: float
    baseline_parent: float


def under_attack(
    base: str, pid: int, requests: list[Request], clients: int, scale: float
) -> Attacked:
    parts = urllib.parse.urlsplit(base)
    context = multiprocessing.get_context("spawn")
    stop, report = context.Event(), context.Queue()
    baseline_parent = rss_mb(pid)
    attacker = context.Process(
        target=attack, args=(parts.hostname, parts.port, scale, stop, report), daemon=True
    )
    attacker.start()
    probes: list[float] = []
    probe_statuses: Counter[int] = Counter()
    peaks = [baseline_parent, tree_rss_mb(pid)]
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            begin = time.perf_counter()
            try:
                status, _ = Client(base).send(sparql_get("/sparql", "ASK {}"))
            except OSError:
                status = 0
            probes.append(time.perf_counter() - begin)
            probe_statuses[status] += 1
            peaks[0] = max(peaks[0], rss_mb(pid))
            peaks[1] = max(peaks[1], tree_rss_mb(pid))
            done.wait(0.25)

    time.sleep(3)  # let the attack take hold
    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    good = run_load(base, requests, clients)
    time.sleep(1)
    done.set()
    prober.join(timeout=60)
    stop.set()
    hostile = report.get(timeout=120)
    attacker.join(timeout=30)
    return Attacked(good, probes, probe_statuses, hostile, peaks[0], peaks[1], baseline_parent)


# --- reporting ----------------------------------------------------------------------------


@dataclass
class Figures:
    rows: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, value: float) -> None:
        self.rows.setdefault(name, []).append(value)

    def print(self) -> None:
        print(f"\n{'':50}{'min':>10}{'median':>10}{'max':>10}")
        for name, values in self.rows.items():
            print(
                f"{name:50}{min(values):>10,.1f}{statistics.median(values):>10,.1f}"
                f"{max(values):>10,.1f}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=3000, help="good requests per phase")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="kb serve's worker processes")
    parser.add_argument("--timeout", type=float, default=5.0, help="time limit per query (s)")
    parser.add_argument("--attack-scale", type=float, default=1.0, help="hostile clients x")
    parser.add_argument("--single", type=int, default=500, help="one-client requests")
    parser.add_argument("--tiny", action="store_true", help="a smoke run for CI")
    args = parser.parse_args(argv)
    if args.tiny:
        args.runs, args.requests, args.clients, args.single = 1, 40, 4, 20
        args.attack_scale, args.timeout = 0.1, 1.0

    texts, routes = good_mix()
    figures = Figures()
    checks: dict[str, bool] = {}
    hostile_total: Counter[str] = Counter()
    with (
        kb_server(args) as (base, pid),
        kb_server(args, "--cache-mb", "0") as (uncached, _),
        oxigraph_server(args.timeout) as oxigraph,
    ):
        print(f"kb serve at {base} ({args.workers} workers, {args.timeout:g} s limit)")
        print(f"oxigraph serve-read-only at {oxigraph}" if oxigraph else "oxigraph: not installed")
        for run in range(1, args.runs + 1):
            print(f"run {run}/{args.runs}", file=sys.stderr, flush=True)
            ours = [sparql_get("/sparql", texts[i % len(texts)]) for i in range(args.requests)]
            good = run_load(base, ours, args.clients)
            figures.add("kb serve, good mix: req/s", good.rate)
            figures.add("kb serve, good mix: p50 ms", good.p(0.5))
            figures.add("kb serve, good mix: p99 ms", good.p(0.99))
            bare = run_load(uncached, ours, args.clients)
            figures.add("kb serve --cache-mb 0, good mix: req/s", bare.rate)
            figures.add("kb serve --cache-mb 0, good mix: p99 ms", bare.p(0.99))
            checks["good mix: every request 200"] = checks.get(
                "good mix: every request 200", True
            ) and set(good.statuses) | set(bare.statuses) == {200}
            questions = [routes[i % len(routes)] for i in range(args.requests)]
            asked = run_load(base, questions, args.clients)
            figures.add("kb serve, /api/questions: req/s", asked.rate)
            figures.add("kb serve, /api/questions: p99 ms", asked.p(0.99))
            figures.add(
                "kb serve, one keep-alive client: median ms",
                one_client(base, "/sparql", args.single),
            )
            if oxigraph:
                theirs = [sparql_get("/query", texts[i % len(texts)]) for i in range(args.requests)]
                baseline = run_load(oxigraph, theirs, args.clients)
                figures.add("oxigraph server, good mix: req/s", baseline.rate)
                figures.add("oxigraph server, good mix: p99 ms", baseline.p(0.99))
                figures.add(
                    "kb serve / oxigraph throughput (ratio x100)", 100 * good.rate / baseline.rate
                )
                figures.add(
                    "kb serve --cache-mb 0 / oxigraph (ratio x100)", 100 * bare.rate / baseline.rate
                )
                figures.add(
                    "oxigraph, one keep-alive client: median ms",
                    one_client(oxigraph, "/query", args.single),
                )
            attacked = under_attack(base, pid, ours, args.clients, args.attack_scale)
            figures.add("under attack: good req/s", attacked.good.rate)
            figures.add("under attack: good p50 ms", attacked.good.p(0.5))
            figures.add("under attack: good p99 ms", attacked.good.p(0.99))
            if attacked.probes:
                figures.add("under attack: ASK {} probe, worst ms", max(attacked.probes) * 1000)
                figures.add(
                    "under attack: ASK {} probe, median ms",
                    statistics.median(attacked.probes) * 1000,
                )
            figures.add("under attack: server RSS MB, HTTP process", attacked.peak_parent)
            figures.add("under attack: server RSS MB, with workers", attacked.peak_total)
            hostile_total.update(attacked.hostile)
            checks["under attack: every good request 200"] = checks.get(
                "under attack: every good request 200", True
            ) and set(attacked.good.statuses) == {200}
            checks["under attack: every ASK probe 200"] = checks.get(
                "under attack: every ASK probe 200", True
            ) and set(attacked.probe_statuses) <= {200}
        alive = Client(base).send(sparql_get("/sparql", "ASK { ?s ?p ?o }"))
        checks["server still answers"] = alive[0] == 200 and json.loads(alive[1])["boolean"]

    checks["no traceback in the server's log"] = not TRACEBACKS
    for found in TRACEBACKS:
        print(found, file=sys.stderr)
    figures.print()
    print("\nhostile clients' answers (the slow-query policy), all runs:")
    for kind, number in sorted(hostile_total.items()):
        print(f"  {kind:40}{number:>8}")
    statuses = {k.rsplit(" ", 1)[1] for k in hostile_total if k.startswith("deep ")}
    checks["deep nesting: 400"] = statuses <= {"400"}
    statuses = {k.rsplit(" ", 1)[1] for k in hostile_total if k.startswith("malformed ")}
    checks["malformed: 400"] = statuses <= {"400"}
    statuses = {k.rsplit(" ", 1)[1] for k in hostile_total if k.startswith("slow-query ")}
    checks["slow queries: 422 or 503, never 500"] = statuses <= {"422", "503"}
    print()
    for check, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {check}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
