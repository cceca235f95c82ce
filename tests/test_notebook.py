"""The Python API at a prompt and in Jupyter: mapping access, short reprs, HTML that parses and
escapes KB text, and the verdict matrix as rows."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kb import KnowledgeBase
from kb.model.errors import UnknownId
from kb.model.models import Approach, Entity, Scenario

HOSTILE = "<script>alert('x')</script> & \"friends\""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The bundled KB with markup in a scenario's and an approach's label."""
    import shutil

    from conftest import DATA

    folder = tmp_path_factory.mktemp("hostile") / "kb"
    shutil.copytree(DATA, folder)
    for name, old in (
        ("scenarios.ttl", '"Example 3: fully optimized non-impact-aligned mesa-optimizer"'),
        ("approaches.ttl", '"objective-focused approach"'),
    ):
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        escaped = HOSTILE.replace('"', '\\"')
        path.write_text(text.replace(old, f'"{escaped}"'), encoding="utf-8")
    return KnowledgeBase.load(folder)


def parse(markup: str) -> ET.Element:
    """The HTML as a well-formed tree (every tag closed, every attribute quoted)."""
    return ET.fromstring(markup)


def test_all_without_a_kind_returns_every_entity(k: KnowledgeBase) -> None:
    everything = k.all()
    assert len(everything) == len(k) == len(k.entities)
    assert [e.id for e in everything] == sorted(k.entities)
    assert {type(e) for e in everything} >= {Scenario, Approach}
    assert all(isinstance(e, Entity) for e in everything)
    assert k.all(Approach) == [e for e in everything if isinstance(e, Approach)]


def test_the_kb_reads_like_a_mapping(k: KnowledgeBase) -> None:
    assert k["example-3"] is k.get("example-3")
    assert "example-3" in k and "exampel-3" not in k
    assert list(k) == sorted(k.entities)
    with pytest.raises(KeyError) as error:
        k["exampel-3"]
    assert isinstance(error.value, UnknownId)
    assert (
        str(error.value) == "unknown id 'exampel-3'; did you mean example-3, example-5, example-4?"
    )


def test_reprs_are_one_short_line(k: KnowledgeBase) -> None:
    for item in [*k.all(), *k.verdicts(), k.verdicts(), k.matrix(), k]:
        text = repr(item)
        assert "\n" not in text and len(text) <= 120, text
    assert repr(k["example-3"]) == (
        "<Scenario example-3: Example 3: fully optimized non-impact-aligned mesa-optimizer>"
    )
    assert repr(k.verdicts(scenario="example-3")) == "<3 verdicts: 1 scenario by 3 approaches>"
    assert repr(k["derived-birth-control-objective-focused"]).startswith(
        "<Verdict derived-birth-control-objective-focused: "
        "objective-focused on birth-control: inner-misaligned (hedged"
    )


def test_entity_html_is_a_table_of_its_fields(k: KnowledgeBase) -> None:
    scenario = k["example-3"]
    tree = parse(scenario._repr_html_())
    assert tree.tag == "table"
    fields = {row.find("th").text: row.find("td").text for row in tree.iter("tr")}  # type: ignore[union-attr]
    assert fields["label"] == scenario.label
    assert fields["description"] == scenario.description
    assert fields["mesa_optimizer"] == "yes"


def test_verdict_list_html_is_the_matrix(k: KnowledgeBase) -> None:
    verdicts = k.verdicts()
    tree = parse(verdicts._repr_html_())
    rows = tree.find("tbody").findall("tr")  # type: ignore[union-attr]
    assert len(rows) == len({v.scenario for v in verdicts})
    headings = [th.text for th in tree.find("thead").iter("th")]  # type: ignore[union-attr]
    assert headings[1:] == [
        a.label
        for a in (k["objective-focused"], k["generalization-focused"], k["optimization-focused"])
    ]
    first = rows[0].find("th")
    assert first is not None and first.text == k["example-1"].display_label


def test_html_escapes_kb_text(hostile: KnowledgeBase) -> None:
    for markup in (
        hostile.verdicts()._repr_html_(),
        hostile.matrix()._repr_html_(),
        hostile["example-3"]._repr_html_(),
        hostile["objective-focused"]._repr_html_(),
    ):
        tree = parse(markup)
        assert not list(tree.iter("script"))
        assert HOSTILE in "".join(tree.itertext())


def test_matrix_rows(k: KnowledgeBase) -> None:
    matrix = k.matrix()
    assert [a for a, _ in matrix.approaches] == [
        "objective-focused",
        "generalization-focused",
        "optimization-focused",
    ]
    verdicts = {(v.scenario, v.approach): v for v in k.verdicts()}
    assert sum(len(row.cells) for row in matrix) == len(verdicts)
    for row in matrix:
        for approach, cell in row.cells.items():
            v = verdicts[(row.scenario, approach)]
            assert (cell.value or None, cell.hedged, cell.derived, cell.implied, cell.id) == (
                v.value,
                v.hedged,
                v.basis == "derived",
                v.implied,
                v.id,
            )
    example_3 = next(row for row in matrix if row.scenario == "example-3")
    assert example_3.disagree
    assert example_3.as_dict()["optimization-focused"] == "inner-aligned; generalization-failure"


def test_to_pandas_is_optional(k: KnowledgeBase) -> None:
    matrix = k.matrix()
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pandas"):
            matrix.to_pandas()
    else:
        frame = matrix.to_pandas()
        assert list(frame.index) == [row.scenario for row in matrix]
        assert frame.loc["example-3", "optimization-focused"] == "inner-aligned"


def test_verdict_list_without_labels_still_renders(k: KnowledgeBase) -> None:
    from kb.query.matrix import VerdictList

    plain = VerdictList(k.verdicts(scenario="example-3"))  # as from a remote KB: ids stand in
    tree = parse(plain._repr_html_())
    assert [th.text.strip() for th in tree.find("tbody").iter("th")] == ["example-3"]  # type: ignore[union-attr]
