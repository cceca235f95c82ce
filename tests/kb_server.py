"""A live ``kb serve`` on a free loopback port, for the endpoint, remote and Virtuoso tests."""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def kb_serve(*options: str, startup: float = 60.0) -> Iterator[str]:
    """Run ``kb serve --port 0 --quiet OPTIONS`` and yield its base URL, e.g.
    http://127.0.0.1:PORT."""
    with kb_serve_process("--quiet", *options, startup=startup) as (url, _):
        yield url


@contextmanager
def kb_serve_process(
    *options: str, startup: float = 60.0, log: Any = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Run ``kb serve --port 0 OPTIONS``; yield its base URL and its process. Its stderr
    goes to ``log`` (an open file) if given."""
    with contextlib.ExitStack() as stack:
        if log is None:  # not a pipe: nobody reads it meanwhile
            log = stack.enter_context(tempfile.TemporaryFile(mode="w+"))
        process = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "serve", "--port", "0", *options],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        assert process.stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()))
        reader.daemon = True
        reader.start()
        reader.join(startup)
        found = re.search(r"(http://[^\s/]+)/sparql", lines[0]) if lines else None
        try:
            if found is None:
                process.kill()
                process.wait(timeout=10)
                log.seek(0)
                raise RuntimeError(f"kb serve did not start: {lines[:1]} {log.read()[-2000:]}")
            yield found.group(1), process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
            process.stdout.close()


def question_cases() -> list[Any]:
    """(name, arguments) for every named question: its example, and no arguments when it
    needs none; as pytest params, so new ``.rq`` files are covered without editing tests."""
    import pytest

    from kb.query.questions import registry

    cases = []
    for name, question in registry().items():
        cases.append(pytest.param(name, dict(question.example), id=f"{name}-example"))
        if question.example and all(p.optional for p in question.parameters):
            cases.append(pytest.param(name, {}, id=f"{name}-all"))
    return cases
