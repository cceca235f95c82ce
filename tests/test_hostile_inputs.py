"""Hostile KB folders, facts files and text: read within limits, reported in one short,
escaped line, never hanging, never filling the memory, never driving the terminal."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, ROOT, run_kb, run_kb_process

from kb.cli.facts_file import read_facts
from kb.model.errors import UsageError, escape_controls, excerpt
from kb.rdf.paths import read_kb_file

# --- F10, L11: a KB folder is read as regular files only ----------------------------------


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    """The bundled terms, plus a FIFO, a symlink to /dev/zero, a symlink to a secret file
    outside the folder, and a file whose first token is a secret."""
    folder = tmp_path / "kb"
    folder.mkdir()
    shutil.copy(DATA / "terms.ttl", folder)
    os.mkfifo(folder / "fifo.ttl")
    (folder / "zero.ttl").symlink_to("/dev/zero")
    secret = tmp_path / "creds"
    secret.write_text("GITHUB_TOKEN_VALUE_0123456789abcdef=1\n", encoding="utf-8")
    (folder / "creds.ttl").symlink_to(secret)
    (folder / "token.ttl").write_text("ghp_0123456789abcdefSECRET here\n", encoding="utf-8")
    return folder


def test_validate_reports_what_it_will_not_read(hostile_folder: Path) -> None:
    # a real process, with a time limit: a FIFO would hang the old code
    result = run_kb_process("validate", str(hostile_folder))
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert f"{hostile_folder / 'fifo.ttl'}: not read: a pipe (FIFO), not a regular file" in out
    assert f"{hostile_folder / 'zero.ttl'}: not read: a symlink that leaves its folder" in out
    assert f"{hostile_folder / 'creds.ttl'}: not read: a symlink that leaves its folder" in out
    assert "0123456789abcdef" not in out + result.stderr  # no secret echoed
    assert "ghp_0123456…" in out or "ghp_01234567…" in out


def test_queries_refuse_a_hostile_folder_without_hanging(hostile_folder: Path) -> None:
    (hostile_folder / "token.ttl").unlink()
    (hostile_folder / "creds.ttl").unlink()
    result = run_kb_process("sparql", "ASK {}", "--kb", str(hostile_folder))
    assert result.returncode == 2
    assert "not read:" in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_symlink_inside_the_folder_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    (folder / "real").mkdir(parents=True)
    shutil.copy(DATA / "terms.ttl", folder / "real" / "terms.ttl")
    (folder / "terms.ttl").symlink_to(Path("real") / "terms.ttl")
    assert read_kb_file(folder / "terms.ttl") == (DATA / "terms.ttl").read_bytes()


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.ttl"
    big.write_bytes(b"#" * 2048)
    with pytest.raises(UsageError, match="larger than the limit"):
        read_kb_file(big, limit=1024)
    assert read_kb_file(big, limit=4096) == b"#" * 2048


# --- F9, L6: facts files -------------------------------------------------------------------

FACTS = (
    "mesa_optimizer: true\nproxy_diverges_in_training: false\n"
    "proxy_diverges_in_deployment: true\ntraining_converged: true\n"
    "capabilities_generalize: true\n"
)
BOMB = (
    FACTS
    + "objective: [&a ["
    + ",".join(['"lol"'] * 9)
    + "]"
    + "".join(
        f", &{b} [" + ",".join([f"*{a}"] * 9) + "]"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "]\n"
)


def _facts(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    path = _facts(tmp_path, "bomb.yaml", BOMB)
    result = subprocess.run(
        [sys.executable, "-m", "kb.cli", "classify", str(path)],
        capture_output=True,
        text=True,
        timeout=30,  # the old code grew without bound
        check=False,
    )
    assert result.returncode == 2
    assert "aliases (*name) are not accepted" in result.stderr


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("deep.json", "[" * 100_000, "nested too deeply"),
        ("deep.yaml", "a: " + "[" * 50_000, "nested too deeply"),
        ("mixed.yaml", "1: x\nb: y\n", "unknown fact 1;"),
        ("long.yaml", FACTS + "objective: " + "x" * 500_000 + "\n", "got 'xxxxxxx"),
        ("huge.yaml", FACTS + "objective: " + "x" * 2_000_000 + "\n", "larger than the limit"),
        ("list.json", '{"mesa_optimizer": [1, 2, 3]}', "got a list"),
    ],
)
def test_bad_facts_files_are_one_short_line(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        read_facts(_facts(tmp_path, name, text))
    assert message in str(caught.value)
    assert len(str(caught.value)) < 400


TURTLE_FACTS = """@prefix kb: <https://w3id.org/inner-alignment-kb/vocab#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/inner-alignment-kb/id/s> kb:mesaOptimizer {mesa} ;
  kb:objective "proxy" ; kb:proxyDivergesInTraining false ;
  kb:proxyDivergesInDeployment true ; kb:trainingConverged true ;
  kb:capabilitiesGeneralize true .
"""


@pytest.mark.parametrize(
    ("mesa", "message"),
    [
        ("true , false", "mesa_optimizer is given two different values"),
        ('"TRUE"^^xsd:boolean', "'TRUE' is not a valid xsd:boolean"),
    ],
)
def test_turtle_facts_are_never_a_silent_pick(tmp_path: Path, mesa: str, message: str) -> None:
    path = _facts(tmp_path, "facts.ttl", TURTLE_FACTS.format(mesa=mesa))
    with pytest.raises(UsageError, match=message):
        read_facts(path)
    assert read_facts(_facts(tmp_path, "ok.ttl", TURTLE_FACTS.format(mesa="true"))).mesa_optimizer


def test_excerpts_are_short_and_escaped() -> None:
    assert excerpt("a\x1b[31mred") == "'a\\x1b[31mred'"
    assert len(excerpt("x" * 10_000)) < 50
    assert excerpt([["lol"] * 9] * 9) == "a list"
    assert escape_controls("tab\tnew\nline\x9b\u202e") == "tab\tnew\nline\\x9b\\u202e"


# --- L10: terminal output -------------------------------------------------------------------


def _on_a_terminal(*args: str) -> str:
    """Run kb with its standard output on a pseudo-terminal; what the terminal received."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    os.close(follower)
    received = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        received += chunk
    process.wait(timeout=60)
    os.close(leader)
    return received.decode("utf-8", "replace")


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "table"])
def test_kb_sparql_never_sends_control_characters_to_a_terminal(fmt: str) -> None:
    query = 'SELECT ?x WHERE { BIND("a\\u001b]0;title\\u0007b\\u001b[31mred\\u009b" AS ?x) }'
    shown = _on_a_terminal("sparql", query, "--format", fmt)
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert "x1b" in shown or "u001b" in shown  # shown, escaped


def test_kb_sparql_keeps_data_exact_in_a_pipe() -> None:
    result = run_kb("sparql", 'SELECT ?x WHERE { BIND("a\\u001bb" AS ?x) }', "--format", "csv")
    assert "a\x1bb" in result.stdout
