"""Shared fixtures, one per resource: the bundled KB (loaded on first use, never at
collection), the fixtures folders, the essay beside the repository, and the command line
(in this process, or as a real process for the tests about the process itself)."""

from __future__ import annotations

import contextlib
import functools
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from rdflib import Graph

    from kb.api import KnowledgeBase
    from kb.rdf.loader import Loaded

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "kb" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: ``shared/`` sits beside the repository (in CI too, as a read-only copy).
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
#: The facts of a scenario the essay never discussed (Example 3's shape), for classify tests.
EXAMPLE_FACTS = {
    "mesa_optimizer": True,
    "objective": "proxy",
    "proxy_diverges_in_training": False,
    "proxy_diverges_in_deployment": True,
    "training_converged": True,
    "capabilities_generalize": True,
}
ESSAY = SHARED / "seeds" / "000_d3d824ec668cdee1.txt"
INVALID = FIXTURES / "invalid"
#: A KB that fails validation (one file, one dangling reference), for commands that refuse it.
INVALID_KB = INVALID / "dangling-reference.ttl"
#: The invalid fixtures, each with the messages it must produce in ``NAME.expected``.
CASES = sorted(p.stem for p in INVALID.glob("*.expected"))


def invalid_case(name: str) -> Path:
    """The Turtle file (or folder) of one invalid fixture."""
    folder = INVALID / name
    return folder if folder.is_dir() else INVALID / f"{name}.ttl"


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every Turtle file in ``folder`` by name, as bytes (to compare before and after)."""
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.ttl"))}


def rdflib_graph(*paths: Path) -> Graph:
    """Turtle files read by rdflib, the second parser the tests hold the KB's output to."""
    from rdflib import Graph

    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@functools.cache
def bundled() -> Loaded:
    """The bundled KB, validated: loaded on first use, then shared by the whole session."""
    from kb.rdf.dataset import load

    return load()


@pytest.fixture(scope="session")
def k() -> KnowledgeBase:
    """The bundled KB through the Python API (read-only: tests must not change it)."""
    from kb.api import KnowledgeBase

    return KnowledgeBase.load()


@pytest.fixture(scope="session")
def essay() -> Path:
    """The essay's text, which is not in the repository (its licence is unknown).

    CI lays ``shared/`` beside the clone, so there a missing essay fails; a plain clone
    without it skips the few tests that compare quotes with the essay, saying why.
    """
    if not ESSAY.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the essay is expected at {ESSAY}")
        pytest.skip(f"the essay is not beside this clone ({ESSAY})")
    return ESSAY


#: A schema-valid KB whose every text field holds markup and control-character payloads.
HOSTILE_KB = FIXTURES / "hostile_site_kb"


def _child_environment(env: dict[str, str] | None) -> dict[str, str]:
    """The environment a command gets: this one without ``KB_DEBUG``, plus ``env``."""
    return {k: v for k, v in os.environ.items() if k != "KB_DEBUG"} | (env or {})


def run_kb_process(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command line (``python -m kb.cli``) in a child process, output captured.

    Only for tests about the process itself (its exit status, imports, signals, network
    isolation, blocking reads); everything else uses the faster :func:`run_kb`.
    """
    return subprocess.run(
        [sys.executable, "-m", "kb.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        cwd=cwd or ROOT,
        env=_child_environment(env),
        timeout=300,
        check=False,
    )


def run_kb(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``kb ARGS`` run in this process by :func:`kb.cli.main`, as a child process would see
    it: working folder ``cwd`` (default: the repository), ``env`` added to the environment,
    file descriptors 1 and 2 (and ``sys.stdout``/``sys.stderr`` over them) captured into
    files, so nothing is a terminal and the output of any program it starts is kept too.
    The exit status is what ``sys.exit(main(...))`` would give. The environment, working
    folder and standard streams are restored afterwards, whatever happens.
    """
    from kb.cli import main

    saved_environment, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(_child_environment(env))
    output: list[str] = []
    try:
        os.chdir(cwd or ROOT)
        with _captured_output(output):
            try:
                code = main(list(args))
            except SystemExit as exit:  # argparse's usage errors, --help and --version
                code = _exit_status(exit)
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_environment)
    return subprocess.CompletedProcess(["kb", *args], code, *output)


def _exit_status(exit: SystemExit) -> int:
    """The status a process ending with ``exit`` would have (as the interpreter decides it)."""
    if exit.code is None or isinstance(exit.code, int):
        return exit.code or 0
    print(exit.code, file=sys.stderr)
    return 1


@contextlib.contextmanager
def _captured_output(output: list[str]) -> Iterator[None]:
    """File descriptors 1 and 2 into temporary files, with ``sys.stdout`` and ``sys.stderr``
    writing straight to them; on exit ``output`` gets their text (decoded as
    :func:`subprocess.run` decodes a child's, newlines included) and all is restored."""
    streams = sys.stdout, sys.stderr
    for stream in streams:
        stream.flush()
    saved = os.dup(1), os.dup(2)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            sys.stdout = _text_stream(1, errors="strict")
            sys.stderr = _text_stream(2, errors="backslashreplace")
            yield
        finally:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
            sys.stdout, sys.stderr = streams
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
        for file in (out, err):
            file.seek(0)
            output.append(io.TextIOWrapper(file, encoding="utf-8", errors="replace").read())


def _text_stream(fd: int, errors: str) -> io.TextIOWrapper:
    """An unbuffered UTF-8 text stream on ``fd`` (as Python's own, in a UTF-8 locale), so its
    text and a child program's output on the same descriptor keep their order."""
    return io.TextIOWrapper(
        open(fd, "wb", buffering=0, closefd=False),
        encoding="utf-8",
        errors=errors,
        write_through=True,
    )


KbCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kb_cli() -> KbCli:
    """The ``kb`` command, run in this process: ``kb_cli("validate", path)``."""
    return run_kb


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled KB's Turtle files."""
    target = tmp_path / "kb"
    shutil.copytree(DATA, target)
    return target


def build_site(
    out: Path, kb_path: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``kb site build`` (a strict mkdocs build) into ``out``, optionally from another KB."""
    args = ["site", "build", "--out", str(out)]
    if kb_path is not None:
        args += ["--kb", str(kb_path)]
    return run_kb(*args, env=env)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the bundled KB, built once per test session, with :data:`INVALID_KB`
    exported in ``KB_PATH`` as a user's shell might have it: ``kb site build`` without
    ``--kb`` ignores it."""
    from kb.rdf.paths import KB_PATH_VARIABLE

    out = tmp_path_factory.mktemp("site") / "build"
    result = build_site(out, env={KB_PATH_VARIABLE: str(INVALID_KB)})
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of :data:`HOSTILE_KB`, built once per test session."""
    out = tmp_path_factory.mktemp("hostile") / "build"
    result = build_site(out, HOSTILE_KB)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What pyoxigraph parses during the test, one entry per ``ox.parse`` call; a bulk load
    of the files into a store (a second way in, beside the one parse) fails the test."""
    import pyoxigraph as ox

    import kb.rdf.dataset
    import kb.rdf.store

    parsed: list[str] = []
    real_parse = ox.parse

    def counting_parse(*args: Any, **kwargs: Any) -> Any:
        parsed.append(str(kwargs.get("path") or args[0])[:80])
        return real_parse(*args, **kwargs)

    def no_second_load(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the files were loaded into a store a second time")

    monkeypatch.setattr(ox, "parse", counting_parse)
    monkeypatch.setattr(kb.rdf.dataset, "load_store", no_second_load)
    monkeypatch.setattr(kb.rdf.store, "load_store", no_second_load)
    return parsed
