"""The named-question registry: every question parses, runs on its example, is ordered, is
standard SPARQL 1.1 (rdflib, a second implementation, gives the same rows), and answers what
its title says on the bundled KB."""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox
import pytest

from kb import KnowledgeBase
from kb.model.errors import UnknownId, UsageError
from kb.model.vocab import slug_of
from kb.publish.export import export_text
from kb.query.engine import bound_terms
from kb.query.questions import registry

QUESTIONS = registry()
REQUIRED_TOPICS = {
    "approaches-giving-verdict",
    "disagreements",
    "agreements",
    "hedged-verdicts",
    "verdict-basis",
    "endorsers",
    "researcher-approaches",
    "mesa-optimizer-approaches",
    "term-definitions",
    "researcher-works",
    "decomposition",
    "arguments",
    "scenario-facts",
    "verdict-matrix",
    "verdicts",
}


def test_registry_covers_the_required_topics() -> None:
    assert len(QUESTIONS) >= 14
    assert set(QUESTIONS) >= REQUIRED_TOPICS


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_header_is_complete(name: str) -> None:
    found = QUESTIONS[name]
    assert found.title and found.description, name
    names = {p.name for p in found.parameters}
    assert set(found.example) <= names, f"{name}: example names unknown parameters"
    required = {p.name for p in found.parameters if not p.optional}
    assert required <= set(found.example), f"{name}: example misses required parameters"
    for parameter in found.parameters:
        assert parameter.description, f"{name}: parameter {parameter.name} is undocumented"
        assert parameter.type in ("verdict", "text") or parameter.type_iri, parameter.type


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_every_question_orders_its_rows(name: str) -> None:
    assert re.search(r"\bORDER BY\b", QUESTIONS[name].sparql), name


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_example_runs_and_is_deterministic(k: KnowledgeBase, name: str) -> None:
    found = QUESTIONS[name]
    rows = k.ask(name, **found.example)
    assert rows, f"{name} with {found.example} returned no rows"
    projected = re.findall(r"\?(\w+)", found.sparql.split("WHERE")[0])
    assert list(rows[0]) == list(dict.fromkeys(v for v in projected if v in rows[0]))
    assert k.ask(name, **found.example) == rows


@pytest.fixture(scope="module")
def rdflib_graph() -> Any:
    """The query store (data plus derived verdicts) in rdflib: a second SPARQL engine."""
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=export_text(None, "nt"), format="nt")
    return graph


def _rdflib_value(term: Any) -> Any:
    import rdflib

    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return slug_of(str(term)) or str(term)
    if isinstance(term, rdflib.Literal):
        if term.datatype == rdflib.XSD.boolean:
            return str(term) in ("true", "1")
        if term.datatype == rdflib.XSD.integer:
            return int(term)
        return str(term)
    return str(term)


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_rdflib_gives_the_same_rows(k: KnowledgeBase, rdflib_graph: Any, name: str) -> None:
    """Standard SPARQL 1.1 only: the bound query, as sent to any store, runs in rdflib too."""
    found = QUESTIONS[name]
    query = found.bound_query(bound_terms(k.backend, found, found.example))
    result = rdflib_graph.query(query)
    names = [str(v) for v in result.vars]
    theirs = [{n: _rdflib_value(row[n]) for n in names} for row in result]
    assert theirs == k.ask(name, **found.example)


def test_parameters_are_bound_inside_the_where_group() -> None:
    found = QUESTIONS["verdicts"]
    query = found.bound_query({found.parameters[0]: ox.NamedNode("https://example.org/x")})
    where = query.index("WHERE {")
    assert query.index("VALUES (?scenario)") > where
    assert query.index("VALUES (?scenario)") < query.index("?id a kb:Verdict")


def test_unknown_question_suggests(k: KnowledgeBase) -> None:
    with pytest.raises(UnknownId, match="did you mean disagreements"):
        k.ask("disagreement", a="objective-focused", b="optimization-focused")


def test_unknown_and_missing_parameters(k: KnowledgeBase) -> None:
    with pytest.raises(UsageError, match="has no parameter 'scenrio'"):
        k.ask("verdicts", scenrio="example-3")
    with pytest.raises(UsageError, match="needs parameter 'b'"):
        k.ask("disagreements", a="objective-focused")


def test_id_of_the_wrong_kind_is_unknown(k: KnowledgeBase) -> None:
    with pytest.raises(UnknownId, match="unknown scenario id for scenario 'evan-hubinger'"):
        k.ask("verdicts", scenario="evan-hubinger")


def test_bad_verdict_value_suggests(k: KnowledgeBase) -> None:
    with pytest.raises(UnknownId, match="did you mean inner-misaligned"):
        k.ask("approaches-giving-verdict", scenario="example-3", verdict="inner-misalligned")


# --- what the questions answer on the bundled KB -------------------------------------------


