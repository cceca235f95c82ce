"""What the query commands print for a reader: nothing cut at 80 columns, the matrix in every
format, colour only on a terminal and only added to text. Real CLI in subprocesses."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE_FACTS as FACTS
from conftest import ROOT, KbCli

from kb import KnowledgeBase

WIDE = {"COLUMNS": "80", "NO_COLOR": ""}
LONG_RATIONALE = (
    "A deliberately long rationale that no table column could hold on one line: "
    + " ".join(f"reason{n:02d}" for n in range(60))
    + " and the last words of the rationale are here."
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_fits_80(text: str) -> None:
    assert text.strip()
    assert max(len(line) for line in text.splitlines()) <= 80, text


def test_verdicts_show_a_long_rationale_in_full_at_80_columns(kb_cli: KbCli, kb_copy: Path) -> None:
    verdicts = kb_copy / "verdicts.ttl"
    text = verdicts.read_text(encoding="utf-8")
    old = re.search(
        r'(id:verdict-example-3-objective-focused a kb:Verdict ;.*?kb:rationale )"[^"]*"',
        text,
        re.S,
    )
    assert old is not None
    verdicts.write_text(
        text[: old.start()] + old[1] + f'"{LONG_RATIONALE}"' + text[old.end() :],
        encoding="utf-8",
    )
    result = kb_cli("verdicts", "example-3", "--kb", str(kb_copy), env=WIDE)
    assert result.returncode == 0, result.stderr
    assert_fits_80(result.stdout)
    assert LONG_RATIONALE in flat(result.stdout)
    assert "…" not in result.stdout
    # the scenario's label, not only its id; the evidence count; no column of source ids
    assert "Example 3: fully optimized" in result.stdout
    assert "3 quotes" in result.stdout
    assert "clarifying-the-confusion…" not in result.stdout


def test_verdicts_table_shows_every_rationale_and_implied(kb_cli: KbCli, k: KnowledgeBase) -> None:
    result = kb_cli("verdicts", "clearer-birth-control-example", env=WIDE)
    assert result.returncode == 0, result.stderr
    assert_fits_80(result.stdout)
    for verdict in k.verdicts(scenario="clearer-birth-control-example"):
        assert flat(verdict.rationale) in flat(result.stdout)
    assert "implied" in result.stdout and "derived" in result.stdout


def test_verdicts_json_is_unchanged_in_content(kb_cli: KbCli, k: KnowledgeBase) -> None:
    rows = json.loads(kb_cli("verdicts", "example-3", "--format", "json").stdout)
    assert rows == k.ask("verdicts", scenario="example-3")


def test_classify_shows_the_full_reasoning(kb_cli: KbCli, k: KnowledgeBase, tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(FACTS), encoding="utf-8")
    result = kb_cli("classify", str(facts), env=WIDE)
    assert result.returncode == 0, result.stderr
    assert_fits_80(result.stdout)
    for verdict in k.classify(FACTS).values():
        assert flat(verdict.rationale) in flat(result.stdout)


def _run_on_terminal(*args: str, env: dict[str, str]) -> str:
    """The real CLI with its stdout on a pseudo-terminal, as a person would run it."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={key: value for key, value in os.environ.items() if key != "NO_COLOR"} | env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(leader)
    assert process.returncode == 0
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_colour_only_on_a_terminal_and_only_added(kb_cli: KbCli) -> None:
    plain = kb_cli("matrix", env={"COLUMNS": "80"}).stdout
    assert "\x1b" not in plain  # stdout is a pipe
    coloured = _run_on_terminal("matrix", env={"COLUMNS": "80", "TERM": "xterm"})
    assert "\x1b[" in coloured
    assert ANSI.sub("", coloured) == plain  # colour adds to the text, never replaces it
    no_colour = _run_on_terminal("matrix", env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert "\x1b" not in no_colour and no_colour == plain


def test_matrix_table_fits_80_columns_in_the_essays_order(kb_cli: KbCli, k: KnowledgeBase) -> None:
    result = kb_cli("matrix", env=WIDE)
    assert result.returncode == 0, result.stderr
    assert_fits_80(result.stdout)
    lines = result.stdout.splitlines()
    start, end = lines[0].index("scenario"), lines[0].index("objective")
    column = flat(" ".join(line[start:end] for line in lines[2:] if len(line) > start))
    labels = [flat(row.label) for row in k.matrix()]
    positions = [column.index(label) for label in labels]  # each label whole, wrapped
    assert positions == sorted(positions)
    assert [row.scenario for row in k.matrix()][:5] == [
        "example-1",
        "example-1-capability-failure",
        "example-2",
        "example-3",
        "birth-control",
    ]
    out = flat(result.stdout)
    for word in ("hedged", "derived", "implied", "disagree", "objective-focused approach"):
        assert word in out  # the legend


def test_matrix_csv_json_markdown_agree_with_the_api(kb_cli: KbCli, k: KnowledgeBase) -> None:
    matrix = k.matrix()
    approaches = [a for a, _ in matrix.approaches]
    assert approaches[0] == "objective-focused"  # the essay's order, not the alphabet

    rows = list(csv.DictReader(io.StringIO(kb_cli("matrix", "--format", "csv").stdout)))
    assert [r["scenario"] for r in rows] == [row.scenario for row in matrix]
    for got, row in zip(rows, matrix, strict=True):
        assert got["disagree"] == ("yes" if row.disagree else "no")
        for approach in approaches:
            assert got[approach] == str(row.cells[approach])
    hedged = [r for r in rows if "(hedged" in r["generalization-focused"]]
    assert hedged

    data = json.loads(kb_cli("matrix", "--format", "json").stdout)
    assert [a["id"] for a in data["approaches"]] == approaches
    verdicts = {v.id: v for v in k.verdicts()}
    for row in data["rows"]:
        for approach, cell in row["cells"].items():
            verdict = verdicts[cell["id"]]
            assert (verdict.scenario, verdict.approach) == (row["scenario"], approach)
            assert (cell["verdict"], cell["hedged"], cell["basis"], cell["implied"]) == (
                verdict.value,
                verdict.hedged,
                verdict.basis,
                verdict.implied,
            )
        assert row["disagree"] == (len({c["verdict"] for c in row["cells"].values()}) > 1)

    markdown = kb_cli("matrix", "--format", "markdown").stdout
    table = [line for line in markdown.splitlines() if line.startswith("|")]
    assert len(table) == len(matrix) + 2
    assert all(line.count(" | ") == len(approaches) for line in table[2:])
    assert "hedged" in markdown and "≠" in markdown


def test_matrix_rejects_an_unknown_format(kb_cli: KbCli) -> None:
    result = kb_cli("matrix", "--format", "xml")
    assert result.returncode == 2 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args", [["verdicts", "example-3", "--format", "json"], ["verdicts", "example-3"], ["matrix"]]
)
def test_display_stays_on_the_fast_path(args: list[str]) -> None:
    """Cold query processes (JSON and the terminal views) import neither pydantic nor rdflib,
    nor ctypes (named questions run without the sandbox, which only user SPARQL needs), nor
    subprocess (the site and serve commands' modules stay unloaded), nor tempfile (which
    importlib.abc would load for the old module names' finder)."""
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['kb', *{args!r}]\n"
        "try:\n"
        "    runpy.run_module('kb.cli', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "unwanted = ('pydantic', 'rdflib', 'ctypes', 'subprocess', 'tempfile')\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in unwanted]\n"
        "sys.stderr.write('HEAVY=' + ','.join(sorted(heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert result.stderr.strip().endswith("HEAVY="), result.stderr


