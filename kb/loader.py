"""Parse Turtle files into validated models, collecting every problem before reporting.

pyoxigraph parses (it is fast and strict); each subject becomes one pydantic model via the
field specs of :mod:`kb.mapping`. Problems of every file are gathered and raised together
as :class:`kb.errors.InvalidKB`; nothing the schema does not model is dropped silently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from pydantic import ValidationError

from kb.errors import InvalidKB, Problem
from kb.mapping import FieldSpec, expected_datatypes, kind_by_type, spec_by_predicate, specs
from kb.models import Entity, Source, Verdict
from kb.paths import turtle_files
from kb.vocab import ID, RDF_FIRST, RDF_NIL, RDF_REST, RDF_TYPE, slug_of

_SUBJECT_LINE = re.compile(r"^(?:id:|<" + re.escape(ID) + r")([a-z0-9]+(?:-[a-z0-9]+)*)[>\s]")


@dataclass(frozen=True)
class Origin:
    """Where an entity was read from."""

    file: str
    line: int | None


@dataclass
class Loaded:
    """The entities of a KB, each with the file and line it came from."""

    entities: dict[str, Entity] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def load(paths: Sequence[str | Path] | None = None) -> Loaded:
    """Load and validate; raise :class:`InvalidKB` listing every problem found."""
    loaded, problems = check(paths)
    if problems:
        raise InvalidKB(problems)
    return loaded


def check(paths: Sequence[str | Path] | None = None) -> tuple[Loaded, list[Problem]]:
    """Load what can be loaded and return it with every problem found."""
    loaded = Loaded(files=turtle_files(paths))
    problems: list[Problem] = []
    for path in loaded.files:
        _load_file(path, loaded, problems)
    problems.extend(_reference_problems(loaded))
    problems.extend(_integrity_problems(loaded))
    return loaded, sorted(set(problems), key=lambda p: (p.file, p.line or 0, str(p)))


def _load_file(path: Path, loaded: Loaded, problems: list[Problem]) -> None:
    name = str(path)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(name, None, None, None, f"cannot read: {error}"))
        return
    try:
        triples = [
            q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE, without_named_graphs=True)
        ]
    except SyntaxError as error:
        problems.append(
            Problem(name, error.lineno, None, None, f"Turtle syntax error: {error.msg}")
        )
        return
    lines = _subject_lines(text)
    subjects: dict[Any, list[ox.Triple]] = defaultdict(list)
    for triple in triples:
        subjects[triple.subject].append(triple)
    lists = _collections(subjects)
    for subject, its_triples in subjects.items():
        if isinstance(subject, ox.BlankNode):
            if subject not in lists.cells:
                problems.append(Problem(name, None, None, None, "blank node used outside a list"))
            continue
        slug = slug_of(subject.value)
        line = lines.get(slug) if slug else None
        if slug is None:
            problems.append(Problem(name, line, subject.value, None, f"subject is not in {ID}"))
            continue
        entity = _entity(slug, its_triples, lists, Origin(name, line), problems)
        if entity is None:
            continue
        if slug in loaded.entities:
            first = loaded.origins[slug]
            where = f"{first.file}:{first.line}" if first.line else first.file
            problems.append(
                Problem(name, line, slug, None, f"duplicate id; also defined at {where}")
            )
            continue
        loaded.entities[slug] = entity
        loaded.origins[slug] = Origin(name, line)


def _subject_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _SUBJECT_LINE.match(line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


@dataclass
class _Collections:
    """RDF collections (lists) found among the blank nodes of one file."""

    cells: dict[Any, tuple[Any, Any]]

    def items(self, head: Any) -> list[Any] | None:
        out: list[Any] = []
        seen = set()
        while not (isinstance(head, ox.NamedNode) and head.value == RDF_NIL):
            if head not in self.cells or head in seen:
                return None
            seen.add(head)
            first, head = self.cells[head]
            out.append(first)
        return out


def _collections(subjects: dict[Any, list[ox.Triple]]) -> _Collections:
    cells = {}
    for subject, triples in subjects.items():
        if not isinstance(subject, ox.BlankNode):
            continue
        by_predicate = {t.predicate.value: t.object for t in triples}
        if set(by_predicate) == {RDF_FIRST, RDF_REST} and len(triples) == 2:
            cells[subject] = (by_predicate[RDF_FIRST], by_predicate[RDF_REST])
    return _Collections(cells)


def _entity(
    slug: str,
    triples: list[ox.Triple],
    lists: _Collections,
    origin: Origin,
    problems: list[Problem],
) -> Entity | None:
    def problem(field_name: str | None, message: str) -> None:
        problems.append(Problem(origin.file, origin.line, slug, field_name, message))

    types = [t.object for t in triples if t.predicate.value == RDF_TYPE]
    known = kind_by_type()
    if len(types) != 1 or not isinstance(types[0], ox.NamedNode) or types[0].value not in known:
        shown = ", ".join(str(t) for t in types) or "none"
        problem("rdf:type", f"needs exactly one known type, found {shown}")
        return None
    kind = known[types[0].value]
    by_predicate = spec_by_predicate(kind)
    values: dict[str, list[Any]] = defaultdict(list)
    for triple in triples:
        predicate = triple.predicate.value
        if predicate == RDF_TYPE:
            continue
        spec = by_predicate.get(predicate)
        if spec is None:
            problem(None, f"predicate <{predicate}> is not part of the {kind.__name__} schema")
            continue
        if spec.ordered:
            items = lists.items(triple.object)
            if items is None:
                problem(spec.name, f"{spec.curie} must be an RDF list, e.g. ( id:a id:b )")
                continue
            values[spec.name].append([_value(spec, item, problem) for item in items])
        else:
            values[spec.name].append(_value(spec, triple.object, problem))
    fields: dict[str, Any] = {"id": slug}
    for spec in by_predicate.values():
        found = values.get(spec.name, [])
        if spec.ordered:
            if len(found) > 1:
                problem(spec.name, f"{spec.curie} given {len(found)} times; give one list")
            if found:
                fields[spec.name] = found[0]
        elif spec.many:
            if found:
                fields[spec.name] = found
        elif len(found) > 1:
            problem(spec.name, f"{spec.curie} takes one value, found {len(found)}")
        elif found:
            fields[spec.name] = found[0]
    try:
        return kind.model_validate(fields)
    except ValidationError as error:
        for item in error.errors():
            location = [str(part) for part in item["loc"]]
            field_name = location[0] if location else None
            problem(field_name, _pydantic_message(item, kind))
        return None


class _BadValue:
    """Stands in for a value that could not be converted, so validation reports it once."""

    def __repr__(self) -> str:
        return "<invalid>"


def _value(spec: FieldSpec, term: Any, problem: Any) -> Any:
    if spec.kind in ("ref", "url"):
        if not isinstance(term, ox.NamedNode):
            problem(spec.name, f"{spec.curie} must be an IRI, found {_shown(term)}")
            return _BadValue()
        if spec.kind == "url":
            return term.value
        slug = slug_of(term.value)
        if slug is None:
            problem(spec.name, f"{spec.curie} must point into {ID}, found <{term.value}>")
            return _BadValue()
        return slug
    if not isinstance(term, ox.Literal):
        problem(spec.name, f"{spec.curie} must be a literal, found {_shown(term)}")
        return _BadValue()
    datatype = term.datatype.value
    if datatype not in expected_datatypes(spec):
        wanted = " or ".join(d.rsplit("#", 1)[1] for d in expected_datatypes(spec))
        problem(spec.name, f"{spec.curie} must be xsd:{wanted}, found {_shown(term)}")
        return _BadValue()
    if spec.kind == "bool":
        if term.value not in ("true", "false", "1", "0"):
            problem(spec.name, f"{spec.curie}: {term.value!r} is not a boolean")
            return _BadValue()
        return term.value in ("true", "1")
    return term.value


def _shown(term: Any) -> str:
    text = str(term)
    return text if len(text) <= 80 else text[:77] + "..."


def _pydantic_message(item: Any, kind: type[Entity]) -> str:
    if item["type"] == "missing":
        spec = {s.name: s for s in spec_by_predicate(kind).values()}.get(str(item["loc"][0]))
        return f"required {spec.curie if spec else 'field'} is missing"
    value = item.get("input")
    shown = repr(value) if not isinstance(value, _BadValue) else None
    if shown is None:
        return "invalid value (see above)"
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{item['msg']} (got {shown})"


def _reference_problems(loaded: Loaded) -> Iterable[Problem]:
    for slug, entity in loaded.entities.items():
        origin = loaded.origins[slug]
        for spec in specs(type(entity)):
            if spec.kind != "ref":
                continue
            value = getattr(entity, spec.name)
            targets = value if spec.many else ([value] if value is not None else [])
            for target in targets:
                found = loaded.entities.get(target)
                if found is None:
                    message = f"{spec.curie} points to id:{target}, which does not exist"
                elif type(found).__name__ not in spec.refs:
                    message = (
                        f"{spec.curie} points to id:{target}, a {type(found).__name__}; "
                        f"expected {' or '.join(spec.refs)}"
                    )
                else:
                    continue
                yield Problem(origin.file, origin.line, slug, spec.name, message)


def _integrity_problems(loaded: Loaded) -> Iterable[Problem]:
    """Rules across entities that one model cannot check on its own."""
    seen: dict[tuple[str, str], str] = {}
    for slug, entity in loaded.entities.items():
        if isinstance(entity, Verdict):
            key = (entity.scenario, entity.approach)
            if key in seen:
                origin = loaded.origins[slug]
                yield Problem(
                    origin.file,
                    origin.line,
                    slug,
                    "scenario",
                    f"a second verdict for {key[0]} under {key[1]} (first: {seen[key]})",
                )
            else:
                seen[key] = slug
    primaries = [s for s, e in loaded.entities.items() if isinstance(e, Source) and e.primary]
    for slug in primaries[1:]:
        origin = loaded.origins[slug]
        yield Problem(
            origin.file,
            origin.line,
            slug,
            "primary",
            f"only one source can be primary; {primaries[0]} already is",
        )
