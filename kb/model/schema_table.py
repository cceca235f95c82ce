"""The table of schema facts: every kind of entity, value set and scenario fact, written once.

Everything else reads these rows: the pydantic models (:mod:`kb.model.models`) take their RDF
classes, Turtle files, value sets and the scenario facts from here; the query store writes
derived verdicts with :data:`VERDICT_FIELDS`; questions, the site's folders, labels,
index pages and navigation, and the docs all look kinds up here. The module imports
neither pydantic nor pyoxigraph, so the fast query path can use it.

To add a kind of entity, add a :class:`Kind` row to :data:`KINDS` (and its model class in
:mod:`kb.model.models`); to add a value to a value set, add it to its ``Literal`` below. See
CONTRIBUTING.md for a worked example.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import Any, Literal, get_args

from kb.model.errors import UsageError, excerpt
from kb.model.vocab import expand


@dataclass(frozen=True)
class Predicate:
    """Marks a model field as stored under one RDF predicate, a CURIE of
    :data:`kb.model.vocab.PREFIXES`.

    ``refs`` names the entity classes a reference may point to; ``ordered`` stores a
    list as an RDF collection instead of repeated triples.
    """

    curie: str
    refs: tuple[str, ...] = ()
    ordered: bool = False

    @property
    def iri(self) -> str:
        return expand(self.curie)


#: The short name the models use inside ``Annotated[...]``: ``Annotated[Text, P("rdfs:label")]``.
P = Predicate


# --- kinds of entity ---------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of entity: its model class, RDF class, Turtle file and how pages call it."""

    #: The name of its model class in :mod:`kb.model.models`.
    name: str
    #: Its RDF class, as a CURIE of :data:`kb.model.vocab.PREFIXES`.
    rdf_type: str
    #: The Turtle file of ``kb/data`` (without ``.ttl``) that holds entities of this kind.
    file: str
    #: The site folder (and URL segment) of its pages.
    folder: str
    #: How a page heading names one entity of this kind, and the index page all of them.
    singular: str
    plural: str
    #: How messages name one entity: "unknown decomposition part 'x'".
    noun: str
    #: The paragraph under the index page's heading (``{base}`` is the link prefix).
    intro: str = ""


#: Every kind of entity, in the order files, pages and the navigation list them.
KINDS: tuple[Kind, ...] = (
    Kind(
        "Term",
        "skos:Concept",
        "terms",
        "term",
        "Term",
        "Terms",
        "term",
        "The terms of the debate. Each page gives the term's definitions, their sources "
        "and who endorses them.",
    ),
    Kind(
        "Definition",
        "kb:Definition",
        "definitions",
        "definition",
        "Definition",
        "Definitions",
        "definition",
        "Each distinct definition of a term, with its author, source and quote.",
    ),
    Kind(
        "Approach",
        "kb:Approach",
        "approaches",
        "approach",
        "Approach",
        "Approaches",
        "approach",
        "The three families of definitions of inner alignment the essay compares.",
    ),
    Kind(
        "DecompositionPart",
        "kb:DecompositionPart",
        "decomposition",
        "decomposition",
        "Decomposition step",
        "Decomposition steps",
        "decomposition part",
    ),
    Kind(
        "Scenario",
        "kb:Scenario",
        "scenarios",
        "scenario",
        "Scenario",
        "Scenarios",
        "scenario",
        "The examples the essay discusses, with the facts the approaches' rules read "
        "and every approach's verdict.",
    ),
    Kind(
        "Verdict",
        "kb:Verdict",
        "verdicts",
        "verdict",
        "Verdict",
        "Verdicts",
        "verdict",
        "How each approach classifies each scenario: stated in the essay, or derived "
        "by the approach's rule from the scenario's facts.",
    ),
    Kind(
        "Argument",
        "kb:Argument",
        "arguments",
        "argument",
        "Argument",
        "Arguments",
        "argument",
        "Pointers the essay gives to arguments for or against an approach.",
    ),
    Kind(
        "Researcher",
        "foaf:Person",
        "researchers",
        "researcher",
        "Researcher",
        "Researchers",
        "researcher",
        "The people whose definitions, names or arguments the essay discusses.",
    ),
    Kind(
        "Source",
        "schema:CreativeWork",
        "sources",
        "source",
        "Source",
        "Sources",
        "source",
        "The works the essay cites. See also the [bibliography]({base}bibliography.md).",
    ),
    Kind(
        "Quote",
        "schema:Quotation",
        "quotes",
        "quote",
        "Quote",
        "Quotes",
        "quote",
        "Words quoted verbatim, each with its source and author.",
    ),
)
KIND_BY_NAME: dict[str, Kind] = {kind.name: kind for kind in KINDS}
KIND_BY_TYPE: dict[str, Kind] = {kind.rdf_type: kind for kind in KINDS}


