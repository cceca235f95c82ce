"""The Python lookup API: :class:`KnowledgeBase`, one method per verb of the command line.

>>> from kb import KnowledgeBase
>>> k = KnowledgeBase.load()
>>> k.get("example-3").label
'Example 3: fully optimized non-impact-aligned mesa-optimizer'
>>> [(v.approach, v.value, v.basis) for v in k.verdicts(scenario="example-3")]
[('generalization-focused', 'inner-misaligned', 'stated'),
 ('objective-focused', 'inner-misaligned', 'stated'),
 ('optimization-focused', 'inner-aligned', 'stated')]
>>> [a.id for a in k.definitions_calling("example-3", "inner-misaligned")]
['generalization-focused', 'objective-focused']
>>> [row["scenario"] for row in k.ask("disagreements", a="objective-focused",
...                                   b="optimization-focused")][:1]
['birth-control']
>>> k.sparql("SELECT ?label WHERE { ?s rdfs:label ?label }", bindings={"s": "example-5"})
[{'label': 'Example 5: generalization failure without a mesa-optimizer'}]
>>> facts = dict(mesa_optimizer=True, objective="proxy", proxy_diverges_in_training=False,
...              proxy_diverges_in_deployment=True, training_converged=True,
...              capabilities_generalize=True)
>>> {a: v.value for a, v in k.classify(facts).items()}
{'objective-focused': 'inner-misaligned', 'generalization-focused': 'inner-misaligned',
 'optimization-focused': 'inner-aligned'}
>>> k.get("exampel-3")
Traceback (most recent call last):
kb.model.errors.UnknownId: unknown id 'exampel-3'; did you mean example-3, example-5, example-4?
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, overload

import pyoxigraph as ox
from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from kb.model.cruxes import Crux, cruxes
from kb.model.errors import InvalidKB, UnknownId, UsageError
from kb.model.models import Approach, Entity, Scenario, VerdictValue
from kb.model.notebook import Displayable
from kb.model.rules import RuleVerdict, classify
from kb.model.schema_table import FACTS, Basis, FailureKind, ScenarioFacts
from kb.query import engine
from kb.query.matrix import VerdictList
from kb.query.results import ResultRow
from kb.rdf.dataset import open_kb
from kb.rdf.loader import Loaded

if TYPE_CHECKING:
    from kb.query.matrix import Matrix

E = TypeVar("E", bound=Entity)


class VerdictRow(Displayable, BaseModel):
    """A verdict as the ``verdicts`` question returns it, stated in the essay or derived by a
    rule: the fields of a :class:`kb.model.models.Verdict`, under the same names, but for its
    evidence and attribution lists, plus ``source``, the work its evidence quotes come from.
    A remote KB answers it without sending every entity.

    The question's rows (``kb verdicts --format json``, ``k.ask("verdicts")``) name the value
    ``verdict``, the column's name since the first release; here, as on every verdict object,
    it is ``value``.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    scenario: str
    approach: str
    value: VerdictValue | None = Field(
        None, validation_alias=AliasChoices("value", "verdict"), serialization_alias="verdict"
    )
    failure: FailureKind | None = None
    hedged: bool
    implied: bool = False
    in_own_words: bool = False
    basis: Basis
    rationale: str
    source: str | None = None
    conflict: str | None = None

    @property
    def verdict(self) -> VerdictValue | None:
        """Deprecated: :attr:`value`, the name every verdict uses."""
        import warnings

        warnings.warn(
            "VerdictRow.verdict is deprecated; use .value", DeprecationWarning, stacklevel=2
        )
        return self.value


