"""The endpoint's worker pool, driven directly (no HTTP): what happens around a restart."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from kb.serve.answer import store_dump
from kb.serve.pool import LIMIT_STATUS, SparqlJob, WorkerPool

pytestmark = pytest.mark.slow

#: Runs far longer than the pool's time limit on the bundled KB.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _alive_restarts() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "kb-worker-restart" and t.is_alive()]


def test_closing_while_a_successor_starts_leaves_nothing_running() -> None:
    """A worker that overran is replaced in the background; closing the pool right then waits
    for that start (a server that exits mid-start leaves the new worker a cut pickle and a
    traceback in its log) and leaves no worker process behind."""
    pool = WorkerPool(store_dump(None), size=1, timeout=0.5)
    try:
        reply = pool.run(SparqlJob(SLOW))
        assert reply.status == LIMIT_STATUS
        assert _alive_restarts()  # the successor is being started now
    finally:
        pool.close()
    assert _alive_restarts() == []
    assert [p for p in multiprocessing.active_children() if p.name == "kb-query-worker"] == []
