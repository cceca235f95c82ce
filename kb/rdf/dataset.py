"""Open a KB: the one load path, used by the API, the site, the dumps and the commands.

:func:`open_kb` parses each Turtle file once. With models (the default) it builds one
pydantic model per entity from the parsed triples, validates them unless told the KB was
validated already, fills the query store with the same triples, and derives the verdicts
the essay leaves open from the rules (:func:`kb.model.rules.derive`): as models directly, and as
triples written from the schema table. Without models (the fast query commands), pyoxigraph
parses the files straight into the store and the verdicts are derived from the store's
facts. This module imports pydantic only on the model path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kb.model.errors import InvalidKB, Problem
from kb.rdf.paths import turtle_files
from kb.rdf.store import add_derived, load_store

if TYPE_CHECKING:
    from kb.model.models import Verdict
    from kb.rdf.loader import Loaded


@dataclass
class Dataset:
    """An opened KB: its query store and, when models were built, its entities."""

    store: ox.Store
    files: list[Path]
    #: The entities as read from the files (None on the fast path).
    loaded: Loaded | None = None
    #: The verdicts the rules derive, as models (empty on the fast path).
    derived: list[Verdict] = field(default_factory=list)
    #: Every problem found (only a validating open looks for them).
    problems: list[Problem] = field(default_factory=list)


def open_kb(
    paths: Sequence[str | Path] | None = None,
    *,
    validate: bool = True,
    models: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Dataset:
    """Open the bundled KB or the Turtle at ``paths`` (files or folders).

    ``validate``: build entity models and check them, their references and the integrity
    queries (``kb/checks``); problems are returned, not raised. ``models``: build entity
    models without checking them, trusting a KB validated earlier in the same command (the
    site build). Neither: the fast path, a store only. Raises :class:`kb.model.errors.UsageError`
    when ``paths`` names nothing to read, or (fast path) for a file that does not parse.
    """
    if not validate and not models:
        return Dataset(load_store(paths), turtle_files(paths))
    from kb.model.models import Approach, Scenario, Verdict
    from kb.model.rules import derive
    from kb.rdf import loader
    from kb.rdf.integrity import integrity_problems

    loaded, problems, store = loader.read(paths, validate=validate, progress=progress)
    if validate:
        if progress:
            progress("running the integrity checks")
        problems = loader.sorted_problems([*problems, *integrity_problems(store, loaded.declared)])
    entities = loaded.entities
    facts = {slug: e.facts for slug, e in entities.items() if isinstance(e, Scenario)}
    approaches = sorted(slug for slug, e in entities.items() if isinstance(e, Approach))
    stated = {(e.scenario, e.approach) for e in entities.values() if isinstance(e, Verdict)}
    tentative = {slug for slug, e in entities.items() if isinstance(e, Scenario) and e.tentative}
    derivations = derive(facts, approaches, stated, tentative)
    add_derived(store, derivations)
    build = Verdict if validate else Verdict.model_construct
    derived = [build(id=slug, **fields) for slug, fields in derivations]
    return Dataset(store, loaded.files, loaded, derived, problems)


def load(paths: Sequence[str | Path] | None = None) -> Loaded:
    """Open and validate the KB's data; raise :class:`InvalidKB` listing every problem found.

    The named questions are not checked here (they are not data): :func:`kb.query.validate.check`
    checks both, as ``kb validate`` does.
    """
    opened = open_kb(paths, validate=True)
    if opened.problems:
        raise InvalidKB(opened.problems)
    assert opened.loaded is not None
    return opened.loaded
