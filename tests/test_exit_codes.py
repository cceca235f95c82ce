"""One exit-code rule for every command: 0 answered, 1 problems, 2 usage or input, 70 a bug."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import KbCli, invalid_case, run_kb, run_kb_process

import kb
from kb import cli


def test_version(kb_cli: KbCli) -> None:
    result = kb_cli("--version")
    assert result.returncode == 0
    assert result.stdout == f"kb {kb.__version__}\n"


@pytest.mark.parametrize(
    "args",
    [
        ("nosuch",),
        ("verdicts", "--format", "xml"),
        ("show",),
        ("site", "build", "--no-such-option"),
    ],
)
def test_argparse_errors_are_one_line(kb_cli: KbCli, args: tuple[str, ...]) -> None:
    result = kb_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kb") and "error:" in lines[0] and "--help)" in lines[0]


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
        "PREFIX ex: <http://example.org/> DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
    ],
)
def test_local_update_is_read_only(kb_cli: KbCli, update: str) -> None:
    result = kb_cli("sparql", update)
    assert result.returncode == 2
    assert result.stderr == "kb: SPARQL Update is not accepted: the KB is read-only\n"


def test_unwritable_output_is_an_input_error(kb_cli: KbCli) -> None:
    target = Path("/sys/kb.ttl")  # sysfs refuses new files, even to root
    result = kb_cli("export", "-o", str(target))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"kb: cannot write {target}: Permission denied"]


def test_unreadable_input_is_an_input_error(kb_cli: KbCli, tmp_path: Path) -> None:
    folder = tmp_path / "query.rq"
    folder.mkdir()  # a folder where a file is expected: reading it fails with an OSError
    result = kb_cli("sparql", str(folder))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_problems_exit_1(kb_cli: KbCli) -> None:
    result = kb_cli("validate", str(invalid_case("missing-required")))
    assert result.returncode == 1


def test_internal_error_has_its_own_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: object) -> int:
        raise TypeError("an example bug")

    monkeypatch.delenv("KB_DEBUG", raising=False)
    monkeypatch.setattr(cli, "cmd_verdicts", broken)
    assert cli.main(["verdicts", "example-3"]) == cli.EXIT_INTERNAL == 70
    error = capsys.readouterr().err
    assert error.splitlines() == [
        "kb: internal error: TypeError: an example bug; "
        "this is a bug, please report it (KB_DEBUG=1 shows the traceback)"
    ]


# --- the in-process runner the other tests use (conftest.run_kb) ----------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--version",),
        ("verdicts", "example-3", "--format", "json"),
        ("validate", str(invalid_case("missing-required"))),
        ("show", "no-such-entity"),
        ("nosuch",),
    ],
    ids=["ok", "answer", "problems", "input-error", "usage-error"],
)
def test_the_real_process_gives_what_the_tests_see(args: tuple[str, ...]) -> None:
    """``python -m kb.cli`` ends with the status and output that the tests read in-process."""
    real, here = run_kb_process(*args), run_kb(*args)
    assert (real.returncode, real.stdout, real.stderr) == (
        here.returncode,
        here.stdout,
        here.stderr,
    )


def test_in_process_runs_leave_nothing_behind(tmp_path: Path) -> None:
    """Each run gets its own working folder and environment; neither outlives it."""
    before = dict(os.environ), os.getcwd(), sys.stdout, sys.stderr
    narrow = run_kb("matrix", env={"COLUMNS": "60"})
    written = run_kb("export", "--format", "nt", "-o", "kb.nt", cwd=tmp_path)
    wide = run_kb("matrix")
    assert (dict(os.environ), os.getcwd(), sys.stdout, sys.stderr) == before
    assert narrow.returncode == written.returncode == wide.returncode == 0
    assert narrow.stdout != wide.stdout  # COLUMNS applied to the one run only
    assert (tmp_path / "kb.nt").stat().st_size > 0  # the relative path read from cwd
