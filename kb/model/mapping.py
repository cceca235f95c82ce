"""The field specs read off the models, and the conversion between models and RDF terms.

One mechanism for every kind: a :class:`FieldSpec` per field says which predicate it uses
and what kind of RDF value it holds. The loader, writer, exporters and schema exports
all go through these specs.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from kb.model.fields import DATE_PATTERN, URL_PATTERN, Predicate, date_datatype
from kb.model.models import KINDS, Entity
from kb.model.vocab import XSD, iri

ValueKind = Literal["text", "bool", "integer", "enum", "date", "url", "ref"]


@dataclass(frozen=True)
class FieldSpec:
    """How one model field is stored: predicate, value kind, cardinality."""

    name: str
    predicate: str
    curie: str
    kind: ValueKind
    many: bool
    ordered: bool
    required: bool
    refs: tuple[str, ...]
    choices: tuple[str, ...]
    description: str | None
    #: The least value an integer field takes (its ``Ge`` constraint), else None.
    minimum: int | None = None


def _metadata(annotation: Any) -> list[Any]:
    found: list[Any] = []
    for arg in typing.get_args(annotation):
        found.extend(_metadata(arg))
    found.extend(getattr(annotation, "__metadata__", ()))
    return found


def _spec(name: str, info: FieldInfo) -> FieldSpec | None:
    marker = next((m for m in info.metadata if isinstance(m, Predicate)), None)
    if marker is None:
        return None
    annotation = info.annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    many = typing.get_origin(annotation) is list
    inner = typing.get_args(annotation)[0] if many else annotation
    constraints = [*info.metadata, *_metadata(inner)]
    patterns = {getattr(m, "pattern", None) for m in constraints}
    base = typing.get_args(inner)[0] if typing.get_origin(inner) is Annotated else inner
    choices: tuple[str, ...] = ()
    kind: ValueKind
    if marker.refs:
        kind = "ref"
    elif base is bool:
        kind = "bool"
    elif base is int:
        kind = "integer"
    elif typing.get_origin(inner) is Literal:
        kind, choices = "enum", tuple(typing.get_args(inner))
    elif DATE_PATTERN in patterns:
        kind = "date"
    elif URL_PATTERN in patterns:
        kind = "url"
    else:
        kind = "text"
    required = info.is_required() or (many and (_min_length(info) or 0) > 0)
    return FieldSpec(
        name,
        marker.iri,
        marker.curie,
        kind,
        many,
        marker.ordered,
        required,
        marker.refs,
        choices,
        info.description,
        next((m.ge for m in constraints if getattr(m, "ge", None) is not None), None),
    )


def _min_length(info: FieldInfo) -> int | None:
    return next((m.min_length for m in info.metadata if hasattr(m, "min_length")), None)


@cache
def specs(kind: type[BaseModel]) -> tuple[FieldSpec, ...]:
    """The stored fields of a model, in declaration order."""
    stored = (_spec(name, info) for name, info in kind.model_fields.items())
    return tuple(spec for spec in stored if spec is not None)


@cache
def spec_by_predicate(kind: type[Entity]) -> dict[str, FieldSpec]:
    return {spec.predicate: spec for spec in specs(kind)}


@cache
def kind_by_type() -> dict[str, type[Entity]]:
    """Model class by the IRI of its rdf:type."""
    return {Predicate(kind.rdf_type).iri: kind for kind in KINDS}


def type_iri(kind: type[Entity]) -> str:
    return Predicate(kind.rdf_type).iri


# --- values: python value <-> (lexical form, datatype or None for IRIs) -------------------


def to_rdf(spec: FieldSpec, value: Any) -> tuple[str, str | None]:
    """One Python value as (lexical form, datatype IRI); datatype None means an IRI."""
    if spec.kind == "ref":
        return iri(value), None
    if spec.kind == "url":
        return value, None
    if spec.kind == "bool":
        return ("true" if value else "false"), XSD + "boolean"
    if spec.kind == "date":
        return value, XSD + date_datatype(value)
    if spec.kind == "integer":
        return str(value), XSD + "integer"
    return value, XSD + "string"


def expected_datatypes(spec: FieldSpec) -> tuple[str, ...]:
    """Datatypes a literal of this field may carry in Turtle (None-free: IRIs are checked apart)."""
    if spec.kind == "bool":
        return (XSD + "boolean",)
    if spec.kind == "date":
        return (XSD + "gYear", XSD + "gYearMonth", XSD + "date")
    if spec.kind == "integer":
        return (XSD + "integer",)
    return (XSD + "string",)


def entity_values(entity: Entity) -> list[tuple[FieldSpec, list[Any]]]:
    """Each stored field of an entity with its values as a list (empty when unset)."""
    out = []
    for spec in specs(type(entity)):
        value = getattr(entity, spec.name)
        if spec.many:
            values = list(value)
        elif value is None:
            values = []
        else:
            values = [value]
        out.append((spec, values))
    return out
