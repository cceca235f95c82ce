"""Parse Turtle files into validated models, collecting every problem before reporting.

pyoxigraph parses (it is fast and strict); each subject becomes one pydantic model via the
field specs of :mod:`kb.model.mapping`. Problems of every file are gathered and raised together
as :class:`kb.model.errors.InvalidKB`; nothing the schema does not model is dropped silently.

Each problem names the file, the line of the entity's subject (found by a regex over the
text, since the parser gives no positions for triples), the entity id and the field.
"""

from __future__ import annotations

import difflib
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from pydantic import ValidationError

from kb.model.errors import InvalidKB, Problem, UsageError, escape_controls
from kb.model.fields import date_datatype
from kb.model.mapping import FieldSpec, expected_datatypes, kind_by_type, spec_by_predicate, specs
from kb.model.models import KINDS, Entity
from kb.model.vocab import ID, PREFIXES, RDF_FIRST, RDF_NIL, RDF_REST, RDF_TYPE, XSD
from kb.rdf.paths import read_kb_file, turtle_files

_ID_LEN = len(ID)
_SUBJECT_LINE = re.compile(
    r"^(?:id:([A-Za-z0-9_\-]+)|<([^>\s]*)>)(?=[\s;,]|$)"
    r"([ \t]+(?:a|rdf:type|<" + re.escape(RDF_TYPE) + r">)(?=\s))?",
    re.MULTILINE,
)
_BOM = b"\xef\xbb\xbf"
_NAMED_GRAPHS = "named graphs are not allowed: the KB is plain Turtle with one default graph"


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
    #: where every typed subject was read, valid or not (problems across entities use it)
    declared: dict[str, Origin] = field(default_factory=dict)


@dataclass
class _State:
    """What one run of :func:`read` (or :func:`from_triples`) has seen so far, across files."""

    loaded: Loaded
    problems: list[Problem] = field(default_factory=list)
    #: every subject in the id namespace with a known type: id -> (kind name, origin)
    declared: dict[str, tuple[str, Origin]] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    #: the query store, filled with each file's triples as it is read (parsed once)
    store: ox.Store = field(default_factory=ox.Store)
    #: False builds models without checking them (a KB already validated)
    validate: bool = True


