"""Load test for ``kb serve``: many concurrent clients, a mix of good, slow and malformed requests.

    python scripts/load_test.py [--requests 5000] [--clients 32] [--slow 20] [--malformed 250]
                                [--timeout 2] [--workers 4] [--deadline 600] [--url URL]

Starts ``kb serve`` on a free loopback port (or uses ``--url``, which must be loopback),
sends a fixed, seeded mix of requests from ``--clients`` threads, each over its own
keep-alive connection: every named question (its example), raw SELECTs by GET and POST,
queries too slow for the server's time limit, and malformed ones. Checks that every good
request gets 200, every slow one the time-limit error, every malformed one 400, that no
answer is a 5xx, and that the server still answers afterwards. Then runs a bare pyoxigraph
loop over the same good queries in this process, as the baseline. Exit status 0 when every
check holds, 1 otherwise. Bounded: ``--requests`` in all, and it stops at ``--deadline``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox

from kb.engine import LocalBackend, run_question
from kb.questions import registry
from kb.vocab import sparql_prefixes

SELECTS = [
    "SELECT ?s ?label WHERE { ?s a kb:Scenario ; rdfs:label ?label } ORDER BY ?s",
    "SELECT ?a (COUNT(?v) AS ?n) WHERE { ?v a kb:Verdict ; kb:approach ?a } GROUP BY ?a",
    "SELECT ?v ?value WHERE { ?v kb:scenario id:example-3 ; kb:verdictValue ?value }",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) LIMIT 20",
    "SELECT DISTINCT ?type WHERE { ?s a ?type }",
    "ASK { ?s a kb:Approach }",
]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MALFORMED = [
    "SELECT ?s WHERE { ?s ?p }",
    "SELEKT * WHERE {}",
    "SELECT * WHERE { ?s ?p ?o ",
    "PREFIX broken SELECT * {}",
]


@dataclass(frozen=True)
class Request:
    kind: str  # question, select-get, select-post, slow, malformed
    method: str
    path: str
    body: bytes | None
    expect: int
    #: the query texts the server runs for it (for the baseline), good requests only
    queries: tuple[str, ...] = ()


@dataclass
class Outcome:
    request: Request
    status: int
    seconds: float
    error: str = ""


class Recorder(LocalBackend):
    """A local backend that records every query text it runs."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def query(self, sparql: str):  # type: ignore[no-untyped-def]
        self.seen.append(sparql)
        return super().query(sparql)


def build_mix(args: argparse.Namespace, recorder: Recorder) -> list[Request]:
    """A seeded, shuffled list of exactly ``args.requests`` requests."""
    good: list[Request] = []
    for name, question in registry().items():
        recorder.seen = []
        run_question(recorder, name, dict(question.example))
        query = urllib.parse.urlencode(question.example)
        path = f"/api/questions/{name}" + (f"?{query}" if query else "")
        good.append(Request("question", "GET", path, None, 200, tuple(recorder.seen)))
    for text in SELECTS:
        full = sparql_prefixes() + text
        path = "/sparql?" + urllib.parse.urlencode({"query": full})
        good.append(Request("select-get", "GET", path, None, 200, (full,)))
        form = urllib.parse.urlencode({"query": full}).encode()
        good.append(Request("select-post", "POST", "/sparql", form, 200, (full,)))
    slow = Request("slow", "GET", "/sparql?" + urllib.parse.urlencode({"query": SLOW}), None, 422)
    bad = [
        Request("malformed", "GET", "/sparql?" + urllib.parse.urlencode({"query": q}), None, 400)
        for q in MALFORMED
    ]
    count = args.requests - args.slow - args.malformed
    if count < 1:
        raise SystemExit("--requests must exceed --slow plus --malformed")
    rng = random.Random(args.seed)
    mix = [good[i % len(good)] for i in range(count)]
    mix += [slow] * args.slow + [bad[i % len(bad)] for i in range(args.malformed)]
    rng.shuffle(mix)
    return mix


def is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    return bool(re.match(r"^(127\.\d+\.\d+\.\d+|::1|localhost)$", host))


def start_server(args: argparse.Namespace, log: object) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "kb.cli", "serve", "--port", "0", "--quiet"]
    command += ["--timeout", str(args.timeout), "--workers", str(args.workers)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"(http://[^\s/]+)/sparql", line)
    if not found:
        process.kill()
        raise SystemExit(f"kb serve did not start: {line!r}")
    return process, found.group(1)


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
            headers = {"Accept": "application/sparql-results+json"}
            if request.body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            try:
                self.connection.request(request.method, request.path, request.body, headers)
                response = self.connection.getresponse()
                body = response.read()
                if response.will_close:
                    self.connection.close()
                    self.connection = None
                return response.status, body
            except (ConnectionError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def run_load(base: str, mix: list[Request], clients: int, deadline: float) -> list[Outcome]:
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    local = threading.local()
    started = time.monotonic()
    stop_at = started + deadline

    def one(request: Request) -> None:
        if time.monotonic() > stop_at:
            outcome = Outcome(request, 0, 0.0, "not sent: deadline passed")
        else:
            if not hasattr(local, "client"):
                local.client = Client(base)
            begin = time.perf_counter()
            try:
                status, body = local.client.send(request)
                error = "" if status == request.expect else body[:200].decode("utf-8", "replace")
                outcome = Outcome(request, status, time.perf_counter() - begin, error)
            except OSError as problem:
                outcome = Outcome(request, 0, time.perf_counter() - begin, str(problem))
        with lock:
            outcomes.append(outcome)
            done = len(outcomes)
            if done % 100 == 0 or done == len(mix):
                failed = sum(1 for o in outcomes if o.status != o.request.expect)
                rate = done / (time.monotonic() - started)
                print(
                    f"\r  {done:>5}/{len(mix)} requests, {failed} unexpected, {rate:,.0f} req/s",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, mix))
    print(file=sys.stderr)
    return outcomes