def test_approaches_giving_verdict(k: KnowledgeBase) -> None:
    rows = k.ask("approaches-giving-verdict", scenario="example-5", verdict="not-applicable")
    assert [r["approach"] for r in rows] == ["objective-focused", "optimization-focused"]


def test_disagreements_include_example_3(k: KnowledgeBase) -> None:
    rows = k.ask("disagreements", a="objective-focused", b="optimization-focused")
    by_scenario = {r["scenario"]: r for r in rows}
    assert by_scenario["example-3"]["verdict_a"] == "inner-misaligned"
    assert by_scenario["example-3"]["verdict_b"] == "inner-aligned"
    assert all(r["verdict_a"] != r["verdict_b"] for r in rows)
    assert "example-1" not in by_scenario
    swapped = k.ask("disagreements", a="optimization-focused", b="objective-focused")
    assert [r["scenario"] for r in swapped] == [r["scenario"] for r in rows]


def test_agreements(k: KnowledgeBase) -> None:
    rows = {r["scenario"]: r for r in k.ask("agreements")}
    assert rows["example-1"]["agreed_verdict"] == "inner-aligned"
    assert rows["example-1"]["approaches"] == 3
    assert rows["example-2"]["hedged_verdicts"] == 3
    assert "example-3" not in rows
    only = k.ask("agreements", verdict="inner-aligned")
    expected = {"example-1", "example-1-capability-failure", "example-2"}
    assert {r["scenario"] for r in only} == expected
    assert k.ask("agreements", verdict="inner-misaligned") == []


def test_hedged_and_basis(k: KnowledgeBase) -> None:
    hedged = k.ask("hedged-verdicts")
    assert ("example-4", "optimization-focused") in {(r["scenario"], r["approach"]) for r in hedged}
    stated = k.ask("verdict-basis", basis="stated")
    derived = k.ask("verdict-basis", basis="derived")
    assert stated and derived
    assert {r["basis"] for r in stated} == {"stated"}
    pairs = {(r["scenario"], r["approach"]) for r in stated}
    assert not pairs & {(r["scenario"], r["approach"]) for r in derived}


def test_verdict_matrix_is_complete(k: KnowledgeBase) -> None:
    scenarios = k.sparql("SELECT ?s WHERE { ?s a kb:Scenario }")
    approaches = k.sparql("SELECT ?a WHERE { ?a a kb:Approach }")
    rows = k.ask("verdict-matrix")
    assert len(rows) == len(scenarios) * len(approaches)
    cell = {(r["scenario"], r["approach"]): r["cell"] for r in rows}
    assert cell["example-4", "generalization-focused"] == "uncertain?"
    assert cell["example-3", "objective-focused"] == "inner-misaligned?"


def test_endorsers_say_which_relation(k: KnowledgeBase) -> None:
    rows = k.ask("endorsers", approach="objective-focused")
    relation = {r["researcher"]: r["relation"] for r in rows}
    assert relation["evan-hubinger"] == "endorses"
    assert relation["richard-ngo"] == "similar definition"


def test_researcher_approaches(k: KnowledgeBase) -> None:
    rows = k.ask("researcher-approaches", researcher="john-wentworth")
    assert ("optimization-focused", "endorses") in {(r["approach"], r["relation"]) for r in rows}


def test_mesa_optimizer_approaches(k: KnowledgeBase) -> None:
    rows = k.ask("mesa-optimizer-approaches")
    approaches = {r["approach"] for r in rows}
    assert approaches == {"objective-focused", "optimization-focused"}
    assert ("optimization-focused", "john-wentworth") in {
        (r["approach"], r["researcher"]) for r in rows
    }


def test_term_definitions(k: KnowledgeBase) -> None:
    rows = k.ask("term-definitions", term="inner-alignment")
    rlo = [r for r in rows if r["definition"] == "rlo-inner-alignment"]
    assert {r["author"] for r in rlo} >= {"Evan Hubinger", "Joar Skalse"}
    assert rlo[0]["date"] == "2019-06-05"
    assert rlo[0]["date_unverified"] is False
    assert rlo[0]["source"] == "risks-from-learned-optimization"
    assert rlo[0]["quote"]


def test_researcher_works(k: KnowledgeBase) -> None:
    rows = k.ask("researcher-works", researcher="evan-hubinger")
    kinds = {(r["kind"], r["work"]) for r in rows}
    assert ("source", "risks-from-learned-optimization") in kinds  # via bibo:authorList
    assert ("definition", "hubinger-inner-alignment") in kinds
    defined = {r["defines"] for r in rows if r["work"] == "risks-from-learned-optimization"}
    assert "inner-alignment" in defined
    arguments = k.ask("researcher-works", researcher="john-wentworth")
    assert any(r["kind"] == "argument" for r in arguments)


