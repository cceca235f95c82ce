"""Derive what non-Python users need of the schema from the models: the project's RDF
vocabulary, SHACL shapes, JSON Schema and a JSON-LD context. ``kb schema export`` writes
them to ``schema/`` and a test regenerates them and fails on any difference.
"""

from __future__ import annotations

import json
from pathlib import Path

from kb.model.errors import UsageError
from kb.model.mapping import FieldSpec, specs, type_iri
from kb.model.models import KIND_BY_NAME, KINDS, Entity
from kb.model.vocab import ID, KB, OWL, PREFIXES, SH
from kb.publish.project import checkout
from kb.rdf.writer import curie, prefix_block, quote_string, write_atomic

HEADER = "# Generated from kb/model/models.py by `kb schema export`; do not edit.\n"
#: The checkout's ``schema/``; None when installed from a wheel (then give a folder).
SCHEMA_DIR = root / "schema" if (root := checkout()) else None


def _own_terms() -> tuple[dict[str, str], dict[str, tuple[str, set[str], FieldSpec]]]:
    """Classes and properties in the project's namespace, with their documentation."""
    classes: dict[str, str] = {}
    properties: dict[str, tuple[str, set[str], FieldSpec]] = {}
    for kind in KINDS:
        if type_iri(kind).startswith(KB):
            classes[type_iri(kind)] = (kind.__doc__ or "").strip().splitlines()[0]
        for spec in specs(kind):
            if spec.predicate.startswith(KB):
                doc, domains, first = properties.get(spec.predicate, ("", set(), spec))
                properties[spec.predicate] = (
                    doc or (spec.description or ""),
                    domains | {type_iri(kind)},
                    first,
                )
    return classes, properties


def vocabulary_turtle() -> str:
    """The ``kb:`` classes and properties as RDFS, documented from the models."""
    classes, properties = _own_terms()
    out = [HEADER, prefix_block()]
    out.append(
        f'\n<{KB[:-1]}> a <{OWL}Ontology> ;\n    rdfs:label "inner-alignment-kb vocabulary" .\n'
    )
    for iri_text, doc in sorted(classes.items()):
        out.append(f"\n{curie(iri_text)} a rdfs:Class ;\n    rdfs:comment {quote_string(doc)} .\n")
    for iri_text, (doc, domains, spec) in sorted(properties.items()):
        kind = "owl:ObjectProperty" if spec.kind in ("ref", "url") else "owl:DatatypeProperty"
        lines = [f"{curie(iri_text)} a rdf:Property, <{OWL}{kind.split(':')[1]}>"]
        lines.append("rdfs:domain " + ", ".join(sorted(curie(d) or f"<{d}>" for d in domains)))
        if doc:
            lines.append(f"rdfs:comment {quote_string(doc)}")
        out.append("\n" + " ;\n    ".join(lines) + " .\n")
    return "".join(out)


def _shape(kind: type[Entity]) -> str:
    lines = [
        f"kb:{kind.__name__}Shape a sh:NodeShape",
        f"sh:targetClass {curie(type_iri(kind))}",
        "sh:closed true",
        "sh:ignoredProperties ( rdf:type )",
        f"sh:pattern {quote_string('^' + ID + '[a-z0-9]+(?:-[a-z0-9]+)*$')}",
    ]
    for spec in specs(kind):
        constraints = [f"sh:path {curie(spec.predicate)}", f"sh:name {quote_string(spec.name)}"]
        if spec.required:
            constraints.append("sh:minCount 1")
        if not spec.many or spec.ordered:
            constraints.append("sh:maxCount 1")
        if spec.kind == "ref" and not spec.ordered:
            constraints.append("sh:nodeKind sh:IRI")
            targets = [curie(type_iri(KIND_BY_NAME[r])) for r in spec.refs]
            if len(targets) == 1:
                constraints.append(f"sh:class {targets[0]}")
        elif spec.kind == "url":
            constraints.append("sh:nodeKind sh:IRI")
        elif spec.kind == "bool":
            constraints.append("sh:datatype xsd:boolean")
        elif spec.kind == "integer":
            constraints.append("sh:datatype xsd:integer")
            if spec.minimum is not None:
                constraints.append(f"sh:minInclusive {spec.minimum}")
        elif spec.kind == "date":
            constraints.append(
                "sh:or ( [ sh:datatype xsd:gYear ] [ sh:datatype xsd:gYearMonth ] "
                "[ sh:datatype xsd:date ] )"
            )
        elif spec.kind in ("text", "enum"):
            constraints.append("sh:datatype xsd:string")
            if spec.kind == "text":
                constraints.append('sh:pattern "\\\\S"')
        if spec.choices:
            constraints.append("sh:in ( " + " ".join(quote_string(c) for c in spec.choices) + " )")
        lines.append("sh:property [\n        " + " ;\n        ".join(constraints) + "\n    ]")
    return "\n" + " ;\n    ".join(lines) + " .\n"


def shacl_turtle() -> str:
    """One closed node shape per kind of entity."""
    return (
        HEADER
        + prefix_block()
        + f"@prefix sh: <{SH}> .\n"
        + "".join(_shape(kind) for kind in KINDS)
    )


def json_schema() -> dict[str, object]:
    """A JSON Schema for a KB as a JSON document: one array of entities per kind."""
    defs: dict[str, object] = {}
    properties: dict[str, object] = {}
    for kind in KINDS:
        schema = kind.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[kind.__name__] = schema
        properties[kind.file] = {"type": "array", "items": {"$ref": f"#/$defs/{kind.__name__}"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": HEADER.strip("# \n"),
        "title": "inner-alignment-kb",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "$defs": defs,
    }


def jsonld_context() -> dict[str, object]:
    """A JSON-LD context: the prefixes, plus each kind with a type-scoped term per field."""
    context: dict[str, object] = dict(PREFIXES)
    for kind in KINDS:
        terms: dict[str, object] = {"id": "@id"}
        for spec in specs(kind):
            term: dict[str, object] = {"@id": spec.curie}
            if spec.kind in ("ref", "url"):
                term["@type"] = "@id"
            elif spec.kind in ("bool", "integer"):
                term["@type"] = f"xsd:{'boolean' if spec.kind == 'bool' else 'integer'}"
            if spec.ordered:
                term["@container"] = "@list"
            terms[spec.name] = term
        context[kind.__name__] = {"@id": curie(type_iri(kind)), "@context": terms}
    return {"$comment": HEADER.strip("# \n"), "@context": context}


def artefacts() -> dict[str, str]:
    """File name → generated content, for export and for the in-sync test."""
    return {
        "vocabulary.ttl": vocabulary_turtle(),
        "shapes.ttl": shacl_turtle(),
        "kb.schema.json": json.dumps(json_schema(), indent=2, sort_keys=True) + "\n",
        "context.jsonld": json.dumps(jsonld_context(), indent=2) + "\n",
    }


def export(folder: Path | None = None) -> list[Path]:
    """Write the artefacts into ``folder`` (default: the checkout's ``schema/``)."""
    folder = folder or SCHEMA_DIR
    if folder is None:
        raise UsageError("no project checkout here to hold schema/: give a folder with --out")
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in artefacts().items():
        write_atomic(folder / name, text)
        written.append(folder / name)
    return written
