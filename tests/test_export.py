"""``kb export``: the query store (data plus derived verdicts) in Turtle, N-Triples, JSON-LD."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import KbCli, run_kb_process

from kb.publish.export import RDF_FORMATS, export_text
from kb.rdf.store import load_store


@pytest.fixture(scope="module")
def store_size() -> int:
    return len(load_store())


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_export_parses_back_to_the_store(fmt: str, store_size: int) -> None:
    text = export_text(None, fmt)
    triples = list(ox.parse(text.encode(), format=RDF_FORMATS[fmt]))
    assert len(triples) == store_size
    assert any(q.object == ox.Literal("derived") for q in triples)


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_export_bytes_do_not_depend_on_the_hash_seed(fmt: str, tmp_path: Path) -> None:
    """Two processes with different string hashing (so a different order for any set or
    dict of strings) write the same bytes: the export's order is chosen, not inherited."""
    written = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed-{seed}.{fmt}"
        result = run_kb_process(
            "export", "--format", fmt, "-o", str(out), env={"PYTHONHASHSEED": seed}
        )
        assert result.returncode == 0, result.stderr
        written.append(out.read_bytes())
    assert written[0] == written[1]


def test_cli_export_to_file(kb_cli: KbCli, tmp_path: Path, store_size: int) -> None:
    out = tmp_path / "kb.nt"
    result = kb_cli("export", "--format", "nt", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert len(list(ox.parse(path=str(out), format=ox.RdfFormat.N_TRIPLES))) == store_size


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_cli_export_stdout(kb_cli: KbCli, fmt: str, store_size: int) -> None:
    result = kb_cli("export", "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert len(list(ox.parse(result.stdout.encode(), format=RDF_FORMATS[fmt]))) == store_size


def test_cli_export_bad_format(kb_cli: KbCli) -> None:
    result = kb_cli("export", "--format", "xml")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_export_is_a_valid_kb_that_queries_the_same(tmp_path: Path, k) -> None:
    """What `kb export` writes loads back through the validator, and querying it gives the
    same verdicts as the KB it came from (derived verdicts are not derived twice)."""
    from kb import KnowledgeBase

    out = tmp_path / "export.ttl"
    out.write_text(export_text(None, "ttl"), encoding="utf-8")
    exported = KnowledgeBase.load(out)
    assert exported.verdicts() == k.verdicts()
    assert set(exported.entities) == set(k.entities)
