"""Read a scenario's facts for ``kb classify`` from a JSON, YAML or Turtle file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kb.errors import UsageError
from kb.schema_table import FACTS, Facts
from kb.vocab import expand

_NAMES = {expand(fact.curie): fact.name for fact in FACTS}


def read_facts(path: Path) -> Facts:
    """Facts from a file; the format is chosen by extension (.json, .yaml/.yml, .ttl)."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read: {error}") from None
    if suffix == ".json":
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError as error:
            raise UsageError(f"{path}:{error.lineno}: invalid JSON: {error.msg}") from None
    elif suffix in (".yaml", ".yml"):
        data = _yaml(path, text)
    elif suffix == ".ttl":
        data = _turtle(path, text)
    else:
        raise UsageError(f"{path}: unknown facts format {suffix!r}; use .json, .yaml or .ttl")
    try:
        return Facts.from_mapping(data)
    except UsageError as error:
        raise UsageError(f"{path}: {error}") from None


def _yaml(path: Path, text: str) -> Any:
    try:
        import yaml
    except ModuleNotFoundError:
        raise UsageError("reading YAML needs PyYAML (pip install pyyaml)") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UsageError(f"{path}: invalid YAML: {error}") from None


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
        if name == "objective":
            data[name] = value.value
        elif value.datatype.value.endswith("#boolean"):
            data[name] = value.value in ("true", "1")
        else:
            data[name] = value.value
    return data
