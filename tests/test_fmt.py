"""`kb fmt [--check]`: the canonical writer as a formatter, deterministic and diff-friendly."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from conftest import DATA, FIXTURES, bundled, file_bytes
from rdflib import Graph

from kb.rdf.dataset import load
from kb.rdf.fmt import fmt
from kb.rdf.writer import turtle


def test_bundled_kb_is_canonical(kb_cli) -> None:
    result = kb_cli("fmt", "--check")
    assert result.returncode == 0, (
        "the shipped KB is not in canonical form; run `kb fmt`\n" + result.stdout + result.stderr
    )


def test_canonical_form_is_what_the_writer_writes() -> None:
    loaded = bundled()
    for path in loaded.files:
        members = [e for s, e in loaded.entities.items() if loaded.origins[s].file == str(path)]
        assert path.read_text(encoding="utf-8") == turtle(members), path.name


def _scramble(folder: Path, seed: int) -> None:
    """Rewrite every file as the same graph in another form: rdflib's Turtle or shuffled
    N-Triples (which is Turtle too)."""
    rng = random.Random(seed)
    for number, path in enumerate(sorted(folder.glob("*.ttl"))):
        graph = Graph().parse(path, format="turtle")
        if number % 2:
            lines = graph.serialize(format="nt").splitlines()
            rng.shuffle(lines)
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            path.write_text(graph.serialize(format="turtle"), encoding="utf-8")


def test_fmt_of_a_scrambled_copy_gives_identical_bytes(kb_copy: Path, kb_cli) -> None:
    canonical = file_bytes(kb_copy)
    _scramble(kb_copy, seed=1)
    assert file_bytes(kb_copy) != canonical
    check = kb_cli("fmt", "--check", str(kb_copy))
    assert check.returncode == 1
    assert "would reformat" in check.stdout
    result = kb_cli("fmt", str(kb_copy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert file_bytes(kb_copy) == canonical


def test_fmt_is_deterministic_and_idempotent(kb_copy: Path) -> None:
    _scramble(kb_copy, seed=2)
    changed, _ = fmt([kb_copy])
    assert changed
    first = file_bytes(kb_copy)
    _scramble(kb_copy, seed=3)
    fmt([kb_copy])
    assert file_bytes(kb_copy) == first
    assert fmt([kb_copy]) == ([], [])
    assert fmt([kb_copy], check=True) == ([], [])


def test_fmt_check_changes_nothing(kb_copy: Path) -> None:
    _scramble(kb_copy, seed=4)
    before = file_bytes(kb_copy)
    changed, _ = fmt([kb_copy], check=True)
    assert len(changed) == len(before)
    assert file_bytes(kb_copy) == before


def test_entities_stay_in_their_file(tmp_path: Path) -> None:
    """fmt never moves an entity to another file, even one not named after its kind."""
    mixed = tmp_path / "mixed.ttl"
    shutil.copy(FIXTURES / "valid" / "hostile-text.ttl", mixed)
    fmt([tmp_path])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mixed.ttl"]
    assert set(load([mixed]).entities) == {
        "html-term",
        "unicode-term",
        "html-definition",
        "quote-html",
        "a-source",
    }


def test_fmt_normalises_bom_and_line_endings(tmp_path: Path, kb_cli) -> None:
    path = tmp_path / "terms.ttl"
    shutil.copy(FIXTURES / "valid" / "bom-crlf.ttl", path)
    assert kb_cli("fmt", "--check", str(path)).returncode == 1
    assert kb_cli("fmt", str(path)).returncode == 0
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in data
    assert kb_cli("fmt", "--check", str(path)).returncode == 0


def test_fmt_never_deletes_comments(kb_copy: Path, kb_cli) -> None:
    """A file with comments is left as it is, with a note saying why (exit 1); a # inside
    a string or an IRI is not a comment."""
    path = kb_copy / "terms.ttl"
    text = path.read_text(encoding="utf-8").replace(" .\n", " . # why this term\n", 1)
    path.write_text("# a comment\n\n" + text, encoding="utf-8")
    before = path.read_bytes()
    for args in (("fmt", str(kb_copy)), ("fmt", "--check", str(kb_copy))):
        result = kb_cli(*args)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "not rewritten: it has # comments (line 1, " in result.stderr
        assert path.read_bytes() == before
    other = kb_copy / "researchers.ttl"
    other.write_text(other.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    result = kb_cli("fmt", str(kb_copy))
    assert f"reformatted {other}" in result.stdout  # the files without comments still are
    assert other.read_bytes() == (DATA / "researchers.ttl").read_bytes()


def test_fmt_usage_error(kb_cli, tmp_path: Path) -> None:
    result = kb_cli("fmt", str(tmp_path / "missing.ttl"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