def read(
    paths: Sequence[str | Path] | None = None,
    *,
    validate: bool = True,
    progress: Callable[[str], None] | None = None,
) -> tuple[Loaded, list[Problem], ox.Store]:
    """Parse each file once into models and a query store: (entities, problems, store).

    With ``validate`` false the models are built without checks, for a KB already
    validated; problems are then only those that stop a file from being read.
    """
    state = _State(Loaded(files=turtle_files(paths)), validate=validate)
    started = time.perf_counter()
    for number, path in enumerate(state.loaded.files, start=1):
        if progress:
            progress(f"[{number}/{len(state.loaded.files)}] reading {path}")
        _load_file(path, state)
    if validate:
        if progress:
            count = len(state.loaded.entities)
            elapsed = time.perf_counter() - started
            progress(f"checking references of {count} entities ({elapsed:.1f}s)")
        state.problems.extend(_reference_problems(state))
    state.loaded.declared = {slug: origin for slug, (_, origin) in state.declared.items()}
    return state.loaded, sorted_problems(state.problems), state.store


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems without repeats, by file, line and text."""
    return sorted(set(problems), key=lambda p: (p.file, p.line or 0, str(p)))


def from_triples(triples: Iterable[ox.Triple], name: str) -> Loaded:
    """Validate triples read from elsewhere (a SPARQL endpoint, say) as :func:`read` does files.

    ``name`` stands in for the file name in problems; raises :class:`InvalidKB`.
    """
    from kb.rdf.integrity import integrity_problems

    state = _State(Loaded())
    subjects: dict[Any, list[tuple[str, Any]]] = defaultdict(list)
    store = ox.Store()
    for triple in triples:
        subjects[triple.subject].append((triple.predicate.value, triple.object))
        store.add(ox.Quad(triple.subject, triple.predicate, triple.object))
    _add_subjects(name, subjects, {}, {}, state)
    state.problems.extend(_reference_problems(state))
    state.problems.extend(integrity_problems(store, {s: o for s, (_, o) in state.declared.items()}))
    if state.problems:
        raise InvalidKB(state.problems)
    return state.loaded


# --- one file ------------------------------------------------------------------------------


def _load_file(path: Path, state: _State) -> None:
    name = str(path)
    problems = state.problems
    try:
        data = read_kb_file(path)
    except UsageError as error:
        problems.append(Problem(name, None, None, None, str(error)))
        state.unreadable.append(name)
        return
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        problems.append(
            Problem(
                name,
                line,
                None,
                None,
                f"not UTF-8: byte 0x{data[error.start]:02x} at column {column}; "
                "save the file as UTF-8",
            )
        )
        state.unreadable.append(name)
        return
    subjects: dict[Any, list[tuple[str, Any]]] = defaultdict(list)
    try:
        quads = list(ox.parse(data, format=ox.RdfFormat.TURTLE, without_named_graphs=True))
    except SyntaxError as error:
        problems.append(Problem(name, error.lineno, None, None, _syntax_message(data, error)))
        state.unreadable.append(name)
        return
    state.store.bulk_extend(quads)
    for quad in quads:
        subjects[quad.subject].append((quad.predicate.value, quad.object))
    _add_subjects(name, subjects, *_subject_lines(text), state)


def _add_subjects(
    name: str,
    subjects: dict[Any, list[tuple[str, Any]]],
    lines: dict[str, list[int]],
    typed: dict[str, list[int]],
    state: _State,
) -> None:
    """One document's subjects (subject -> (predicate, object) pairs) as entities.

    ``lines`` gives the lines starting with each subject IRI, ``typed`` those that also
    state its type (see :func:`_subject_lines`).
    """
    problems = state.problems
    lists = _collections(subjects)
    for subject_iri, numbers in typed.items():
        if len(numbers) > 1:
            shown = ", ".join(str(n) for n in numbers)
            slug = subject_iri.removeprefix(ID)
            problems.append(
                Problem(
                    name,
                    numbers[1],
                    slug,
                    None,
                    f"duplicate id: id:{slug} is described at lines {shown} of this file; "
                    "merge them into one block",
                )
            )
    stray_blank_nodes = 0
    for subject, pairs in subjects.items():
        if isinstance(subject, ox.BlankNode):
            if subject not in lists.cells:
                stray_blank_nodes += 1
            continue
        iri_text = subject.value
        subject_lines = lines.get(iri_text)
        line = subject_lines[0] if subject_lines else None
        if not iri_text.startswith(ID):
            message = f"subject <{iri_text}> is not in {ID}"
            problems.append(Problem(name, line, iri_text, None, message))
            continue
        _entity(iri_text[_ID_LEN:], pairs, lists, Origin(name, line), state)
    if stray_blank_nodes:
        problems.append(
            Problem(
                name,
                None,
                None,
                None,
                f"{stray_blank_nodes} blank node(s) outside a list, e.g. [ ... ]: the schema "
                "models entities by id only; give the thing an id and refer to it",
            )
        )


def _syntax_message(data: bytes, error: SyntaxError) -> str:
    try:  # TriG is Turtle plus graphs: its parser can tell a named graph from other errors
        for _ in ox.parse(data, format=ox.RdfFormat.TRIG, without_named_graphs=True):
            pass
    except SyntaxError as trig_error:
        if "named graph" in str(trig_error.msg).lower():
            return _NAMED_GRAPHS
    return f"Turtle syntax error: {_shortened(str(error.msg))}"


def _shortened(message: str, longest: int = 16) -> str:
    """The parser's message with each long word it quotes from the input cut short and
    control characters escaped: an error never echoes a file's content (a secret, say)."""
    words = (w if len(w) <= longest else w[: longest - 4] + "…" for w in message.split(" "))
    return escape_controls(" ".join(words))[:300]