def test_show_prints_a_readable_card(kb_cli: KbCli, k: KnowledgeBase) -> None:
    result = kb_cli("show", "verdict-example-3-objective-focused", env=WIDE)
    assert result.returncode == 0, result.stderr
    assert_fits_80(result.stdout)
    out = flat(result.stdout)
    verdict = k["verdict-example-3-objective-focused"]
    assert out.startswith("Verdict: objective-focused on example-3: inner-misaligned")
    # references by label, with their ids
    assert f"{flat(k['example-3'].display_label)} (example-3)" in out
    assert "Rauno Arike (rauno-arike)" in out
    # each evidence quote in full, with speaker, source and id
    for quote_id in verdict.evidence:
        quote = k[quote_id]
        assert f"“{flat(quote.text)}” — Rauno Arike, in {k[quote.source].display_label}" in out
        assert f"[{quote_id}]" in out
    assert flat(verdict.rationale) in out


def test_show_lists_the_verdicts_that_mention_the_entity(kb_cli: KbCli, k: KnowledgeBase) -> None:
    result = kb_cli("show", "birth-control", env=WIDE)
    assert result.returncode == 0, result.stderr
    assert_fits_80(result.stdout)
    out = flat(result.stdout)
    assert flat(k["birth-control"].description) in out
    assert "verdicts that mention birth-control" in out
    for v in k.verdicts(scenario="birth-control"):
        marks = [m for m in ("hedged", "implied") if getattr(v, m)]
        marks += ["derived"] if v.basis == "derived" else []
        extra = f" ({', '.join(marks)})" if marks else ""
        assert f"{v.approach}: {v.value}{extra} [{v.id}]" in out


