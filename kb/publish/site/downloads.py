"""Machine-readable files: the whole KB, a JSON-LD context, the schema, and one Turtle and
one JSON-LD file per entity (linked from each page with ``rel="alternate"``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import cast

import pyoxigraph as ox

from kb import __version__
from kb.model.vocab import slug_of
from kb.publish.export import triples_to_text
from kb.publish.schema import artefacts, jsonld_context
from kb.publish.site import jsonld
from kb.publish.site.data import SiteData
from kb.publish.site.render import Page, table
from kb.publish.skos import skos_text
from kb.query.matrix import to_csv

WHOLE = {
    "kb.ttl": ("ttl", "Turtle", "The whole KB, with the derived verdicts"),
    "kb.nt": ("nt", "N-Triples", "The same triples, one per line"),
    "kb.jsonld": (
        "jsonld",
        "JSON-LD",
        "The same triples as compact JSON-LD 1.1 (with context.jsonld inside): each node "
        "typed with its kind (Term, Scenario, ...), its fields under their names",
    ),
}
SKOS_FILE = "kb-skos.ttl"
#: The verdict matrix as a spreadsheet: one row per scenario, in the essay's order.
MATRIX_CSV = "downloads/matrix.csv"
SCHEMA = {
    "shapes.ttl": "SHACL shapes: one closed node shape per kind of entity",
    "kb.schema.json": "JSON Schema of the KB as a JSON document",
    "vocabulary.ttl": "The KB's own RDF vocabulary (classes and properties)",
}


def per_entity_triples(data: SiteData) -> dict[str, list[ox.Triple]]:
    """Each entity's triples (and its RDF lists' cells), by id, derived verdicts included."""
    by_subject: dict[object, list[ox.Triple]] = defaultdict(list)
    for triple in data.triples:
        by_subject[triple.subject].append(triple)
    found: dict[str, list[ox.Triple]] = {}
    for subject, triples in by_subject.items():
        if not isinstance(subject, ox.NamedNode):
            continue
        slug = slug_of(subject.value)
        if slug is None:
            continue
        collected = list(triples)
        pending = [t.object for t in triples if isinstance(t.object, ox.BlankNode)]
        seen = set()
        while pending:
            node = pending.pop()
            if node in seen:
                continue
            seen.add(node)
            for triple in by_subject.get(node, []):
                collected.append(triple)
                if isinstance(triple.object, ox.BlankNode):
                    pending.append(triple.object)
        found[slug] = collected
    return found


def _json(document: object) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def entity_files(data: SiteData) -> Iterator[tuple[str, str]]:
    """(path, text) for ``id/<slug>.ttl`` and ``id/<slug>.jsonld`` of every entity."""
    full = cast(dict[str, object], jsonld_context()["@context"])
    for slug, triples in per_entity_triples(data).items():
        # each file carries the part of the context it uses: the prefixes and its kinds
        nodes = jsonld.graph(triples)
        kinds = {n["@type"] for n in nodes if isinstance(n.get("@type"), str)}
        context = {k: v for k, v in full.items() if isinstance(v, str) or k in kinds}
        yield f"id/{slug}.ttl", triples_to_text(triples, "ttl")
        yield f"id/{slug}.jsonld", _json(jsonld.document(nodes, context))


def whole_files(data: SiteData) -> Iterator[tuple[str, str]]:
    for name, (fmt, _, _) in WHOLE.items():
        if fmt == "jsonld":
            # the whole KB carries its context, so it reads without fetching anything
            context = jsonld_context()["@context"]
            yield f"downloads/{name}", _json(jsonld.document(jsonld.graph(data.triples), context))
        else:
            yield f"downloads/{name}", triples_to_text(data.triples, fmt)
    yield f"downloads/{SKOS_FILE}", skos_text(data.kb.entities, "ttl")
    for name, text in artefacts().items():
        yield f"downloads/{name}", text
    yield MATRIX_CSV, to_csv(data.kb.matrix())


def downloads_page(data: SiteData) -> Page:
    rows = [
        [
            f"[matrix.csv]({MATRIX_CSV})",
            "CSV",
            "The verdict matrix: each scenario (in the essay's order) against each approach, "
            "with the hedged, derived and implied marks, as `kb matrix --format csv` gives it",
        ]
    ]
    rows += [
        [f"[{name}](downloads/{name})", label, about] for name, (_, label, about) in WHOLE.items()
    ]
    rows.append(
        [
            "[context.jsonld](downloads/context.jsonld)",
            "JSON-LD context",
            "Prefixes, and a type-scoped term for every field of every kind",
        ]
    )
    rows.append(
        [
            f"[{SKOS_FILE}](downloads/{SKOS_FILE})",
            "SKOS (Turtle)",
            "The terms as a SKOS concept scheme for vocabulary tools such as Skosmos, each "
            "competing definition an attributed skos:definition",
        ]
    )
    rows += [[f"[{name}](downloads/{name})", "Schema", about] for name, about in SCHEMA.items()]
    rows.append(["[bibliography.bib](bibliography.bib)", "BibTeX", "Every source"])
    body = (
        "# Downloads\n\n"
        "Everything on this site comes from these files: the verdict matrix for a "
        f"spreadsheet, and the whole KB for RDF tools, version {__version__} of the KB. "
        "They are published under the MIT "
        "licence, like the site's own text; quoted words remain their authors' (see "
        "[How to cite](cite.md)).\n\n"
        + table(["File", "Format", "What"], rows)
        + "\nThe KB's IRIs start with "
        "`https://w3id.org/inner-alignment-kb/id/`; the page of each entity links its own "
        "Turtle and JSON-LD files, `id/<id>.ttl` and `id/<id>.jsonld` under this site, in "
        'its HTML head as `<link rel="alternate">`, so a program can follow the site '
        "without a server.\n\n"
        "The same exports come from the command line: `kb export --format ttl|nt|jsonld`, "
        "`kb export --profile skos` and `kb schema export`.\n"
    )
    return Page("downloads.md", body)