# --- value sets ----------------------------------------------------------------------------

#: How an approach classifies a scenario.
VerdictValue = Literal["inner-aligned", "inner-misaligned", "not-applicable", "uncertain"]
#: Whether the essay states a verdict or an approach's rule derives it.
Basis = Literal["stated", "derived"]
#: What a scenario's system pursues: the base objective itself, or a proxy of it.
ObjectiveKind = Literal["base", "proxy"]

#: What kind of work a source is.
WorkType = Literal[
    "paper", "forum-post", "comment", "sequence", "sequence-section", "podcast-episode"
]
#: The fields of a source that may be marked unverified.
SourceField = Literal["title", "authors", "date", "url", "identifier", "publisher", "part_of"]
#: The fields of a definition or an argument that may hold a probable, unchecked attribution.
DefinitionField = Literal["source"]
ArgumentField = Literal["sources"]

#: How an approach classifies the failure a scenario shows, beside its verdict on the system:
#: the essay separates the two ("a generalization rather than an inner alignment failure",
#: yet "the optimization-focused approach still doesn't make humans inner aligned").
FailureKind = Literal[
    "inner-alignment-failure",
    "generalization-failure",
    "capability-failure",
    "no-failure",
    "uncertain",
]

VERDICT_VALUES: tuple[str, ...] = get_args(VerdictValue)
FAILURE_KINDS: tuple[str, ...] = get_args(FailureKind)
BASES: tuple[str, ...] = get_args(Basis)
OBJECTIVE_KINDS: tuple[str, ...] = get_args(ObjectiveKind)


@dataclass(frozen=True)
class VerdictLook:
    """How the site and the terminal show one verdict value."""

    symbol: str
    #: In narrow terminal tables.
    short: str
    #: Its colour on a terminal (a style of :data:`kb.query.output.STYLES`).
    style: str


#: Every verdict value's look, in the order legends list them (a test checks that every
#: value of :data:`VerdictValue` has one).
VERDICT_LOOKS: dict[str, VerdictLook] = {
    "inner-aligned": VerdictLook("✔", "aligned", "green"),
    "inner-misaligned": VerdictLook("✘", "misaligned", "red"),
    "uncertain": VerdictLook("?", "uncertain", "yellow"),
    "not-applicable": VerdictLook("∅", "n/a", "dim"),
}


# --- the verdict's fields ------------------------------------------------------------------

#: The predicate of each field of :class:`kb.model.models.Verdict`, which annotates its fields
#: with these; the query store writes derived verdicts from the same rows.
VERDICT_FIELDS: dict[str, Predicate] = {
    "scenario": P("kb:scenario", refs=("Scenario",)),
    "approach": P("kb:approach", refs=("Approach",)),
    "value": P("kb:verdictValue"),
    "failure": P("kb:failure"),
    "hedged": P("kb:hedged"),
    "implied": P("kb:implied"),
    "rationale": P("kb:rationale"),
    "evidence": P("kb:evidence", refs=("Quote",)),
    "asserted_by": P("prov:wasAttributedTo", refs=("Researcher",)),
    "in_own_words": P("kb:inOwnWords"),
    "basis": P("kb:basis"),
    "conflict": P("kb:conflict"),
}


def derived_verdict_id(scenario: str, approach: str) -> str:
    """The id of the verdict the rules derive for a pair the essay does not state."""
    return f"derived-{scenario}-{approach}"


# --- the scenario facts --------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One fact the executable definitions read about a scenario."""

    name: str
    #: Its predicate, as a CURIE.
    curie: str
    #: How the site's fact table names it.
    label: str
    #: What it means (the model field's description, in the schema exports too).
    description: str
    #: The value assumed when a scenario does not give the fact (None: it must be given).
    default: bool | None = None