def test_label_predicates_are_the_models_label_fields() -> None:
    from kb.model.mapping import specs
    from kb.model.models import KINDS
    from kb.query.views import LABEL_PREDICATES

    curies = {
        spec.curie
        for kind in KINDS
        for spec in specs(kind)
        if spec.name == kind.label_field == "label"
    }
    assert set(LABEL_PREDICATES) == curies


def test_tables_wrap_text_but_never_split_ids() -> None:
    from kb.query.output import table

    rows = [
        {
            "id": "clearer-birth-control-example",
            "verdict": "inner-misaligned",
            "why": LONG_RATIONALE,
        },
        {"id": "example-3", "verdict": "inner-aligned", "why": "short"},
    ]
    text = table(rows, width=80)
    assert_fits_80(text)
    assert "…" not in text
    assert LONG_RATIONALE in flat(text)
    for line in text.splitlines()[2:]:
        first = line.split("  ")[0]
        assert first in ("", "clearer-birth-control-example", "example-3")
    many = [{f"column_{n}": f"value-that-is-long-{n}" for n in range(6)}]
    assert table(many, width=80).startswith("column_0  value-that-is-long-0")  # as records


def test_kb_text_never_drives_the_terminal(kb_cli: KbCli, kb_copy: Path) -> None:
    for name, old in (
        ("scenarios.ttl", '"Example 3: fully optimized non-impact-aligned mesa-optimizer"'),
        ("approaches.ttl", '"objective-focused approach"'),
    ):
        path = kb_copy / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, '"\\u001B[2J\\u0007 cleared"'), encoding="utf-8")
    for args in (("matrix",), ("verdicts", "example-3"), ("show", "example-3")):
        result = kb_cli(*args, "--kb", str(kb_copy), env=WIDE)
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout, args
        if result.returncode == 0:
            assert "\\x1b[2J\\x07 cleared" in result.stdout, args


def test_every_kind_of_failure_has_a_look() -> None:
    from kb.model.schema_table import FAILURE_KINDS
    from kb.query.views import FAILURE_LOOKS

    assert tuple(FAILURE_LOOKS) == FAILURE_KINDS
    codes = [code for code, _, _ in FAILURE_LOOKS.values()]
    assert len(set(codes)) == len(codes)


def test_the_failure_shows_beside_the_verdict(kb_cli, k: KnowledgeBase) -> None:  # type: ignore[no-untyped-def]
    from kb.query.views import FAILURE_LOOKS

    verdicts = [v for v in k.verdicts(scenario="birth-control")]
    assert any(v.failure for v in verdicts) and any(v.value is None for v in verdicts)
    out = flat(kb_cli("verdicts", "birth-control", env=WIDE).stdout)
    for v in verdicts:
        words = FAILURE_LOOKS[v.failure][2] if v.failure else ""
        assert f"{v.approach}: " + "; ".join(p for p in (v.value, words) if p) in out
    matrix = kb_cli("matrix", env=WIDE).stdout
    assert_fits_80(matrix)
    assert "— GF" in matrix  # a verdict on the failure only
    assert "GF generalization failure" in flat(matrix)
