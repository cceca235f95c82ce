"""The query commands of the real command line (subprocesses): formats, exit codes, one-line
errors, 80-column tables, and a cold query path that imports neither pydantic nor rdflib.
Answers are checked against the Python API, as Datasette's CLI tests do."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
from conftest import DATA, KbCli, invalid_case
from conftest import EXAMPLE_FACTS as FACTS

from kb import KnowledgeBase
from kb.query.questions import registry

COMMANDS = ["verdicts", "ask", "show", "sparql", "classify", "export"]
VERDICT_KEYS = {"scenario", "approach", "verdict", "hedged", "basis", "rationale", "source"}


def assert_usage_error(result: subprocess.CompletedProcess[str], text: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert text in lines[0]


def assert_fits_80(text: str) -> None:
    assert max(len(line) for line in text.splitlines()) <= 80, text


@pytest.mark.parametrize("command", COMMANDS)
def test_help(kb_cli: KbCli, command: str) -> None:
    result = kb_cli(command, "--help")
    assert result.returncode == 0
    assert "usage: kb " + command in result.stdout


def test_verdicts_json_shape(kb_cli: KbCli, k: KnowledgeBase) -> None:
    result = kb_cli("verdicts", "example-3", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and all(set(r) >= VERDICT_KEYS for r in rows)
    assert all(isinstance(r["hedged"], bool) for r in rows)
    assert {r["basis"] for r in rows} <= {"stated", "derived"}
    expected = [v.model_dump(by_alias=True) for v in k.verdicts(scenario="example-3")]
    assert [{key: r[key] for key in VERDICT_KEYS} for r in rows] == [
        {key: e[key] for key in VERDICT_KEYS} for e in expected
    ]


def test_verdicts_derived_have_basis(kb_cli: KbCli) -> None:
    result = kb_cli("verdicts", "birth-control", "--format", "json")
    rows = json.loads(result.stdout)
    assert {r["basis"] for r in rows} == {"stated", "derived"}
    derived = [r for r in rows if r["basis"] == "derived"]
    assert all(r["source"] is None and r["rationale"] for r in derived)


def test_verdicts_table_and_csv(kb_cli: KbCli) -> None:
    table = kb_cli("verdicts", "example-4")
    assert table.returncode == 0
    assert_fits_80(table.stdout)
    assert "uncertain" in table.stdout
    result = kb_cli(
        "verdicts", "example-4", "--approach", "optimization-focused", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["approach"], r["verdict"]) for r in rows] == [
        ("optimization-focused", "inner-misaligned")
    ]


def test_verdicts_errors(kb_cli: KbCli) -> None:
    assert_usage_error(kb_cli("verdicts", "exampel-3"), "did you mean example-3")
    assert_usage_error(
        kb_cli("verdicts", "example-3", "--approach", "objective"), "unknown approach id"
    )
    result = kb_cli("verdicts")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    result = kb_cli("verdicts", "example-3", "--format", "xml")
    assert result.returncode == 2


def test_ask_list(kb_cli: KbCli) -> None:
    result = kb_cli("ask", "--list")
    assert result.returncode == 0
    assert_fits_80(result.stdout)
    for name in registry():
        assert name in result.stdout
    listed = json.loads(kb_cli("ask", "--list", "--format", "json").stdout)
    assert [q["name"] for q in listed] == sorted(registry())


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_ask_formats(kb_cli: KbCli, k: KnowledgeBase, fmt: str) -> None:
    args = ["ask", "disagreements", "a=objective-focused", "b=optimization-focused"]
    result = kb_cli(*args, "--format", fmt)
    assert result.returncode == 0, result.stderr
    expected = k.ask("disagreements", a="objective-focused", b="optimization-focused")
    if fmt == "json":
        assert json.loads(result.stdout) == expected
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [r["scenario"] for r in rows] == [e["scenario"] for e in expected]
    else:
        assert_fits_80(result.stdout)


def test_ask_errors(kb_cli: KbCli) -> None:
    assert_usage_error(kb_cli("ask", "disagreement"), "did you mean disagreements")
    assert_usage_error(kb_cli("ask", "disagreements", "a=objective-focused"), "needs parameter")
    assert_usage_error(kb_cli("ask", "verdicts", "scenario"), "not of the form key=value")
    assert_usage_error(kb_cli("ask", "verdicts", "colour=red"), "has no parameter 'colour'")


def test_show(kb_cli: KbCli, k: KnowledgeBase) -> None:
    table = kb_cli("show", "evan-hubinger")
    assert table.returncode == 0
    assert_fits_80(table.stdout)
    data = json.loads(kb_cli("show", "example-3", "--format", "json").stdout)
    assert data["kind"] == "Scenario"
    assert data == {"kind": "Scenario", **k.get("example-3").model_dump(exclude_none=True)}
    assert_usage_error(kb_cli("show", "evan-hubingr"), "did you mean evan-hubinger")


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "tsv"])
def test_sparql_select(kb_cli: KbCli, fmt: str) -> None:
    query = "SELECT ?s WHERE { ?s a kb:Approach } ORDER BY ?s"
    result = kb_cli("sparql", query, "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert "objective-focused" in result.stdout


def test_sparql_ask_construct_and_file(kb_cli: KbCli, tmp_path: Path) -> None:
    result = kb_cli("sparql", "ASK { id:example-3 a kb:Scenario }", "--format", "json")
    assert json.loads(result.stdout) == {"boolean": True}
    construct = kb_cli("sparql", "CONSTRUCT { id:example-3 ?p ?o } WHERE { id:example-3 ?p ?o }")
    assert construct.returncode == 0
    assert "kb:mesaOptimizer true" in construct.stdout
    describe = kb_cli("sparql", "DESCRIBE id:evan-hubinger")
    assert "Evan Hubinger" in describe.stdout
    path = tmp_path / "q.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a kb:Scenario }", encoding="utf-8")
    counted = json.loads(kb_cli("sparql", str(path), "--format", "json").stdout)
    assert counted[0]["n"] >= 5


def test_sparql_errors(kb_cli: KbCli) -> None:
    assert_usage_error(kb_cli("sparql", "SELECT * WHERE {"), "SPARQL syntax error")
    assert_usage_error(kb_cli("sparql", "missing.rq"), "no such file")


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".ttl"])
def test_classify_file_formats(
    kb_cli: KbCli, k: KnowledgeBase, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"facts{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(FACTS), encoding="utf-8")
    elif suffix == ".yaml":
        path.write_text(
            "".join(f"{key}: {str(v).lower()}\n" for key, v in FACTS.items()), encoding="utf-8"
        )
    else:
        body = " ;\n  ".join(
            f"kb:{name} {json.dumps(v) if isinstance(v, str) else str(v).lower()}"
            for name, v in {
                "mesaOptimizer": FACTS["mesa_optimizer"],
                "objective": FACTS["objective"],
                "proxyDivergesInTraining": FACTS["proxy_diverges_in_training"],
                "proxyDivergesInDeployment": FACTS["proxy_diverges_in_deployment"],
                "trainingConverged": FACTS["training_converged"],
                "capabilitiesGeneralize": FACTS["capabilities_generalize"],
            }.items()
        )
        path.write_text(
            "@prefix kb: <https://w3id.org/inner-alignment-kb/vocab#> .\n"
            f"<https://example.org/s> {body} .\n",
            encoding="utf-8",
        )
    result = kb_cli("classify", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    expected = k.classify(FACTS)
    assert {r["approach"]: (r["verdict"], r["hedged"]) for r in rows} == {
        a: (v.value, v.hedged) for a, v in expected.items()
    }
    table = kb_cli("classify", str(path))
    assert_fits_80(table.stdout)


def test_classify_errors(kb_cli: KbCli, tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({**FACTS, "training_converged": "yes"}), encoding="utf-8")
    assert_usage_error(kb_cli("classify", str(path)), "training_converged")
    path.write_text("{not json", encoding="utf-8")
    assert_usage_error(kb_cli("classify", str(path)), "invalid JSON")
    assert_usage_error(kb_cli("classify", str(tmp_path / "none.json")), "no such file")
    other = tmp_path / "facts.txt"
    other.write_text("x", encoding="utf-8")
    assert_usage_error(kb_cli("classify", str(other)), "unknown facts format")


def test_classify_reports_conflicts(kb_cli: KbCli, tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    facts = {**FACTS, "proxy_diverges_in_training": True, "training_converged": True}
    path.write_text(json.dumps(facts), encoding="utf-8")
    rows = json.loads(kb_cli("classify", str(path), "--format", "json").stdout)
    conflict = {r["approach"]: r["conflict"] for r in rows}["optimization-focused"]
    assert conflict and "converged" in conflict


def test_wide_tables_fit_80_columns(kb_cli: KbCli) -> None:
    for args in (
        ("ask", "verdicts", "scenario=example-3"),
        ("sparql", "SELECT * WHERE { ?v a kb:Verdict ; ?p ?o } LIMIT 30"),
        ("show", "verdict-example-3-objective-focused"),
        ("verdicts", "example-4"),
    ):
        result = kb_cli(*args)
        assert result.returncode == 0, result.stderr
        assert max(len(line) for line in result.stdout.splitlines()) <= 80, args


def test_show_derived_verdict(kb_cli: KbCli) -> None:
    result = kb_cli("show", "derived-birth-control-objective-focused", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert '"basis": "derived"' in result.stdout


def test_usage_errors_are_one_line(kb_cli: KbCli, tmp_path: Path) -> None:
    for args, message in (
        (("export", "-o", str(tmp_path / "missing" / "kb.ttl")), "no such folder"),
        (("serve", "--port", "99999"), "--port must be between 0 and 65535"),
    ):
        result = kb_cli(*args)
        assert result.returncode == 2, args
        assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "missing").exists()


def test_query_commands_answer_an_invalid_kb_without_validating_it(kb_cli: KbCli) -> None:
    """README: the query commands load the Turtle without validating it, so that they start
    fast; the commands that validate refuse the same KB."""
    invalid = str(invalid_case("dangling-reference"))
    for args in (
        ("sparql", "ASK { ?s ?p ?o }"),
        ("ask", "term-definitions", "term=inner-alignment"),
        ("export", "--format", "nt"),
    ):
        result = kb_cli(*args, "--kb", invalid)
        assert result.returncode == 0, (args, result.stderr)
    for args in (("validate", invalid), ("show", "inner-alignment", "--kb", invalid)):
        result = kb_cli(*args)
        assert result.returncode == 1, (args, result.stderr)
        assert "points to id:alignment, which does not exist" in result.stderr + result.stdout


def test_listing_the_questions_checks_a_kb_path_given(kb_cli: KbCli, tmp_path: Path) -> None:
    """The list does not read the KB, but a path given that does not exist is still an input
    error, as it is for every command."""
    assert kb_cli("ask", "--list", "--kb", str(DATA)).returncode == 0
    assert_usage_error(
        kb_cli("ask", "--list", "--kb", str(tmp_path / "none")), "no such file or folder"
    )
