"""Answer requests in worker processes that each hold the store, within a time limit.

pyoxigraph cannot interrupt a query from another thread, so each query runs in a worker
process with its own copy of the (small, in-memory) store. A worker that has not answered
within the time limit is killed and a fresh one started in the background; the request
gets an error and every other request carries on with the remaining workers.
"""

from __future__ import annotations

import itertools
import multiprocessing
import signal
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from kb.serve.answer import DEFAULT_ROWS, Reply, answer_question, answer_sparql, error

DEFAULT_TIMEOUT = 5.0
DEFAULT_MEMORY_MB = 1024
#: The status for a query stopped by a limit (time or rows): the request was understood
#: but this endpoint will not carry it out; it is the client's to narrow, not a server fault.
LIMIT_STATUS = 422


@dataclass(frozen=True)
class SparqlJob:
    query: str
    accept: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None


@dataclass(frozen=True)
class QuestionJob:
    name: str
    arguments: tuple[tuple[str, str], ...] = ()


def _memory_message(megabytes: int) -> str:
    return (
        f"the query needed more than the memory limit of {megabytes} MB and was stopped; "
        "narrow it or add a LIMIT"
    )


def _work(conn: Connection, dump: bytes, max_rows: int, max_memory: int, max_reply: int) -> None:
    """A worker's life: load the store, then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and kills us
    from kb.query import sandbox

    try:  # no query this worker runs can reach the network
        sandbox.isolate()
        unsafe = None
    except sandbox.Unavailable as refusal:
        unsafe = error(503, str(refusal))
    try:  # a query that would take the machine's memory aborts this process instead
        import resource

        limit = max_memory * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    from kb.serve.answer import store_from_dump

    store = store_from_dump(dump)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if isinstance(job, SparqlJob) and unsafe is not None:
                reply = unsafe
            elif isinstance(job, SparqlJob):
                reply = answer_sparql(
                    store,
                    job.query,
                    job.accept,
                    job.default_graphs,
                    job.named_graphs,
                    max_rows,
                    job.base_iri,
                )
            elif isinstance(job, QuestionJob):
                reply = answer_question(store, job.name, dict(job.arguments))
            else:
                reply = error(500, "internal error: unknown job")
        except MemoryError:
            reply = error(LIMIT_STATUS, _memory_message(max_memory))
        except Exception as problem:  # never a traceback to the client
            print(f"kb serve: worker error: {type(problem).__name__}: {problem}", file=sys.stderr)
            reply = error(500, "internal error while answering; see the server log")
        if len(reply.body) > max_reply:  # the parent never holds more than this per reply
            reply = error(
                LIMIT_STATUS,
                f"the answer has {len(reply.body)} bytes; the limit is {max_reply}: "
                "narrow the query or add a LIMIT",
            )
        conn.send(reply)


class _Worker:
    def __init__(self, context: Any, dump: bytes, limits: tuple[int, int, int]):
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_work,
            args=(child, dump, *limits),
            name="kb-query-worker",
            daemon=True,
        )
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        try:
            ready = self.conn.poll(timeout) and self.conn.recv() == "ready"
        except (EOFError, OSError):  # it died starting (or the pool closed meanwhile)
            ready = False
        if not ready:
            self.kill()
            raise RuntimeError("a query worker did not start")

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        self.conn.close()


#: Largest answer a worker hands to the HTTP process; a larger one is a :data:`LIMIT_STATUS`.
DEFAULT_REPLY_BYTES = 16 * 1024 * 1024
#: How long a query text counts as slow after it ran long.
SLOW_MEMORY = 30.0
#: Most slow-lane requests one client may have waiting; more get 503 at once.
SLOW_QUEUE = 4
#: A request's rank: its text ran quickly lately, is new, or ran long lately.
KNOWN, NEW, SLOW = 0, 1, 2


@dataclass(eq=False)
class _Ticket:
    """A request waiting for a worker; the dispatcher hands it one and sets ``ready``."""

    client: str
    text: str
    order: int
    worker: _Worker | None = None
    new: bool = False
    ready: threading.Event = field(default_factory=threading.Event)


class WorkerPool:
    """``size`` workers; :meth:`run` answers one job or says why it could not.

    Fairness, by what each query text did lately: a text that ran long (or overran) is
    *slow* for :data:`SLOW_MEMORY` seconds; one that ran quickly is *known*. Waiting
    requests are served oldest first, known and new texts alike, except that new texts
    may hold at most ``size - 1`` workers (the last idle one is kept for known texts),
    and a slow text only gets a worker when nothing else waits and another worker stays
    idle, the least-used client's first (at most :data:`SLOW_QUEUE` of one client's may
    wait; 503, after a pause, beyond). So clients hammering slow queries, or flooding new
    texts, never hold every worker: a legitimate ``ASK {}`` gets one at once, even from
    their own address.
    """

    def __init__(
        self,
        dump: bytes,
        size: int = 2,
        timeout: float = DEFAULT_TIMEOUT,
        wait: float = 30.0,
        max_rows: int = DEFAULT_ROWS,
        max_memory: int = DEFAULT_MEMORY_MB,
        start_timeout: float = 120.0,
        max_reply: int = DEFAULT_REPLY_BYTES,
    ):
        self.size = size
        self.timeout = timeout
        self.wait = wait
        self._dump = dump
        self._limits = (max_rows, max_memory, max_reply)
        self.max_memory = max_memory
        self._start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._waiting: list[_Ticket] = []
        self._order = itertools.count()
        self._long = min(1.0, timeout / 2)
        self._slow_until: OrderedDict[str, float] = OrderedDict()  # text -> until
        self._known: OrderedDict[str, None] = OrderedDict()  # texts that ran quickly
        self._new_busy = 0  # workers running a new text
        self._usage: dict[str, tuple[float, float]] = {}  # client -> (worker-seconds, at)
        self._workers: set[_Worker] = set()
        self._restarts: set[threading.Thread] = set()  # starting a successor
        self._closed = False
        self.killed = 0
        starting = [self._start() for _ in range(size)]
        try:
            for worker in starting:
                worker.wait_ready(start_timeout)
        except BaseException:
            self.close()
            raise
        with self._cond:
            self._idle.extend(starting)

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self._dump, self._limits)
        with self._cond:
            self._workers.add(worker)
        return worker

    def run(self, job: SparqlJob | QuestionJob, client: str = "") -> Reply:
        """Answer ``job`` for ``client`` (its address), waiting for a worker in fair order."""
        ticket = _Ticket(client, _text_key(job), next(self._order))
        with self._cond:
            now = time.monotonic()
            mine = [t for t in self._waiting if t.client == client]
            crowded = self._rank(ticket, now) == SLOW and (
                sum(self._rank(t, now) == SLOW for t in mine) >= SLOW_QUEUE
            )
            if not crowded:
                self._waiting.append(ticket)
                self._dispatch()
        if crowded:  # answered after a pause, so that a client looping on it spins slowly
            time.sleep(min(self.timeout, 1.0))
            return error(
                503,
                "too many of this client's slow queries are waiting; try again when they "
                "have finished",
                (("Retry-After", f"{self.timeout:.0f}"),),
            )
        ticket.ready.wait(self.wait)
        with self._cond:
            worker = ticket.worker
            if worker is None:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                return error(
                    503, "every query worker is busy; try again shortly", (("Retry-After", "1"),)
                )
        started = time.monotonic()
        reply, overran = self._ask(worker, job)
        elapsed = time.monotonic() - started
        with self._cond:
            self._new_busy -= ticket.new
            self._charge(client, elapsed)
            if overran or elapsed >= self._long:
                self._slow_until[ticket.text] = time.monotonic() + SLOW_MEMORY
                self._slow_until.move_to_end(ticket.text)
                self._known.pop(ticket.text, None)
            else:
                self._known[ticket.text] = None
                self._known.move_to_end(ticket.text)
            for memory in (self._slow_until, self._known):
                while len(memory) > 4096:
                    memory.popitem(last=False)
            self._dispatch()
        return reply

    def _dispatch(self) -> None:
        """Hand idle workers to waiting requests, in fair order (under the lock). Each
        request waits on its own event, so no crowd of threads wakes to find out."""
        while True:
            chosen = self._chosen()
            if chosen is None:
                return
            self._waiting.remove(chosen)
            chosen.worker = self._idle.pop()
            chosen.new = self._rank(chosen, time.monotonic()) == NEW
            self._new_busy += chosen.new
            chosen.ready.set()

    def _chosen(self) -> _Ticket | None:
        """The waiting request that gets the next idle worker (see the class's rules)."""
        if not self._idle or not self._waiting:
            return None
        now = time.monotonic()
        ranked = [(self._rank(t, now), t) for t in self._waiting]
        last = len(self._idle) == 1 and self.size > 1
        new_ok = not last or self._new_busy < self.size - 1
        found = [t for rank, t in ranked if rank == KNOWN or (rank == NEW and new_ok)]
        if found:
            return min(found, key=lambda t: t.order)
        if last:
            return None
        return min(
            (t for rank, t in ranked if rank == SLOW),
            key=lambda t: (self._used(t.client), t.order),
        )

    def _rank(self, ticket: _Ticket, now: float) -> int:
        """KNOWN, NEW or SLOW, read afresh each time: a request already waiting moves
        down once its text turns out slow."""
        if self._slow_until.get(ticket.text, 0) > now:
            return SLOW
        return KNOWN if ticket.text in self._known else NEW

    def _used(self, client: str) -> float:
        """A client's worker-seconds, halving every ten seconds."""
        seconds, at = self._usage.get(client, (0.0, 0.0))
        return seconds * 0.5 ** ((time.monotonic() - at) / 10)

    def _charge(self, client: str, elapsed: float) -> None:
        self._usage[client] = (self._used(client) + elapsed, time.monotonic())
        if len(self._usage) > 4096:
            for gone in [c for c in self._usage if self._used(c) < 0.01]:
                del self._usage[gone]

    def _ask(self, worker: _Worker, job: SparqlJob | QuestionJob) -> tuple[Reply, bool]:
        """The worker's reply, and whether it overran the time limit."""
        answered: Reply | None = None
        in_time = False
        try:
            worker.conn.send(job)
            in_time = worker.conn.poll(self.timeout)
            if in_time:
                answered = worker.conn.recv()
        except (EOFError, OSError):
            answered = None
        if answered is not None:
            with self._cond:
                self._idle.append(worker)
                self._dispatch()
            return answered, False
        if not in_time:
            self._replace(worker)
            message = (
                f"the query ran longer than the time limit of {self.timeout:g} s and was "
                "stopped; narrow it or add a LIMIT"
            )
            return error(LIMIT_STATUS, message), True
        worker.process.join(timeout=5)
        died = worker.process.exitcode
        self._replace(worker)
        if died in (-signal.SIGABRT, -signal.SIGKILL):  # out of memory: abort, or OOM killer
            return error(LIMIT_STATUS, _memory_message(self.max_memory)), False
        return error(500, "internal error: a query worker stopped; see the server log"), False

    def _replace(self, worker: _Worker) -> None:
        """Kill an overrunning worker now; start its successor in the background."""
        worker.kill()
        with self._cond:
            self._workers.discard(worker)
            self.killed += 1

        def start() -> None:
            try:
                restart()
            finally:
                with self._cond:
                    self._restarts.discard(threading.current_thread())

        def restart() -> None:
            while not self._closed:
                fresh = None
                try:
                    fresh = self._start()
                    if self._closed:  # closed while it was being spawned
                        fresh.kill()
                        return
                    fresh.wait_ready(self._start_timeout)
                except (OSError, RuntimeError) as problem:
                    if self._closed:
                        return
                    print(f"kb serve: restarting a worker failed: {problem}", file=sys.stderr)
                    if fresh is not None:
                        with self._cond:
                            self._workers.discard(fresh)
                    time.sleep(1)
                    continue
                if self._closed:
                    fresh.kill()
                else:
                    with self._cond:
                        self._idle.append(fresh)
                        self._dispatch()
                return

        thread = threading.Thread(target=start, name="kb-worker-restart", daemon=True)
        with self._cond:
            self._restarts.add(thread)
        thread.start()

    def close(self) -> None:
        """Stop every worker, and wait for any successor being started: a process that exits
        while it is still writing a spawned worker's start-up data leaves that worker a cut
        pickle to read, and a traceback in the server's log."""
        with self._cond:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
            restarts = list(self._restarts)
            for waiting in self._waiting:
                waiting.ready.set()  # no worker: it answers 503
        for worker in workers:
            worker.kill()
        for thread in restarts:
            thread.join(timeout=self._start_timeout)
        with self._cond:
            late = list(self._workers)  # added by a restart after the first look
            self._workers.clear()
        for worker in late:
            worker.kill()


def _text_key(job: SparqlJob | QuestionJob) -> str:
    """What identifies a request's work, for remembering which ones run long."""
    if isinstance(job, SparqlJob):
        return "sparql " + " ".join(job.query.split())
    return f"question {job.name} {sorted(job.arguments)}"
