"""The named questions give the same rows on the bundled store, on ``kb serve`` and on Virtuoso.

Virtuoso (Debian ``virtuoso-opensource``, a SPARQL server not written here) is started by
the fixture in a temporary folder on loopback ports and loaded with ``kb export --format
nt`` output into the graph :data:`kb.model.vocab.KB_GRAPH`. CI installs it; without it these
tests fail, unless ``KB_SKIP_VIRTUOSO=1`` is set (for developers' machines only).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from kb_server import kb_serve, question_cases
from virtuoso import SKIP_VARIABLE, Virtuoso, missing

from kb import KnowledgeBase
from kb.cli import main
from kb.model.vocab import KB_GRAPH
from kb.query.engine import LocalBackend, run_question, run_sparql
from kb.query.remote import RemoteBackend

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteBackend]:
    reason = missing()
    if reason:
        if os.environ.get(SKIP_VARIABLE) == "1":
            pytest.skip(f"{reason}; skipped because {SKIP_VARIABLE}=1")
        pytest.fail(
            f"{reason}. The Virtuoso tests need it (CI installs it); "
            f"set {SKIP_VARIABLE}=1 to skip them on a developer machine.",
            pytrace=False,
        )
    export = Path(tmp_path_factory.mktemp("export")) / "kb.nt"
    assert main(["export", "--format", "nt", "--output", str(export)]) == 0
    with Virtuoso() as server:
        server.load(export.read_bytes(), KB_GRAPH)
        yield RemoteBackend(server.url, default_graph=KB_GRAPH)


@pytest.fixture(scope="module")
def served() -> Iterator[RemoteBackend]:
    with kb_serve() as url:
        yield RemoteBackend(f"{url}/sparql")


@pytest.fixture(scope="module")
def local() -> LocalBackend:
    return LocalBackend()


@pytest.mark.parametrize(("name", "arguments"), question_cases())
def test_question_same_rows_everywhere(
    virtuoso: RemoteBackend,
    served: RemoteBackend,
    local: LocalBackend,
    name: str,
    arguments: dict[str, str],
) -> None:
    here = run_question(local, name, arguments)
    assert run_question(served, name, arguments) == here
    assert run_question(virtuoso, name, arguments) == here


def test_whole_kb_loaded(virtuoso: RemoteBackend, local: LocalBackend) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert run_sparql(virtuoso, count) == run_sparql(local, count)


def test_api_on_virtuoso(virtuoso: RemoteBackend, k: KnowledgeBase) -> None:
    there = KnowledgeBase.remote(virtuoso.url, default_graph=KB_GRAPH)
    assert there.entities == k.entities
    assert there.verdicts("example-3") == k.verdicts("example-3")
    assert there.sparql("ASK { ?s a kb:Scenario }") is True
    assert there.sparql("ASK { ?s a kb:Nothing }") is False
    construct = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a kb:Approach ; rdfs:label ?l }"
    assert set(there.sparql(construct)) == set(k.sparql(construct))


@pytest.mark.parametrize(
    "argv",
    [
        ["verdicts", "example-3", "--format", "json"],
        ["ask", "approaches-giving-verdict", "scenario=example-3", "verdict=inner-misaligned"],
        ["show", "example-3", "--format", "json"],
    ],
)
def test_cli_on_virtuoso(
    virtuoso: RemoteBackend, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 0
    here = capsys.readouterr().out
    endpoint = f"{virtuoso.url}?default-graph-uri={urllib.parse.quote(KB_GRAPH, safe='')}"
    assert main([*argv, "--endpoint", endpoint]) == 0
    assert capsys.readouterr().out == here and here
