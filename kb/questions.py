"""Named questions: one ``.rq`` file each under ``kb/questions``, with a header that gives
the title, description and typed parameters. One registry feeds ``kb ask``,
``KnowledgeBase.ask``, the endpoint's ``/api/questions`` routes and the site's cookbook.

Parameters are bound with a VALUES block built from validated RDF terms; user text is
never formatted into the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kb.errors import UnknownId, UsageError
from kb.paths import QUESTIONS_DIR
from kb.schema_table import KIND_BY_TYPE, VERDICT_VALUES
from kb.terms import values_clause
from kb.vocab import PREFIXES, iri, is_slug, sparql_prefixes

_HEADER = re.compile(r"^#\s*(title|description|param|example)\s*:?\s*(.*)$")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_PARAM = re.compile(
    r"^(?P<name>[a-z_]+)\s*:\s*(?P<type>[a-z]+:[A-Za-z]+|verdict|text)\s*"
    r"(?P<optional>\(optional\))?\s*(?:-|—)?\s*(?P<doc>.*)$"
)


@dataclass(frozen=True)
class Parameter:
    """A typed parameter: an entity of an RDF class (``kb:Scenario``), a verdict value, or text."""

    name: str
    type: str
    optional: bool
    description: str

    @property
    def type_iri(self) -> str | None:
        if ":" not in self.type:
            return None
        prefix, local = self.type.split(":", 1)
        return PREFIXES[prefix] + local


@dataclass(frozen=True)
class Question:
    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    sparql: str
    example: dict[str, str]
    path: Path

    @property
    def full_query(self) -> str:
        """The query with the standard prefixes, unbound."""
        return sparql_prefixes() + self.sparql

    def bound_query(self, terms: dict[Parameter, ox.NamedNode | ox.Literal]) -> str:
        """The query as run: prefixes, and a VALUES block opening the outermost WHERE group.

        Putting the block first in the group (rather than after the query) lets every
        SPARQL 1.1 store use the bound values to drive the join, so parameterised
        questions stay fast on large KBs.
        """
        block = values_block(terms)
        if not block:
            return self.full_query
        where = _WHERE.search(self.sparql)
        if where is None:  # checked when the file is read; kept for safety
            return self.full_query + block
        cut = where.end()
        return sparql_prefixes() + self.sparql[:cut] + block + self.sparql[cut:]


def _parse(path: Path) -> Question:
    title, description, parameters = "", [], []
    example: dict[str, str] = {}
    body: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        header = _HEADER.match(line) if not body else None
        if header:
            key, value = header.groups()
            if key == "title":
                title = value.strip()
            elif key == "description":
                description.append(value.strip())
            elif key == "example":
                example.update(pair.partition("=")[::2] for pair in value.split())
            else:
                match = _PARAM.match(value.strip())
                if not match:
                    raise ValueError(f"{path}: cannot read parameter line {value!r}")
                parameters.append(
                    Parameter(
                        match["name"], match["type"], bool(match["optional"]), match["doc"].strip()
                    )
                )
        elif line.strip() or body:
            body.append(line)
    if not title:
        raise ValueError(f"{path}: missing '# title:' header")
    if not _WHERE.search("\n".join(body)):
        raise ValueError(f"{path}: the query needs a WHERE {{ ... }} group")
    return Question(
        path.stem,
        title,
        " ".join(description),
        tuple(parameters),
        "\n".join(body).strip() + "\n",
        example,
        path,
    )


@cache
def registry(folder: Path = QUESTIONS_DIR) -> dict[str, Question]:
    """Every named question, by name (the file name without ``.rq``)."""
    return {path.stem: _parse(path) for path in sorted(folder.glob("*.rq"))}


def question(name: str) -> Question:
    questions = registry()
    if name not in questions:
        raise UnknownId("question", name, questions)
    return questions[name]


def bind(question: Question, arguments: dict[str, Any]) -> tuple[Question, dict[Parameter, Any]]:
    """Check arguments against the question's parameters; unknown or missing ones are errors."""
    by_name = {p.name: p for p in question.parameters}
    unknown = sorted(set(arguments) - set(by_name))
    if unknown:
        expected = ", ".join(by_name) or "none"
        raise UsageError(
            f"question {question.name!r} has no parameter {unknown[0]!r} (parameters: {expected})"
        )
    bound: dict[Parameter, Any] = {}
    for parameter in question.parameters:
        value = arguments.get(parameter.name)
        if value is None:
            if not parameter.optional:
                raise UsageError(f"question {question.name!r} needs parameter {parameter.name!r}")
            continue
        bound[parameter] = value
    return question, bound


def values_block(bound: dict[Parameter, ox.NamedNode | ox.Literal]) -> str:
    """A VALUES clause binding each parameter to one term."""
    return values_clause([(p.name, term) for p, term in bound.items()])


def kind_name(parameter: Parameter) -> str:
    """What an entity of the parameter's type is called in messages: scenario, term, ..."""
    kind = KIND_BY_TYPE.get(parameter.type)
    return kind.noun if kind else parameter.type.split(":")[-1].lower()


def to_term(parameter: Parameter, value: Any) -> ox.NamedNode | ox.Literal:
    """The RDF term for one argument; a malformed id or verdict value is an UnknownId.

    Whether an id names an entity of the right type is checked by the engine, which
    can ask the store; here only the form of the value is checked.
    """
    text = str(value)
    if parameter.type == "verdict":
        if text not in VERDICT_VALUES:
            raise UnknownId(f"verdict value for {parameter.name}", text, VERDICT_VALUES)
        return ox.Literal(text)
    if parameter.type == "text":
        return ox.Literal(text)
    if not is_slug(text):
        raise UnknownId(f"{kind_name(parameter)} id for {parameter.name}", text, ())
    return ox.NamedNode(iri(text))