class KnowledgeBase:
    """A validated KB plus a query engine over it (local store or remote endpoint).

    It reads like a mapping from ids to entities: ``k["example-3"]``, ``"example-3" in k``,
    ``len(k)`` and ``for entity_id in k``.
    """

    def __init__(self, loaded: Loaded | None, backend: engine.Backend):
        self._loaded = loaded
        self.backend = backend

    @classmethod
    def load(
        cls, path: str | Path | Sequence[str | Path] | None = None, *, validate: bool = True
    ) -> KnowledgeBase:
        """The bundled KB, or the Turtle at ``path`` (a file, a folder, or several).

        Raises :class:`kb.model.errors.InvalidKB` with every problem. ``validate=False`` skips
        the checks, for a KB validated earlier in the same command.
        """
        paths = [path] if isinstance(path, str | Path) else path
        opened = open_kb(paths, validate=validate, models=True)
        if opened.problems:
            raise InvalidKB(opened.problems)
        assert opened.loaded is not None
        opened.loaded.entities.update((verdict.id, verdict) for verdict in opened.derived)
        return cls(opened.loaded, engine.LocalBackend(store=opened.store))

    @classmethod
    def remote(
        cls,
        url: str,
        *,
        default_graph: str | None = None,
        timeout: float = 60.0,
        max_bytes: int = 256 * 1024 * 1024,
    ) -> KnowledgeBase:
        """A KB served by a SPARQL 1.1 endpoint (``kb serve``, Virtuoso, ...); the options
        are :class:`kb.query.remote.RemoteBackend`'s."""
        from kb.query.remote import RemoteBackend

        return cls(None, RemoteBackend(url, default_graph, timeout, max_bytes))

    # --- entities ---------------------------------------------------------------------

    @property
    def entities(self) -> Mapping[str, Entity]:
        if self._loaded is None:
            from kb.query.remote import fetch_entities

            self._loaded = fetch_entities(self.backend)
        return self._loaded.entities

    @overload
    def get(self, entity_id: str) -> Entity: ...
    @overload
    def get(self, entity_id: str, kind: type[E]) -> E: ...
    def get(self, entity_id: str, kind: type[Entity] = Entity) -> Entity:
        """Any entity by id, as its model; ``kind`` restricts the expected class.

        >>> k = KnowledgeBase.load()
        >>> k.get("evan-hubinger").label
        'Evan Hubinger'
        >>> k.get("evan-hubinger", Scenario)
        Traceback (most recent call last):
        kb.model.errors.UnknownId: unknown scenario 'evan-hubinger'
        """
        entity = self.entities.get(entity_id)
        if entity is None or not isinstance(entity, kind):
            known = [i for i, e in self.entities.items() if isinstance(e, kind)]
            raise UnknownId(kind.kind.noun if kind is not Entity else "id", entity_id, known)
        return entity

    @overload
    def all(self) -> list[Entity]: ...
    @overload
    def all(self, kind: type[E]) -> list[E]: ...
    def all(self, kind: type[E] | None = None) -> list[E] | list[Entity]:
        """Every entity (or every entity of one kind), sorted by id.

        >>> k = KnowledgeBase.load()
        >>> [a.id for a in k.all(Approach)]
        ['generalization-focused', 'objective-focused', 'optimization-focused']
        >>> len(k.all()) == len(k)
        True
        """
        wanted = kind or Entity
        return sorted(
            (e for e in self.entities.values() if isinstance(e, wanted)), key=lambda e: e.id
        )

    def __getitem__(self, entity_id: str) -> Entity:
        """``k["example-3"]``: the same as :meth:`get` (an unknown id raises a KeyError)."""
        return self.get(entity_id)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.entities

    def __len__(self) -> int:
        return len(self.entities)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.entities))

    def __repr__(self) -> str:
        where = "remote endpoint" if self._loaded is None else f"{len(self)} entities"
        return f"<KnowledgeBase: {where}>"

    # --- questions --------------------------------------------------------------------

    def ask(self, name: str, **params: engine.Binding | None) -> list[ResultRow]:
        """Answer a named question (see ``kb ask --list``); rows as dicts.

        Parameters are checked against the question and the KB and bound as data.

        >>> k = KnowledgeBase.load()
        >>> k.ask("endorsers", approach="generalization-focused")
        [{'researcher': 'rohin-shah', 'name': 'Rohin Shah', 'relation': 'endorses'}]
        >>> k.ask("endorsers", approach="generalisation-focused")
        Traceback (most recent call last):
        kb.model.errors.UnknownId: unknown approach id ... did you mean generalization-focused, ...?
        """
        return engine.run_question(self.backend, name, params)

    def sparql(
        self, query: str, bindings: Mapping[str, engine.Binding] | None = None
    ) -> engine.SparqlResult:
        """Raw SPARQL: rows for SELECT, a bool for ASK, :class:`kb.query.engine.Triples` (a list)
        for CONSTRUCT and DESCRIBE.

        ``bindings`` maps variable names to values, bound in a VALUES block: the id of an
        entity of this KB binds its IRI, an ``http(s)`` string an IRI, anything else a
        literal (pass a ``pyoxigraph`` term to choose). Standard prefixes are added.

        The query is evaluated in a child process cut off the network (:mod:`kb.query.sandbox`),
        so no ``SERVICE`` can fetch anything; where this system cannot isolate a process,
        raw SPARQL is refused (named questions, :meth:`ask`, still work).

        >>> k = KnowledgeBase.load()
        >>> k.sparql("ASK { ?s kb:mesaOptimizer false }", bindings={"s": "example-5"})
        True
        """
        return engine.run_sparql(self.backend, query, bindings)

    def triples(self) -> list[ox.Triple]:
        """Every triple of the KB, derived verdicts included (for exports and the site)."""
        return engine.all_triples(self.backend)

    def verdicts(self, scenario: str | None = None, approach: str | None = None) -> VerdictList:
        """Stated and derived verdicts, filtered by scenario and/or approach.

        >>> k = KnowledgeBase.load()
        >>> v = k.verdicts(scenario="example-5", approach="generalization-focused")[0]
        >>> v.value, v.hedged, v.basis, v.source
        ('inner-misaligned', True, 'stated', 'clarifying-the-confusion-around-inner-alignment')
        """
        rows = self.ask("verdicts", scenario=scenario, approach=approach)
        verdicts = [VerdictRow.model_validate(row) for row in rows]
        if self._loaded is None:  # a remote KB: labels would mean fetching every entity
            return VerdictList(verdicts)
        scenarios = {s.id: s.model_dump() for s in self.all(Scenario)}
        approaches = {a.id: a.label for a in self.all(Approach)}
        return VerdictList(verdicts, scenarios, approaches)

    def matrix(self) -> Matrix:
        """The verdict matrix: one row per scenario in the essay's order, one cell per approach.

        Each row has ``scenario``, ``label``, ``cells`` (approach id →
        :class:`kb.query.matrix.Cell`) and ``disagree``; ``.to_pandas()`` gives a DataFrame
        when pandas is installed.

        >>> k = KnowledgeBase.load()
        >>> m = k.matrix()
        >>> m[3].scenario, str(m[3].cells["optimization-focused"]), m[3].disagree
        ('example-3', 'inner-aligned; generalization-failure', True)
        """
        from kb.query import matrix

        return matrix.load(self.backend)

    def definitions_calling(self, scenario: str, verdict: str) -> list[Approach]:
        """The approaches (families of definitions) that give ``scenario`` this verdict.

        >>> k = KnowledgeBase.load()
        >>> [a.id for a in k.definitions_calling("example-5", "not-applicable")]
        ['objective-focused', 'optimization-focused']
        """
        rows = self.ask("approaches-giving-verdict", scenario=scenario, verdict=verdict)
        return [self.get(str(row["approach"]), Approach) for row in rows]

    def classify(
        self, facts: ScenarioFacts | Scenario | Mapping[str, object]
    ) -> dict[str, RuleVerdict]:
        """Every approach's verdict for a scenario described by its facts.

        Takes :class:`ScenarioFacts`, a :class:`Scenario` or a mapping of fact names to
        values; a missing or ill-typed fact raises :class:`kb.model.errors.UsageError` naming it.

        >>> k = KnowledgeBase.load()
        >>> k.classify(k.get("example-4"))["optimization-focused"].value
        'inner-misaligned'
        >>> k.classify({"mesa_optimizer": True})
        Traceback (most recent call last):
        kb.model.errors.UsageError: missing fact 'objective'
        """
        if isinstance(facts, Scenario):
            facts = facts.facts
        if isinstance(facts, ScenarioFacts):  # checked too: a dataclass takes any value
            facts = {fact.name: getattr(facts, fact.name) for fact in FACTS}
        if not isinstance(facts, Mapping):
            raise UsageError("classify takes ScenarioFacts, a Scenario or a mapping of facts")
        return classify(ScenarioFacts.from_mapping(facts))

    def cruxes(self, a: str, b: str) -> Crux:
        """Where the rules of approaches ``a`` and ``b`` disagree, over every combination of
        the scenario facts: the combinations, the shortest statement explaining them, and the
        minimal pairs (see :mod:`kb.model.cruxes`). Derived from the rules, not from this KB.

        >>> k = KnowledgeBase.load()
        >>> crux = k.cruxes("objective-focused", "optimization-focused")
        >>> crux.statement_text().startswith("objective-focused and optimization-focused")
        True
        """
        return cruxes(a, b)
