"""`kb validate` and the loader behind it: every problem at once, located, with exit codes.

The invalid examples live in ``tests/fixtures/invalid``: ``NAME.ttl`` (or a folder ``NAME/``)
with ``NAME.expected``, whose lines must each occur in the report. Every valid example in
``tests/fixtures/valid`` must load.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import CASES, DATA, FIXTURES, INVALID, invalid_case

from kb.model.errors import InvalidKB, Problem, UsageError
from kb.model.models import KINDS, Term
from kb.query.validate import check
from kb.rdf.dataset import load

VALID = FIXTURES / "valid"


def expected_lines(name: str) -> list[str]:
    text = (INVALID / f"{name}.expected").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def report(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


def test_every_invalid_fixture_has_its_expectation() -> None:
    named = {p.stem for p in INVALID.glob("*.ttl")} | {
        p.name for p in INVALID.iterdir() if p.is_dir()
    }
    assert named == set(CASES)
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", CASES)
def test_invalid_fixture_reports_expected_problems(name: str) -> None:
    _, problems = check([invalid_case(name)])
    assert problems, f"{name} loaded without problems"
    text = report(problems)
    for line in expected_lines(name):
        assert line in text, f"{name}: expected {line!r} in:\n{text}"
    with pytest.raises(InvalidKB) as raised:
        load([invalid_case(name)])
    assert raised.value.problems == problems


@pytest.mark.parametrize("name", CASES)
def test_problems_name_the_file(name: str) -> None:
    _, problems = check([invalid_case(name)])
    for problem in problems:
        assert Path(problem.file).exists()
        assert problem.message
        assert "Traceback" not in problem.message


@pytest.mark.parametrize("path", sorted(VALID.glob("*.ttl")), ids=lambda p: p.name)
def test_valid_fixture_loads(path: Path) -> None:
    loaded = load([path])
    assert loaded.entities


def test_bundled_kb_is_valid() -> None:
    loaded, problems = check()
    assert problems == [], report(problems)
    kinds = {type(e) for e in loaded.entities.values()}
    assert kinds == set(KINDS), "the bundled KB should hold every kind of entity"
    assert all(origin.line for origin in loaded.origins.values()), "every entity has a line"


def test_entities_remember_file_and_line() -> None:
    loaded = load([VALID / "hostile-text.ttl"])
    origin = loaded.origins["unicode-term"]
    assert origin.file.endswith("hostile-text.ttl")
    lines = Path(origin.file).read_text(encoding="utf-8").splitlines()
    assert lines[origin.line - 1].startswith("id:unicode-term ")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    for name in ("syntax-error", "missing-required", "dangling-reference", "unknown-predicates"):
        shutil.copy(invalid_case(name), tmp_path / f"{name}.ttl")
    _, problems = check([tmp_path])
    files = {Path(p.file).stem for p in problems}
    assert files == {"syntax-error", "missing-required", "dangling-reference", "unknown-predicates"}
    assert len(problems) >= 5  # some ids recur across these files: duplicates too


def test_dangling_reference_mentions_unreadable_file(tmp_path: Path) -> None:
    shutil.copy(invalid_case("dangling-reference"), tmp_path / "terms.ttl")
    shutil.copy(invalid_case("truncated"), tmp_path / "broken.ttl")
    _, problems = check([tmp_path])
    text = report(problems)
    assert "which does not exist (unless it is in" in text
    assert "broken.ttl, which could not be read" in text


def test_invalid_entities_still_count_as_existing(tmp_path: Path) -> None:
    """A reference to an entity that exists but has its own problems is not called dangling."""
    (tmp_path / "a.ttl").write_text(
        (INVALID / "missing-required.ttl").read_text(encoding="utf-8")
        + '\nid:other a skos:Concept ;\n    skos:prefLabel "other" ;\n'
        + "    skos:related id:inner-alignment .\n",
        encoding="utf-8",
    )
    _, problems = check([tmp_path / "a.ttl"])
    assert not [p for p in problems if p.entity == "other"], report(problems)


def test_unordered_values_load_sorted(tmp_path: Path) -> None:
    header = (INVALID / "two-values.ttl").read_text(encoding="utf-8").split("\nid:")[0]
    path = tmp_path / "terms.ttl"
    path.write_text(
        header + '\nid:t a skos:Concept ;\n    skos:prefLabel "t" ;\n'
        '    skos:altLabel "c", "a", "b", "a" .\n',
        encoding="utf-8",
    )
    term = load([path]).entities["t"]
    assert isinstance(term, Term)
    assert term.alt_labels == ["a", "b", "c"]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        check([tmp_path / "nope.ttl"])
    with pytest.raises(UsageError):
        check([tmp_path])  # a folder without Turtle files


# --- the command line ---------------------------------------------------------------------


def test_cli_validate_bundled_kb(kb_cli) -> None:
    result = kb_cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: ")
    result = kb_cli("validate", "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == []


def test_cli_validate_explicit_folder(kb_cli) -> None:
    assert kb_cli("validate", str(DATA)).returncode == 0


def test_cli_validate_json_shape(kb_cli) -> None:
    result = kb_cli("validate", "--format", "json", str(invalid_case("missing-required")))
    assert result.returncode == 1
    rows = json.loads(result.stdout)
    assert rows
    for row in rows:
        assert set(row) == {"file", "line", "entity", "field", "message"}
    assert {
        "file": str(invalid_case("missing-required")),
        "line": 13,
        "entity": "inner-alignment",
        "field": "label",
        "message": "required skos:prefLabel is missing",
    } in rows


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "/no/such/file.ttl"),
        ("validate", "--format", "json", "/no/such/file.ttl"),
        ("validate", "--format", "yaml"),
        ("validate", "--no-such-option"),
    ],
)
def test_cli_validate_usage_errors_exit_2(kb_cli, args: tuple[str, ...]) -> None:
    result = kb_cli(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


def test_check_reports_progress_per_file() -> None:
    from kb.query.validate import check

    heard: list[str] = []
    loaded, problems = check(progress=heard.append)
    assert problems == []
    assert len([line for line in heard if "reading" in line]) == len(loaded.files)
    assert f"checking references of {len(loaded.entities)} entities" in heard[-2]
    assert heard[-1] == "running the integrity checks"


def test_every_integrity_check_has_a_valid_and_an_invalid_fixture() -> None:
    """Each kb/checks/*.rq rule: a fixture it passes and one it must report (see above)."""
    from kb.rdf.integrity import checks

    names = [check.name for check in checks()]
    assert {"one-verdict-per-pair", "one-primary-source"} <= set(names)
    for name in names:
        assert (VALID / f"check-{name}.ttl").is_file(), name
        assert f"check-{name}" in CASES, name
        assert check([VALID / f"check-{name}.ttl"])[1] == []
        _, problems = check([invalid_case(f"check-{name}")])
        assert {p.message for p in problems} and all(p.line for p in problems)
