"""Hostile inputs through the command line (:func:`kb.cli.main`): each is rejected with a
clear message or loads safely, none gives a traceback, and none corrupts a file.

The corpus is ``tests/fixtures/invalid`` (each with the message it must produce) and
``tests/fixtures/valid`` (odd Unicode, HTML, script tags and Markdown that must load and
survive formatting), plus inputs too big to commit, generated here into ``tmp_path``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import CASES, FIXTURES, INVALID, invalid_case, run_kb

from kb.model.models import Quote, Term
from kb.rdf.dataset import load
from kb.rdf.writer import prefix_block, save, write_atomic

VALID = FIXTURES / "valid"
HEADER = prefix_block()


def _snapshot(path: Path) -> dict[str, bytes]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p.relative_to(path.parent)): p.read_bytes() for p in files}


def _assert_clean_exit(result: subprocess.CompletedProcess[str], codes: set[int]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode in codes, (result.returncode, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], object]:
    """Every invalid fixture through `kb validate` and through `kb fmt` on a copy, once for
    the module."""
    work = tmp_path_factory.mktemp("hostile")
    jobs: dict[tuple[str, str], tuple[str, ...]] = {}
    copies: dict[str, tuple[Path, dict[str, bytes]]] = {}
    for name in CASES:
        source = invalid_case(name)
        copy = work / name / source.name
        copy.parent.mkdir()
        if source.is_dir():
            shutil.copytree(source, copy)
        else:
            shutil.copy(source, copy)
        copies[name] = (copy, _snapshot(copy))
        jobs[(name, "text")] = ("validate", str(source))
        jobs[(name, "fmt")] = ("fmt", str(copy))
    results: dict[tuple[str, str], object] = {key: run_kb(*args) for key, args in jobs.items()}
    for name, (copy, before) in copies.items():
        results[(name, "after-fmt")] = (before, _snapshot(copy))
    return results


@pytest.mark.parametrize("name", CASES)
def test_invalid_input_is_rejected_clearly(cli_results, name: str) -> None:
    result = cli_results[(name, "text")]
    _assert_clean_exit(result, {1})
    expected = (INVALID / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    for line in filter(None, expected):
        assert line in result.stdout, f"{line!r} not in:\n{result.stdout}"
    assert "problem(s)" in result.stderr


@pytest.mark.parametrize("name", CASES)
def test_invalid_input_json_report(cli_results, name: str) -> None:
    result = run_kb("validate", "--format", "json", str(invalid_case(name)))
    _assert_clean_exit(result, {1})
    rows = json.loads(result.stdout)
    assert rows and all(set(r) == {"file", "line", "entity", "field", "message"} for r in rows)
    text = cli_results[(name, "text")].stdout
    for row in rows:  # the same problems as the text report
        assert row["message"] in text


@pytest.mark.parametrize("name", CASES)
def test_fmt_never_touches_an_invalid_kb(cli_results, tmp_path: Path, name: str) -> None:
    _assert_clean_exit(cli_results[(name, "fmt")], {1})
    before, after = cli_results[(name, "after-fmt")]
    assert after == before
    copy = tmp_path / invalid_case(name).name
    (shutil.copytree if invalid_case(name).is_dir() else shutil.copy)(invalid_case(name), copy)
    snapshot = _snapshot(copy)
    _assert_clean_exit(run_kb("fmt", "--check", str(copy)), {1})
    assert _snapshot(copy) == snapshot


@pytest.mark.parametrize("path", sorted(VALID.glob("*.ttl")), ids=lambda p: p.name)
def test_hostile_text_loads_safely_and_survives_fmt(tmp_path: Path, path: Path) -> None:
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    _assert_clean_exit(run_kb("validate", str(copy)), {0})
    original = load([copy]).entities
    _assert_clean_exit(run_kb("fmt", str(copy)), {0})
    assert load([copy]).entities == original
    formatted = copy.read_bytes()
    _assert_clean_exit(run_kb("fmt", "--check", str(copy)), {0})
    assert copy.read_bytes() == formatted


def test_hostile_text_is_kept_verbatim() -> None:
    entities = load([VALID / "hostile-text.ttl"]).entities
    html = entities["html-term"]
    assert isinstance(html, Term)
    assert html.label == "<script>alert('label')</script>"
    assert "[a link](javascript:alert(1))" in (html.scope_note or "")
    unicode = entities["unicode-term"]
    assert isinstance(unicode, Term)
    assert unicode.label.startswith("\u202eRTL override\u202c")
    labels = " | ".join(unicode.alt_labels)
    assert "\U0001f468\u200d\U0001f469\u200d\U0001f467" in labels
    assert "e\u0301" in labels  # combining marks are not normalised away
    assert "\ufeffBOM inside\u2028line separator\u2029paragraph" in labels
    assert unicode.note == "whitespace: tab\there, line\nbreak, return\r end"
    quote = entities["quote-html"]
    assert isinstance(quote, Quote)
    assert quote.text.startswith("<script>document.write('quote')</script>")


def test_ten_megabyte_literal(tmp_path: Path) -> None:
    big = ('inner alignment \u202e\u200d e\u0301 <script>x</script> "q" \\ \n' * 200_000)[
        : 10 * 1024 * 1024
    ]
    escaped = big.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    path = tmp_path / "terms.ttl"
    path.write_text(
        HEADER + f'\nid:big a skos:Concept ;\n    skos:prefLabel "big" ;\n'
        f'    skos:scopeNote "{escaped}" .\n',
        encoding="utf-8",
    )
    assert path.stat().st_size > 10_000_000
    result = run_kb("validate", str(path))
    _assert_clean_exit(result, {0})
    _assert_clean_exit(run_kb("fmt", str(path)), {0})
    term = load([path]).entities["big"]
    assert isinstance(term, Term)
    assert term.scope_note == big


def test_ten_megabyte_invalid_literal_gives_a_short_message(tmp_path: Path) -> None:
    path = tmp_path / "quotes.ttl"
    path.write_text(
        HEADER + "\nid:q a schema:Quotation ;\n    dcterms:source id:nothing ;\n"
        f'    schema:text "{" " * 10_000_000}" .\n',
        encoding="utf-8",
    )
    result = run_kb("validate", str(path))
    _assert_clean_exit(result, {1})
    assert "must not be empty or only whitespace" in result.stdout
    assert "points to id:nothing, which does not exist" not in result.stdout  # q is invalid
    assert len(result.stdout) < 2000


def test_deeply_nested_blank_nodes_and_lists(tmp_path: Path) -> None:
    depth = 50_000
    path = tmp_path / "deep.ttl"
    path.write_text(
        HEADER
        + '\nid:deep a skos:Concept ;\n    skos:prefLabel "deep" ;\n'
        + "    skos:related "
        + "[ rdfs:comment " * depth
        + '"bottom"'
        + " ]" * depth
        + " ;\n    skos:altLabel "
        + "( " * depth
        + ")" * depth
        + " .\n",
        encoding="utf-8",
    )
    result = run_kb("validate", str(path))
    _assert_clean_exit(result, {1})
    assert "skos:related must be an IRI, found a blank node" in result.stdout
    assert "blank node(s) outside a list" in result.stdout
    assert len(result.stdout.splitlines()) < 10


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02\xff\xfe binary garbage \x00",
        b"@prefix : <",
        b"@prefix id: <https://w3id.org/inner-alignment-kb/id/> .\nid:x id:y id:z",
        "\u202e@prefix \u200d".encode(),
        b"<https://w3id.org/inner-alignment-kb/id/x> a " + b'"' * 10_000,
        b"\xef\xbb\xbf\xef\xbb\xbf",
    ],
    ids=["empty", "binary", "truncated-prefix", "no-dot", "bidi", "quotes", "double-bom"],
)
def test_garbage_never_gives_a_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "garbage.ttl"
    path.write_bytes(content)
    for args in (("validate",), ("fmt",), ("validate", "--format", "json"), ("fmt", "--check")):
        _assert_clean_exit(run_kb(*args, str(path)), {0, 1})
        assert path.read_bytes() == content


# --- saving never corrupts a file -----------------------------------------------------------


def test_write_atomic_real_failure_keeps_old_file(tmp_path: Path) -> None:
    """A write that really fails half-way (the file-size limit is hit) leaves the old file."""
    target = tmp_path / "terms.ttl"
    target.write_text("old content\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from pathlib import Path
        from kb.rdf.writer import write_atomic
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            write_atomic(Path({str(target)!r}), "new content " * 100_000)
        except OSError as error:
            print("failed:", error.errno)
            sys.exit(0)
        sys.exit(3)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("failed:")
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["terms.ttl"], "temporary file left"


def test_write_atomic_failure_in_rename_keeps_old_file(tmp_path: Path) -> None:
    """Replacing a path that is a non-empty folder fails for real at the rename."""
    target = tmp_path / "data.ttl"
    target.mkdir()
    (target / "keep.txt").write_text("kept", encoding="utf-8")
    with pytest.raises(OSError):
        write_atomic(target, "text")
    assert (target / "keep.txt").read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.ttl"]


def test_write_atomic_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "terms.ttl"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert target.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "fresh.ttl"
    write_atomic(fresh, "x")
    assert fresh.stat().st_mode & 0o044, "a new file is readable by others (umask permitting)"


def test_save_that_cannot_serialise_leaves_every_file_intact(kb_copy: Path) -> None:
    loaded = load([kb_copy])
    before = _snapshot(kb_copy)
    entities = dict(loaded.entities)
    # A lone surrogate is a valid Python str but cannot be written as UTF-8.
    entities["zz-broken"] = Term(id="zz-broken", label="broken \ud800 label")
    origins = {slug: Path(o.file) for slug, o in loaded.origins.items()}
    with pytest.raises(UnicodeEncodeError):
        save(entities, kb_copy, origins)
    assert _snapshot(kb_copy) == before
