"""Integrity rules across entities, kept as SPARQL queries that must return no rows.

Each ``kb/checks/*.rq`` selects ``?entity`` (an entity breaking the rule) and ``?message``;
its header names the rule (``# title:``) and the field a problem is reported on
(``# field:``). ``kb validate`` runs every one over the query store; a row becomes a
:class:`kb.model.errors.Problem` at the entity's file and line. As schema.org and the OBO
ontologies keep theirs, a new rule is a new ``.rq`` file plus a valid and an invalid
fixture in ``tests/fixtures``. Free of pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kb.model.errors import Problem
from kb.model.vocab import slug_of, sparql_prefixes
from kb.rdf.paths import CHECKS_DIR

_HEADER = re.compile(r"^#\s*(title|field|description)\s*:\s*(.*)$")


@dataclass(frozen=True)
class Check:
    """One integrity rule: a query whose rows are the entities breaking it."""

    name: str
    title: str
    field: str | None
    sparql: str
    path: Path


def _parse(path: Path) -> Check:
    header: dict[str, str] = {}
    body: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        field = _HEADER.match(line) if not body else None
        if field:
            header.setdefault(field[1], field[2].strip())
        elif line.strip() or body:
            body.append(line)
    return Check(
        path.stem, header.get("title", path.stem), header.get("field"), "\n".join(body), path
    )


@cache
def checks(folder: Path = CHECKS_DIR) -> tuple[Check, ...]:
    """Every integrity rule of ``folder``, by file name."""
    return tuple(_parse(path) for path in sorted(folder.glob("*.rq")))


def integrity_problems(store: ox.Store, origins: Mapping[str, Any]) -> Iterator[Problem]:
    """A problem per row of every check; ``origins`` maps ids to where they were read."""
    for check in checks():
        rows = store.query(sparql_prefixes() + check.sparql)
        if not isinstance(rows, ox.QuerySolutions):
            raise TypeError(f"{check.path}: an integrity check must be a SELECT query")
        for row in rows:
            slug = slug_of(row["entity"].value) or row["entity"].value
            origin = origins.get(slug)
            yield Problem(
                origin.file if origin else "",
                origin.line if origin else None,
                slug,
                check.field,
                row["message"].value,
            )
