"""The schema table is the one source of each schema fact: everything else reads it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import get_args

import yaml

from kb.model.mapping import specs
from kb.model.models import KINDS, Scenario, Verdict, VerdictValue
from kb.model.schema_table import FACTS, VERDICT_FIELDS, VERDICT_VALUES
from kb.model.schema_table import KINDS as ROWS
from kb.model.vocab import expand

ROOT = Path(__file__).resolve().parent.parent


def test_every_model_has_its_row_in_order() -> None:
    assert [model.__name__ for model in KINDS] == [row.name for row in ROWS]
    for model, row in zip(KINDS, ROWS, strict=True):
        assert (model.rdf_type, model.file, model.kind) == (row.rdf_type, row.file, row)
        assert (ROOT / "kb" / "data" / f"{row.file}.ttl").is_file()


def test_verdict_fields_use_the_table_predicates() -> None:
    """Derived verdicts are written from VERDICT_FIELDS; the model must store the same."""
    by_name = {spec.name: spec for spec in specs(Verdict)}
    assert set(VERDICT_FIELDS) == set(by_name) - {"note"}
    for name, predicate in VERDICT_FIELDS.items():
        assert (by_name[name].curie, by_name[name].refs) == (predicate.curie, predicate.refs)
    assert get_args(VerdictValue) == VERDICT_VALUES


def test_every_verdict_value_has_its_look() -> None:
    from kb.model.schema_table import VERDICT_LOOKS

    assert set(VERDICT_LOOKS) == set(VERDICT_VALUES)


def test_scenario_facts_are_the_table_rows() -> None:
    names = {f.name for f in FACTS}
    fields = [(s.name, s.predicate, s.description) for s in specs(Scenario) if s.name in names]
    assert fields == [(f.name, expand(f.curie), f.description) for f in FACTS]


def test_site_navigation_lists_every_kind_from_the_table() -> None:
    """The site's plugin inserts the kinds' index pages; mkdocs.yml does not list them itself."""
    from kb.publish.site.plugin import with_kinds

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("", lambda *_: None)  # !ENV, !!python/name: not needed
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    listed = [next(iter(item.values())) for item in config["nav"]]
    assert not {f"{row.folder}/index.md" for row in ROWS} & {
        p for p in listed if isinstance(p, str)
    }
    nav = with_kinds(config["nav"])
    labels = [next(iter(item)) for item in nav]
    start = labels.index("Guide") + 1
    kinds = [next(iter(item.items())) for item in nav[start : start + len(ROWS)]]
    assert kinds == [(row.plural, f"{row.folder}/index.md") for row in ROWS]
    assert nav[:start] + nav[start + len(ROWS) :] == config["nav"]  # the rest as written


def test_contributing_lists_every_kind_from_the_table() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for row in ROWS:
        assert f"`kb/data/{row.file}.ttl`" in text, row.name
        assert f"`{row.rdf_type}`" in text, row.name


def test_no_second_copy_of_the_value_sets_or_kind_labels() -> None:
    """A value set or a kind's file name written out in Python code outside the table."""
    verdicts = re.compile(r'"inner-aligned",\s*"inner-misaligned"')
    plural = re.compile(r'"Decomposition steps"|"decomposition part"')
    for path in (ROOT / "kb").rglob("*.py"):
        if path.name == "schema_table.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not verdicts.search(text), path
        assert not plural.search(text), path


def test_the_table_imports_no_pydantic() -> None:
    modules = "kb.model.schema_table, kb.model.rules, kb.rdf.store"
    code = f"import sys, {modules}; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
