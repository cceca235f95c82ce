"""Named questions: one ``.rq`` file each under ``kb/questions``, with a header that gives
the title, description and typed parameters. One registry feeds ``kb ask``,
``KnowledgeBase.ask``, the endpoint's ``/api/questions`` routes and the site's cookbook.

Parameters are bound with a VALUES block built from validated RDF terms; user text is
never formatted into the query.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kb.model.errors import InvalidKB, Problem, UnknownId, UsageError
from kb.model.schema_table import KIND_BY_TYPE, VERDICT_VALUES
from kb.model.vocab import PREFIXES, iri, is_slug, sparql_prefixes
from kb.query.results import values_clause
from kb.rdf.paths import QUESTIONS_DIR

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

    def split_for_values(self) -> tuple[str, str]:
        """The query as run, cut where the VALUES block of bound parameters goes: at the
        start of the outermost WHERE group (the browser's query page binds there too)."""
        where = _WHERE.search(self.sparql)
        if where is None:  # checked when the file is read; kept for safety
            return self.full_query, ""
        cut = where.end()
        return sparql_prefixes() + self.sparql[:cut], self.sparql[cut:]

    def bound_query(self, terms: dict[Parameter, ox.NamedNode | ox.Literal]) -> str:
        """The query as run: prefixes, and a VALUES block opening the outermost WHERE group.

        Putting the block first in the group (rather than after the query) lets every
        SPARQL 1.1 store use the bound values to drive the join, so parameterised
        questions stay fast on large KBs.
        """
        block = values_block(terms)
        if not block:
            return self.full_query
        before, after = self.split_for_values()
        return before + block + after


#: Parameter types other than an entity of a kind (whose RDF class is its type).
_VALUE_TYPES = ("verdict", "text")
_PARAM_FORM = "'# param: NAME: TYPE (optional) - description'"


def read_question(path: Path) -> tuple[Question | None, list[Problem]]:
    """One ``.rq`` file as a question, with every problem of its header and query.

    The header gives ``title`` (required), ``description`` lines, ``param`` lines and one
    ``example`` line; the query follows. Each problem names the file and line.
    """
    name = str(path)
    problems: list[Problem] = []

    def problem(line: int | None, message: str) -> None:
        problems.append(Problem(name, line, path.stem, None, message))

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        problem(None, f"cannot read: {error}")
        return None, problems
    title = ""
    description: list[str] = []
    parameters: list[Parameter] = []
    example: dict[str, str] = {}
    example_line = None
    body: list[str] = []
    body_start = 0
    for number, line in enumerate(lines, start=1):
        header = _HEADER.match(line) if not body else None
        if header:
            key, value = header.groups()
            if key == "title":
                title = value.strip()
            elif key == "description":
                description.append(value.strip())
            elif key == "example":
                example.update(pair.partition("=")[::2] for pair in value.split())
                example_line = number
            else:
                parameter = _parameter(value.strip(), number, problem)
                if parameter is not None:
                    if any(p.name == parameter.name for p in parameters):
                        problem(number, f"parameter {parameter.name!r} is declared twice")
                    parameters.append(parameter)
        elif line.strip() or body:
            if not body:
                body_start = number
            body.append(line)
    sparql = "\n".join(body).strip() + "\n"
    if not title:
        problem(1, "missing '# title:' header")
    if not _WHERE.search(sparql):
        problem(body_start or None, "the query needs a WHERE { ... } group")
    names = {p.name for p in parameters}
    for parameter in parameters:
        if not re.search(rf"[?$]{parameter.name}\b", sparql):
            problem(body_start or None, f"parameter {parameter.name!r} is not used in the query")
    for key in sorted(set(example) - names):
        problem(example_line, f"example names {key!r}, which is not a parameter")
    problems.extend(_query_problems(name, path.stem, sparql, body_start))
    if problems:
        return None, problems
    return Question(
        path.stem, title, " ".join(description), tuple(parameters), sparql, example, path
    ), []


def _parameter(
    text: str, line: int, problem: Callable[[int | None, str], None]
) -> Parameter | None:
    match = _PARAM.match(text)
    if not match:
        problem(line, f"cannot read parameter line {text!r}; write {_PARAM_FORM}")
        return None
    kind = match["type"]
    if kind not in _VALUE_TYPES and kind not in KIND_BY_TYPE:
        choices = ", ".join([*KIND_BY_TYPE, *_VALUE_TYPES])
        problem(line, f"parameter {match['name']!r} has unknown type {kind!r}; one of {choices}")
        return None
    return Parameter(match["name"], kind, bool(match["optional"]), match["doc"].strip())


def might_name_service(sparql: str) -> bool:
    """Whether the text could hold the keyword SERVICE: a cheap, conservative test before
    the tokenizer. Without a codepoint escape (which SPARQL decodes before parsing) the
    keyword is a substring of the case-folded text; casefolding only adds matches.

    >>> might_name_service("SELECT * WHERE { ?s ?p ?o }")
    False
    >>> might_name_service("SELECT * { SeRvIcE <x:y> {} }"), might_name_service(r"SERVI\\u0043E")
    (True, True)
    """
    return "service" in sparql.casefold() or "\\u" in sparql or "\\U" in sparql


def _query_problems(name: str, stem: str, sparql: str, body_start: int) -> list[Problem]:
    """Whether the query parses: it is run over an empty store (bundled questions are part
    of the package, run as the library's own text; one with SERVICE is refused unrun)."""
    if might_name_service(sparql):
        from kb.query.scan import scan  # its tokenizer's patterns take a while to compile

        if scan(sparql).service:
            return [Problem(name, body_start or None, stem, None, "a question cannot use SERVICE")]
    text = sparql_prefixes() + sparql
    try:
        ox.Store().query(text)
    except SyntaxError as error:
        message = str(error.msg)
        position = _POSITION.search(message)
        line = None
        if position and body_start:
            line = int(position[1]) - sparql_prefixes().count("\n") + body_start - 1
            message = _POSITION.sub(f"error at {line}:{position[2]}", message)
        return [Problem(name, line, stem, None, f"SPARQL syntax error: {message}")]
    except (OSError, RuntimeError, ValueError) as error:
        return [Problem(name, body_start or None, stem, None, f"the query fails: {error}")]
    return []


_POSITION = re.compile(r"error at (\d+):(\d+)")


def question_problems(folder: Path = QUESTIONS_DIR) -> list[Problem]:
    """Every problem of every question file in ``folder`` (``kb validate`` reports them)."""
    return [p for path in sorted(folder.glob("*.rq")) for p in read_question(path)[1]]


@cache
def registry(folder: Path = QUESTIONS_DIR) -> dict[str, Question]:
    """Every named question, by name (the file name without ``.rq``).

    Raises :class:`kb.model.errors.InvalidKB` listing the problems of malformed files.
    """
    questions: dict[str, Question] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.rq")):
        parsed, trouble = read_question(path)
        problems.extend(trouble)
        if parsed is not None:
            questions[parsed.name] = parsed
    if problems:
        raise InvalidKB(problems)
    return questions


@cache
def question(name: str, folder: Path = QUESTIONS_DIR) -> Question:
    """One named question, reading only its own file: answering a question parses no other.

    Raises :class:`kb.model.errors.UnknownId` (with the nearest names) for a name that has no
    file, and :class:`kb.model.errors.InvalidKB` when its file is malformed.
    """
    path = folder / f"{name}.rq"  # a slug, checked first: a name never walks out of folder
    if not (isinstance(name, str) and is_slug(name) and path.is_file()):
        raise UnknownId("question", name, sorted(p.stem for p in folder.glob("*.rq")))
    parsed, problems = read_question(path)
    if parsed is None:
        raise InvalidKB(problems)
    return parsed


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


def to_term(parameter: Parameter, value: object) -> ox.NamedNode | ox.Literal:
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