def baseline(mix: list[Request]) -> tuple[float, list[float]]:
    """The good requests' queries in a bare loop over one in-memory pyoxigraph store."""
    store = LocalBackend().store

    def run(request: Request) -> None:
        for text in request.queries:
            result = store.query(text)
            if isinstance(result, ox.QueryBoolean):
                bool(result)
            else:
                list(result)

    good = [request for request in mix if request.expect == 200]
    for request in set(good):  # warm up, as the server's workers are by then
        run(request)
    latencies = []
    begin = time.perf_counter()
    for request in good:
        start = time.perf_counter()
        run(request)
        latencies.append(time.perf_counter() - start)
    return time.perf_counter() - begin, latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def still_answers(base: str) -> bool:
    client = Client(base)
    query = "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    status, body = client.send(Request("check", "GET", query, None, 200))
    return status == 200 and json.loads(body).get("boolean") is True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--slow", type=int, default=20, help="requests that hit the time limit")
    parser.add_argument("--malformed", type=int, default=250)
    parser.add_argument("--timeout", type=float, default=2.0, help="the server's time limit")
    parser.add_argument("--workers", type=int, default=4, help="the server's worker processes")
    parser.add_argument("--deadline", type=float, default=600.0, help="stop sending after (s)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--url", help="an already running kb serve on loopback")
    args = parser.parse_args(argv)
    if args.url and not is_loopback(args.url):
        parser.error("--url must be on loopback (127.0.0.1, ::1 or localhost)")

    recorder = Recorder()
    mix = build_mix(args, recorder)
    kinds = Counter(r.kind for r in mix)
    print(f"mix: {dict(kinds)}", file=sys.stderr)
    with tempfile.TemporaryFile(mode="w+") as log:
        process = None
        if args.url:
            base = args.url.rstrip("/").removesuffix("/sparql")
        else:
            process, base = start_server(args, log)
            print(f"server: {base} ({args.workers} workers, {args.timeout:g} s limit)")
        try:
            begin = time.monotonic()
            outcomes = run_load(base, mix, args.clients, args.deadline)
            elapsed = time.monotonic() - begin
            alive = still_answers(base)
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=30)

    base_seconds, base_latencies = baseline(mix)
    good = [o for o in outcomes if o.request.expect == 200]
    statuses = Counter(o.status for o in outcomes)
    unexpected = [o for o in outcomes if o.status != o.request.expect]
    server_errors = [o for o in outcomes if o.status >= 500]

    print(f"\n{len(outcomes)} requests from {args.clients} clients in {elapsed:.2f} s")
    print(f"statuses: {dict(sorted(statuses.items()))}")
    print(f"{'':24}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}")
    print(
        f"{'kb serve, all':24}{len(outcomes) / elapsed:>12,.0f}"
        f"{percentile([o.seconds for o in outcomes], 0.5) * 1000:>10.1f}"
        f"{percentile([o.seconds for o in outcomes], 0.99) * 1000:>10.1f}"
    )
    for kind in sorted(kinds):
        times = [o.seconds for o in outcomes if o.request.kind == kind]
        print(
            f"{'  ' + kind:24}{'':>12}{percentile(times, 0.5) * 1000:>10.1f}"
            f"{percentile(times, 0.99) * 1000:>10.1f}"
        )
    print(
        f"{'pyoxigraph loop (good)':24}{len(base_latencies) / base_seconds:>12,.0f}"
        f"{percentile(base_latencies, 0.5) * 1000:>10.2f}"
        f"{percentile(base_latencies, 0.99) * 1000:>10.2f}"
    )
    checks = {
        f"every good request answered 200 ({len(good)})": all(o.status == 200 for o in good),
        "every slow request stopped by the time limit (422)": all(
            o.status == 422 for o in outcomes if o.request.kind == "slow"
        ),
        "every malformed request answered 400": all(
            o.status == 400 for o in outcomes if o.request.kind == "malformed"
        ),
        "no 5xx": not server_errors,
        "server still answers": alive,
        "all requests sent before the deadline": len(outcomes) == len(mix)
        and not any(o.error.startswith("not sent") for o in outcomes),
    }
    for check, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {check}")
    for outcome in unexpected[:10]:
        print(f"  {outcome.request.kind} {outcome.status}: {outcome.error[:160]}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