def _subject_lines(text: str) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Lines that start with each subject IRI, and those of them that also state its type.

    A subject's type stated twice at the start of a line means two blocks for one id: a
    copy left with the old id, say. Other repeats (N-Triples style) are fine.
    """
    lines: dict[str, list[int]] = {}
    typed: dict[str, list[int]] = {}
    newlines = 0
    position = 0
    for match in _SUBJECT_LINE.finditer(text):
        newlines += text.count("\n", position, match.start())
        position = match.start()
        subject = ID + match.group(1) if match.group(1) is not None else match.group(2)
        lines.setdefault(subject, []).append(newlines + 1)
        if match.group(3):
            typed.setdefault(subject, []).append(newlines + 1)
    return lines, typed


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


def _collections(subjects: dict[Any, list[tuple[str, Any]]]) -> _Collections:
    cells = {}
    for subject, pairs in subjects.items():
        if len(pairs) != 2 or not isinstance(subject, ox.BlankNode):
            continue
        by_predicate = dict(pairs)
        if RDF_FIRST in by_predicate and RDF_REST in by_predicate:
            cells[subject] = (by_predicate[RDF_FIRST], by_predicate[RDF_REST])
    return _Collections(cells)


# --- one entity ----------------------------------------------------------------------------


def _curie(iri_text: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri_text.startswith(namespace) and len(iri_text) > len(namespace):
            return f"{prefix}:{iri_text[len(namespace) :]}"
    return f"<{iri_text}>"


def _entity(
    slug: str,
    pairs: list[tuple[str, Any]],
    lists: _Collections,
    origin: Origin,
    state: _State,
) -> None:
    problems = state.problems

    def problem(field_name: str | None, message: str) -> None:
        problems.append(Problem(origin.file, origin.line, slug, field_name, message))

    if len(set(pairs)) != len(pairs):  # a triple stated twice is still one triple
        pairs = list(dict.fromkeys(pairs))

    types = [obj for predicate, obj in pairs if predicate == RDF_TYPE]
    known = kind_by_type()
    if len(types) != 1 or not isinstance(types[0], ox.NamedNode) or types[0].value not in known:
        shown = ", ".join(_shown(t) for t in types) or "none"
        choices = ", ".join(kind.rdf_type for kind in KINDS)
        problem("rdf:type", f"needs exactly one rdf:type, one of {choices}; found {shown}")
        return
    kind = known[types[0].value]
    if slug in state.declared:
        first = state.declared[slug][1]
        if first.file != origin.file:
            where = f"{first.file}:{first.line}" if first.line else first.file
            problem(None, f"duplicate id: id:{slug} is also defined at {where}")
        return
    state.declared[slug] = (kind.__name__, origin)

    by_predicate = spec_by_predicate(kind)
    values: dict[str, list[Any]] = defaultdict(list)
    for predicate, obj in pairs:
        if predicate == RDF_TYPE:
            continue
        spec = by_predicate.get(predicate)
        if spec is None:
            problem(None, _unknown_predicate(predicate, kind))
            continue
        if spec.ordered:
            items = lists.items(obj)
            if items is None:
                problem(spec.name, f"{spec.curie} must be an RDF list, e.g. ( id:a id:b )")
                continue
            if not items:
                problem(spec.name, f"{spec.curie} is an empty list; leave the field out instead")
                continue
            values[spec.name].append([_value(spec, item, problem) for item in items])
        else:
            values[spec.name].append(_value(spec, obj, problem))
    fields: dict[str, Any] = {"id": slug}
    for spec in by_predicate.values():
        given = values.get(spec.name)
        if not given:
            continue
        if spec.ordered:
            if len(given) > 1:
                problem(spec.name, f"{spec.curie} given {len(given)} times; give one list")
            fields[spec.name] = given[0]
        elif spec.many:
            if len(given) > 1 and all(isinstance(v, str) for v in given):
                given.sort()
            fields[spec.name] = given
        elif len(given) > 1:
            shown = ", ".join(_short(v) for v in given[:3])
            problem(spec.name, f"{spec.curie} takes one value, found {len(given)}: {shown}")
            fields[spec.name] = _BadValue()
        else:
            fields[spec.name] = given[0]
    if not state.validate:
        state.loaded.entities[slug] = kind.model_construct(**fields)
        state.loaded.origins[slug] = origin
        return
    try:
        entity = kind.model_validate(fields)
    except ValidationError as error:
        for item in error.errors():
            location = item["loc"]
            field_name = str(location[0]) if location else None
            message = _pydantic_message(item, kind)
            if message is not None:
                problem(field_name, message)
        return
    state.loaded.entities[slug] = entity
    state.loaded.origins[slug] = origin


def _unknown_predicate(predicate: str, kind: type[Entity]) -> str:
    name = _curie(predicate)
    allowed = ["rdf:type", *(spec.curie for spec in specs(kind))]
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"predicate {name} is not part of the {kind.__name__} schema{hint}"


class _BadValue:
    """Stands in for a value that could not be converted, so validation reports it once."""

    def __repr__(self) -> str:
        return "<invalid>"


def _value(spec: FieldSpec, term: Any, problem: Callable[[str | None, str], None]) -> Any:
    if spec.kind in ("ref", "url"):
        if type(term) is not ox.NamedNode:
            problem(spec.name, f"{spec.curie} must be an IRI, found {_shown(term)}")
            return _BadValue()
        value = term.value
        if spec.kind == "url":
            return value
        if not value.startswith(ID):
            problem(spec.name, f"{spec.curie} must point to an entity id:..., found <{value}>")
            return _BadValue()
        return value[_ID_LEN:]
    if type(term) is not ox.Literal:
        problem(spec.name, f"{spec.curie} must be a literal, found {_shown(term)}")
        return _BadValue()
    datatype = term.datatype.value
    if datatype not in expected_datatypes(spec):
        wanted = " or ".join("xsd:" + d.rsplit("#", 1)[1] for d in expected_datatypes(spec))
        hint = " (language tags are not used)" if term.language else ""
        problem(spec.name, f"{spec.curie} must be {wanted}, found {_shown(term)}{hint}")
        return _BadValue()
    value = term.value
    if spec.kind == "bool":
        if value not in ("true", "false"):
            problem(spec.name, f"{spec.curie}: {value!r} is not a boolean; write true or false")
            return _BadValue()
        return value == "true"
    if spec.kind == "integer":
        try:
            return int(value)
        except ValueError:
            problem(spec.name, f"{spec.curie}: {value!r} is not an integer; write digits")
            return _BadValue()
    if spec.kind == "date" and len(value) in (4, 7, 10):
        wanted = XSD + date_datatype(value)
        if datatype != wanted:
            problem(
                spec.name,
                f"{spec.curie}: {value!r} must be typed xsd:{date_datatype(value)}, "
                f"not {_curie(datatype)}",
            )
            return _BadValue()
    return value


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _shown(term: Any) -> str:
    if isinstance(term, ox.BlankNode):
        return "a blank node ([ ... ] or ( ... ))"
    if isinstance(term, ox.NamedNode):
        return _curie(term.value)
    if isinstance(term, ox.Literal):
        value = term.value if len(term.value) <= 60 else term.value[:57] + "..."
        shown = '"' + value.replace("\n", "\\n") + '"'
        if term.language:
            return f"{shown}@{term.language}"
        if term.datatype.value != XSD + "string":
            return f"{shown}^^{_curie(term.datatype.value)}"
        return shown
    text = str(term)
    return text if len(text) <= 80 else text[:77] + "..."


_PATTERN_HINTS = {
    "date": "is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD",
    "url": "is not an http(s) URL",
    "ref": "is not an id (lowercase letters and digits, words joined by single hyphens)",
}


def _pydantic_message(item: Any, kind: type[Entity]) -> str | None:
    location = item["loc"]
    name = str(location[0]) if location else ""
    spec = next((s for s in specs(kind) if s.name == name), None)
    label = spec.curie if spec else name
    value = item.get("input")
    if isinstance(value, _BadValue) or (
        isinstance(value, list) and any(isinstance(v, _BadValue) for v in value)
    ):
        return None  # already reported where the value was read
    kind_of_error = item["type"]
    if kind_of_error == "missing":
        return f"required {label} is missing"
    if kind_of_error == "string_pattern_mismatch":
        hint_key = spec.kind if spec is not None and spec.kind in _PATTERN_HINTS else "ref"
        hint = _PATTERN_HINTS[hint_key]
        return f"{label + ': ' if spec else ''}{_short(value)} {hint}"
    if kind_of_error == "too_short" and spec is not None and spec.many:
        return f"needs at least one {label}"
    if kind_of_error == "literal_error" and spec is not None:
        return f"{label}: {_short(value)} is not one of {', '.join(spec.choices)}"
    message = str(item["msg"]).removeprefix("Value error, ")
    if not location:  # a rule across fields (a model validator): its message names them
        return message
    return f"{label}: {message} (got {_short(value)})"


# --- across entities ----------------------------------------------------------------------


def _reference_problems(state: _State) -> Iterable[Problem]:
    loaded = state.loaded
    unread = ", ".join(state.unreadable)
    hint = f" (unless it is in {unread}, which could not be read)" if unread else ""
    declared = state.declared
    for slug, entity in loaded.entities.items():
        origin = loaded.origins[slug]
        for spec in specs(type(entity)):
            if spec.kind != "ref":
                continue
            value = getattr(entity, spec.name)
            if value is None:
                continue
            for target in value if spec.many else (value,):
                declaration = declared.get(target)
                if declaration is None:
                    message = f"{spec.curie} points to id:{target}, which does not exist{hint}"
                elif declaration[0] not in spec.refs:
                    message = (
                        f"{spec.curie} points to id:{target}, a {declaration[0]}; "
                        f"expected {' or '.join(spec.refs)}"
                    )
                else:
                    continue
                yield Problem(origin.file, origin.line, slug, spec.name, message)
