"""Read a scenario's facts for ``kb classify`` from a JSON, YAML or Turtle file.

A facts file may come from anyone, so it is read within limits: a regular file of at most
:data:`MAX_FACTS_BYTES`, nesting no deeper than Python's parsers can take (a usage error
beyond), no YAML aliases (so no alias bomb), one value per fact in Turtle, valid boolean
literals only, and errors that quote at most a short excerpt of a value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kb.model.errors import UsageError, excerpt
from kb.model.schema_table import FACTS, ScenarioFacts
from kb.model.vocab import expand
from kb.rdf.paths import read_kb_file

_NAMES = {expand(fact.curie): fact.name for fact in FACTS}


#: The largest facts file read: six facts need a few hundred bytes.
MAX_FACTS_BYTES = 1024 * 1024


def read_facts(path: Path) -> ScenarioFacts:
    """Facts from a file; the format is chosen by extension (.json, .yaml/.yml, .ttl)."""
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        text = read_kb_file(path, MAX_FACTS_BYTES).decode("utf-8")
    except UsageError as error:
        raise UsageError(f"{path}: {error}") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"{path}: cannot read: not UTF-8 ({error.reason})") from None
    try:
        data = _parse(path, suffix, text)
    except RecursionError:
        raise UsageError(f"{path}: nested too deeply to be a facts file") from None
    try:
        return ScenarioFacts.from_mapping(data)
    except UsageError as error:
        raise UsageError(f"{path}: {error}") from None


def _parse(path: Path, suffix: str, text: str) -> Any:
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise UsageError(f"{path}:{error.lineno}: invalid JSON: {error.msg}") from None
    if suffix in (".yaml", ".yml"):
        return _yaml(path, text)
    if suffix == ".ttl":
        return _turtle(path, text)
    raise UsageError(f"{path}: unknown facts format {excerpt(suffix)}; use .json, .yaml or .ttl")


def _yaml(path: Path, text: str) -> Any:
    try:
        import yaml
    except ModuleNotFoundError:
        raise UsageError("reading YAML needs PyYAML (pip install pyyaml)") from None

    class NoAliases(yaml.SafeLoader):
        """safe_load without anchors and aliases: nothing can expand."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not accepted in a facts file", mark
                )
            return super().compose_node(parent, index)

    try:
        return yaml.load(text, Loader=NoAliases)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or "not YAML"
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise UsageError(
            f"{path}{where}: invalid YAML: {excerpt(str(problem), 80)[1:-1]}"
        ) from None


def _turtle(path: Path, text: str) -> dict[str, Any]:
    try:
        triples = [q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE)]
    except SyntaxError as error:
        raise UsageError(f"{path}:{error.lineno}: Turtle syntax error: {error.msg}") from None
    subjects = {t.subject for t in triples if t.predicate.value in _NAMES}
    if len(subjects) != 1:
        raise UsageError(
            f"{path}: expected the facts of exactly one scenario, found {len(subjects)}"
        )
    data: dict[str, Any] = {}
    for triple in triples:
        name = _NAMES.get(triple.predicate.value)
        if name is None:
            continue
        value = triple.object
        if not isinstance(value, ox.Literal):
            raise UsageError(f"{path}: {name} must be a literal")
        if name == "objective" or not value.datatype.value.endswith("#boolean"):
            read: Any = value.value
        elif value.value in _BOOLEANS:
            read = _BOOLEANS[value.value]
        else:
            shown = excerpt(value.value)
            raise UsageError(f"{path}: {name}: {shown} is not a valid xsd:boolean (true or false)")
        if name in data and data[name] != read:
            raise UsageError(f"{path}: {name} is given two different values; keep one")
        data[name] = read
    return data


_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