def test_decomposition(k: KnowledgeBase) -> None:
    rows = k.ask("decomposition", approach="objective-focused")
    counts = {r["part"]: r["counts_as"] for r in rows}
    assert counts["step-1"] == "outer"
    assert counts["step-2"] == "inner"
    assert counts["step-3"] == "partly inner"  # via the original definition (step 3a)
    assert counts["step-3-capability-robustness"] == "neither"
    wentworth = {
        r["part"]: r["counts_as"]
        for r in k.ask("decomposition")
        if r["approach"] == "optimization-focused"
    }
    assert wentworth["step-3"] == "outer"


def test_arguments(k: KnowledgeBase) -> None:
    rows = k.ask("arguments", approach="optimization-focused")
    assert {r["stance"] for r in rows} <= {"for", "against"}
    assert any(r["stance"] == "for" for r in rows)


def test_scenario_facts(k: KnowledgeBase) -> None:
    [row] = k.ask("scenario-facts", scenario="example-5")
    assert row["mesa_optimizer"] is False
    assert row["objective"] == "proxy"


def test_verdict_evidence(k: KnowledgeBase) -> None:
    rows = k.ask("verdict-evidence", scenario="masturbation", approach="optimization-focused")
    assert rows[0]["source"] != "clarifying-the-confusion-around-inner-alignment"
    assert "true inner alignment failure" in rows[0]["text"]


GOOD_BODY = "SELECT ?label WHERE { ?scenario rdfs:label ?label }\nORDER BY ?label\n"
BROKEN_QUESTIONS = {
    # file text -> a line (file:line: ...) the problem report must contain
    "# title: T\n# param scenario kb:Scenario the id\n" + GOOD_BODY: (
        "bad-param-line.rq:2: bad-param-line: cannot read parameter line"
    ),
    "# title: T\n# param scenario: kb:Scenarios - the id\n" + GOOD_BODY: (
        "unknown-type.rq:2: unknown-type: parameter 'scenario' has unknown type 'kb:Scenarios'"
    ),
    "# param scenario: kb:Scenario - the id\n" + GOOD_BODY: (
        "no-title.rq:1: no-title: missing '# title:' header"
    ),
    "# title: T\n# param approach: kb:Approach - the id\n" + GOOD_BODY: (
        "unused-param.rq:3: unused-param: parameter 'approach' is not used in the query"
    ),
    "# title: T\n# param scenario: kb:Scenario - the id\n\n"
    "SELECT ?x WHERE {\n  ?scenario ?x\n}\n": (
        "syntax.rq:6: syntax: SPARQL syntax error: error at 6:1"
    ),
    "# title: T\n# param scenario: kb:Scenario - the id\n# example: secnario=example-3\n"
    + GOOD_BODY: (
        "bad-example.rq:3: bad-example: example names 'secnario', which is not a parameter"
    ),
}
NAMES = ["bad-param-line", "unknown-type", "no-title", "unused-param", "syntax", "bad-example"]


def test_malformed_question_files_are_reported_with_file_and_line(tmp_path) -> None:
    from kb.model.errors import InvalidKB
    from kb.query.questions import question_problems

    for name, text in zip(NAMES, BROKEN_QUESTIONS, strict=True):
        (tmp_path / f"{name}.rq").write_text(text, encoding="utf-8")
    (tmp_path / "fine.rq").write_text(
        "# title: Fine\n# param scenario: kb:Scenario - the id\n" + GOOD_BODY, encoding="utf-8"
    )
    report = "\n".join(str(p) for p in question_problems(tmp_path))
    for expected in BROKEN_QUESTIONS.values():
        assert expected in report, (expected, report)
    assert "fine.rq" not in report
    with pytest.raises(InvalidKB) as raised:
        registry(tmp_path)
    assert {p.file.rsplit("/", 1)[-1] for p in raised.value.problems} == {
        f"{name}.rq" for name in NAMES
    }


def test_bundled_questions_have_no_problems() -> None:
    from kb.query.questions import question_problems

    assert question_problems() == []


def test_a_question_is_read_from_its_own_file_alone(tmp_path) -> None:
    """Answering one question parses only its file: a broken neighbour does not stop it, and
    is still reported when that question itself, or the whole registry, is asked for."""
    from kb.model.errors import InvalidKB
    from kb.query.questions import question

    (tmp_path / "fine.rq").write_text(
        "# title: Fine\n# param scenario: kb:Scenario - the id\n" + GOOD_BODY, encoding="utf-8"
    )
    broken = list(BROKEN_QUESTIONS)[NAMES.index("syntax")]
    (tmp_path / "syntax.rq").write_text(broken, encoding="utf-8")
    assert question("fine", tmp_path).title == "Fine"
    with pytest.raises(InvalidKB) as raised:
        question("syntax", tmp_path)
    assert [p.file for p in raised.value.problems] == [str(tmp_path / "syntax.rq")]
    with pytest.raises(UnknownId, match="did you mean fine"):
        question("fin", tmp_path)
    with pytest.raises(UnknownId):
        question("../" + tmp_path.name + "/fine", tmp_path)
    with pytest.raises(InvalidKB):
        registry(tmp_path)
