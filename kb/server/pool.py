"""Answer requests in worker processes that each hold the store, within a time limit.

pyoxigraph cannot interrupt a query from another thread, so each query runs in a worker
process with its own copy of the (small, in-memory) store. A worker that has not answered
within the time limit is killed and a fresh one started in the background; the request
gets an error and every other request carries on with the remaining workers.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from kb.server.answer import DEFAULT_ROWS, Reply, answer_question, answer_sparql, error

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


@dataclass(frozen=True)
class QuestionJob:
    name: str
    arguments: tuple[tuple[str, str], ...] = ()


def _memory_message(megabytes: int) -> str:
    return (
        f"the query needed more than the memory limit of {megabytes} MB and was stopped; "
        "narrow it or add a LIMIT"
    )


def _work(conn: Connection, dump: bytes, max_rows: int, max_memory: int) -> None:
    """A worker's life: load the store, then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and kills us
    from kb import sandbox

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
    from kb.server.answer import store_from_dump

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
                    store, job.query, job.accept, job.default_graphs, job.named_graphs, max_rows
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
        conn.send(reply)


class _Worker:
    def __init__(self, context: Any, dump: bytes, max_rows: int, max_memory: int):
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_work,
            args=(child, dump, max_rows, max_memory),
            name="kb-query-worker",
            daemon=True,
        )
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout) or self.conn.recv() != "ready":
            self.kill()
            raise RuntimeError("a query worker did not start")

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        self.conn.close()


class WorkerPool:
    """``size`` workers; :meth:`run` answers one job or says why it could not."""

    def __init__(
        self,
        dump: bytes,
        size: int = 2,
        timeout: float = DEFAULT_TIMEOUT,
        wait: float = 60.0,
        max_rows: int = DEFAULT_ROWS,
        max_memory: int = DEFAULT_MEMORY_MB,
        start_timeout: float = 120.0,
    ):
        self.size = size
        self.timeout = timeout
        self.wait = wait
        self._dump = dump
        self._max_rows = max_rows
        self.max_memory = max_memory
        self._start_timeout = start_timeout
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._closed = False
        self.killed = 0
        starting = [self._start() for _ in range(size)]
        try:
            for worker in starting:
                worker.wait_ready(start_timeout)
        except BaseException:
            self.close()
            raise
        for worker in starting:
            self._idle.put(worker)

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self._dump, self._max_rows, self.max_memory)
        with self._lock:
            self._workers.add(worker)
        return worker

    def run(self, job: SparqlJob | QuestionJob) -> Reply:
        try:
            worker = self._idle.get(timeout=self.wait)
        except queue.Empty:
            return error(503, "every query worker is busy; try again shortly")
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
            self._idle.put(worker)
            return answered
        if not in_time:
            self._replace(worker)
            return error(
                LIMIT_STATUS,
                f"the query ran longer than the time limit of {self.timeout:g} s and was "
                "stopped; narrow it or add a LIMIT",
            )
        worker.process.join(timeout=5)
        died = worker.process.exitcode
        self._replace(worker)
        if died in (-signal.SIGABRT, -signal.SIGKILL):  # out of memory: abort, or OOM killer
            return error(LIMIT_STATUS, _memory_message(self.max_memory))
        return error(500, "internal error: a query worker stopped; see the server log")

    def _replace(self, worker: _Worker) -> None:
        """Kill an overrunning worker now; start its successor in the background."""
        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            self.killed += 1

        def start() -> None:
            while not self._closed:
                fresh = None
                try:
                    fresh = self._start()
                    fresh.wait_ready(self._start_timeout)
                except (OSError, RuntimeError) as problem:
                    print(f"kb serve: restarting a worker failed: {problem}", file=sys.stderr)
                    if fresh is not None:
                        with self._lock:
                            self._workers.discard(fresh)
                    time.sleep(1)
                    continue
                if self._closed:
                    fresh.kill()
                else:
                    self._idle.put(fresh)
                return

        threading.Thread(target=start, name="kb-worker-restart", daemon=True).start()

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.kill()
