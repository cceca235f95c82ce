"""What the page modules read: the loaded KB, its verdict matrix and every back-reference.

Built once per site build. Back-references are computed by walking each entity's
reference fields once, so a page can list "what points here" in constant time per item.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar, cast

import pyoxigraph as ox

from kb.api import KnowledgeBase
from kb.model.mapping import specs
from kb.model.models import KINDS, Approach, Entity, Scenario, Verdict
from kb.query.matrix import approach_rank, essay_order
from kb.rdf.paths import KB_PATH_VARIABLE

E = TypeVar("E", bound=Entity)


def kb_paths_from_env() -> list[str] | None:
    """The KB to build from: ``$KB_PATH`` (paths separated by ``os.pathsep``), else bundled."""
    raw = os.environ.get(KB_PATH_VARIABLE, "").strip()
    return [part for part in raw.split(os.pathsep) if part] or None


@dataclass
class SiteData:
    kb: KnowledgeBase
    paths: Sequence[str | Path] | None
    #: (scenario, approach) -> its verdict, stated or derived.
    matrix: dict[tuple[str, str], Verdict] = field(default_factory=dict)
    #: target id -> field name -> ids of entities whose field points at the target.
    backrefs: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    _all: dict[type[Entity], list[Entity]] = field(default_factory=dict)
    _cache: dict[str, list[Scenario]] = field(default_factory=dict)

    @classmethod
    def load(cls, paths: Sequence[str | Path] | None = None, *, validate: bool = True) -> SiteData:
        """Open the KB once (see :func:`kb.rdf.dataset.open_kb`) and index it for the pages."""
        kb = KnowledgeBase.load(paths, validate=validate)
        data = cls(kb, paths)
        for verdict in kb.all(Verdict):
            data.matrix[(verdict.scenario, verdict.approach)] = verdict
        refs: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for kind in KINDS:
            ref_specs = [s for s in specs(kind) if s.kind == "ref"]
            for entity in kb.all(kind):
                for spec in ref_specs:
                    value = getattr(entity, spec.name)
                    for target in value if spec.many else [value]:
                        if target is not None:
                            refs[target][f"{kind.__name__}.{spec.name}"].append(entity.id)
        data.backrefs = refs
        return data

    @cached_property
    def triples(self) -> list[ox.Triple]:
        """Every triple of the KB, derived verdicts included, for the downloads."""
        return self.kb.triples()

    # --- lookups -----------------------------------------------------------------------

    def get(self, entity_id: str) -> Entity | None:
        return self.kb.entities.get(entity_id)

    def all(self, kind: type[E]) -> list[E]:
        if kind not in self._all:
            self._all[kind] = self.kb.all(kind)
        return cast(list[E], self._all[kind])  # the cache is keyed by kind

    def pointing(self, target: str, kind: type[E], field_name: str) -> list[E]:
        """Entities of ``kind`` whose ``field_name`` refers to ``target``, sorted by id."""
        ids = self.backrefs.get(target, {}).get(f"{kind.__name__}.{field_name}", [])
        found = (self.kb.entities[i] for i in ids)
        return sorted((e for e in found if isinstance(e, kind)), key=lambda e: e.id)

    def approaches(self) -> list[Approach]:
        """Approaches in the order the essay introduces them (as ``kb matrix`` does)."""
        return sorted(self.all(Approach), key=lambda a: approach_rank(a.id))

    def scenarios(self) -> list[Scenario]:
        """Scenarios in the essay's order (as ``kb matrix`` lists them)."""
        if "essay_order" not in self._cache:
            scenarios: dict[str, Scenario] = {s.id: s for s in self.all(Scenario)}
            info = {
                s.id: {"label": s.display_label, "locator": s.locator, "sub_case_of": s.sub_case_of}
                for s in scenarios.values()
            }
            self._cache["essay_order"] = [scenarios[i] for i in essay_order(info)]
        return list(self._cache["essay_order"])


def folder_of(entity_or_kind: Entity | type[Entity]) -> str:
    """The site folder of an entity's (or a kind's) pages, from the schema table."""
    return entity_or_kind.kind.folder


def page_name(entity_id: str) -> str:
    """The file name of an entity's page; ``index`` is taken by the kind's index page."""
    return "index_" if entity_id == "index" else entity_id


def page_path(folder: str, entity_id: str) -> str:
    """The docs-relative path of an entity page, e.g. ``term/inner-alignment.md``."""
    return f"{folder}/{page_name(entity_id)}.md"