def _fact(curie: str, label: str, description: str) -> dict[str, tuple[str, str, str]]:
    """The metadata of a field of :class:`ScenarioFacts`: its row of the facts table."""
    return {"fact": (curie, label, description)}


@dataclass(frozen=True)
class ScenarioFacts:
    """What the rules read about a scenario (see the README's "Verdicts: stated and derived").

    Each field is one row of the facts table: its predicate, label and description. The
    :class:`kb.model.models.Scenario` model takes its fact fields from these rows, and
    ``scenario.facts`` gives them back as this class. Build one with keywords, or with
    :meth:`from_mapping`, which checks each value.
    """

    mesa_optimizer: bool = field(
        metadata=_fact(
            "kb:mesaOptimizer",
            "Training produces a mesa-optimizer",
            "The trained system runs an internal optimization toward an objective.",
        )
    )
    objective: ObjectiveKind = field(
        metadata=_fact(
            "kb:objective",
            "Objective the system pursues (base or proxy)",
            "What it pursues (mesa-objective, or behavioural objective if not an optimizer): the "
            "base objective itself, or a proxy agreeing with it on some inputs.",
        )
    )
    proxy_diverges_in_training: bool = field(
        metadata=_fact(
            "kb:proxyDivergesInTraining",
            "A proxy objective diverges from the base one in training",
            "The training distribution has cases where proxy and base objective part.",
        )
    )
    proxy_diverges_in_deployment: bool = field(
        metadata=_fact(
            "kb:proxyDivergesInDeployment",
            "A proxy objective diverges in deployment",
            "The deployment distribution has cases where proxy and base objective part.",
        )
    )
    training_converged: bool = field(
        metadata=_fact(
            "kb:trainingConverged",
            "Training converged (optimization was not stopped early)",
            "Training ran until optimal on the training distribution (false: stopped early as "
            "good enough).",
        )
    )
    capabilities_generalize: bool = field(
        metadata=_fact(
            "kb:capabilitiesGeneralize",
            "Capabilities generalize to deployment",
            "Its capabilities carry over to deployment.",
        )
    )
    failure_catastrophic: bool = field(
        default=False,
        metadata=_fact(
            "kb:failureCatastrophic",
            "The failure is catastrophic",
            "The scenario's failure is catastrophic, as the essay describes Example 3's; Shah's "
            "definition asks that the agent 'generalizes catastrophically'. False (the default) "
            "when the essay does not say so.",
        ),
    )

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> ScenarioFacts:
        """The facts in a mapping; a missing, unknown or ill-typed one is a UsageError naming it."""
        if not isinstance(data, Mapping):
            raise UsageError("facts must be a mapping of field names to values")
        names = [fact.name for fact in FACTS]
        unknown = sorted((key for key in data if key not in names), key=str)
        if unknown:
            shown = excerpt(unknown[0])
            raise UsageError(f"unknown fact {shown}; the facts are {', '.join(names)}")
        values: dict[str, Any] = {}
        defaults = {fact.name: fact.default for fact in FACTS}
        for name in names:
            if name not in data and defaults[name] is not None:
                continue
            if name not in data:
                raise UsageError(f"missing fact {name!r}")
            value = data[name]
            if name == "objective":  # checked by type first: never compare or show a big value
                if not isinstance(value, str) or value not in OBJECTIVE_KINDS:
                    choices = " or ".join(repr(k) for k in OBJECTIVE_KINDS)
                    raise UsageError(f"fact 'objective' must be {choices}, got {excerpt(value)}")
            elif not isinstance(value, bool):
                raise UsageError(f"fact {name!r} must be true or false, got {excerpt(value)}")
            values[name] = value
        return cls(**values)

    @property
    def proxy_diverges(self) -> bool:
        return self.objective == "proxy" and (
            self.proxy_diverges_in_training or self.proxy_diverges_in_deployment
        )


#: The scenario facts, in order.
def _fact_row(f: Field[Any]) -> Fact:
    curie, label, description = f.metadata["fact"]
    default = None if f.default is MISSING else f.default
    return Fact(f.name, curie, label, description, default)


FACTS: tuple[Fact, ...] = tuple(_fact_row(f) for f in fields(ScenarioFacts))
