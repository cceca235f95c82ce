"""The one schema: a pydantic model per kind of entity.

Every field names its RDF predicate with :class:`kb.model.fields.P`; nothing else in the
project declares predicates, shapes or JSON Schema by hand. Each model's row of
:data:`kb.model.schema_table.KINDS` (``Model.kind``) gives its RDF class, Turtle file and
labels; the value sets, the scenario facts and the verdict's predicates come from that
table too.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from kb.model.fields import IsoDate, Offset, P, Slug, Text, Url
from kb.model.notebook import Displayable
from kb.model.schema_table import (
    FACTS,
    VERDICT_FIELDS,
    ArgumentField,
    Basis,
    DefinitionField,
    FailureKind,
    Kind,
    ScenarioFacts,
    SourceField,
    VerdictValue,
    WorkType,
)
from kb.model.schema_table import (
    KIND_BY_NAME as KIND_ROWS,
)
from kb.model.schema_table import (
    KINDS as TABLE_KINDS,
)


class Entity(Displayable, BaseModel):
    """Fields shared by every entity: its id (the slug ending its IRI) and a note."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    kind: ClassVar[Kind]
    rdf_type: ClassVar[str]
    file: ClassVar[str]
    label_field: ClassVar[str] = "label"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Each model's RDF class and file come from its row of the schema table."""
        super().__init_subclass__(**kwargs)
        if cls.__name__ not in KIND_ROWS:
            raise TypeError(f"{cls.__name__} has no row in kb.model.schema_table.KINDS")
        cls.kind = KIND_ROWS[cls.__name__]
        cls.rdf_type = cls.kind.rdf_type
        cls.file = cls.kind.file

    id: Slug = Field(description="Stable id; the entity's IRI is the base IRI plus this id.")
    note: Annotated[Text | None, P("rdfs:comment")] = Field(
        None, description="A remark in the project's own words."
    )

    @property
    def display_label(self) -> str:
        return str(getattr(self, self.label_field))


class Term(Entity):
    """A term of the debate, as a SKOS concept."""

    label: Annotated[Text, P("skos:prefLabel")] = Field(description="Preferred label.")
    alt_labels: Annotated[list[Text], P("skos:altLabel")] = Field(
        default_factory=list, description="Other labels the debate uses for the same term."
    )
    scope_note: Annotated[Text | None, P("skos:scopeNote")] = Field(
        None, description="How the term is used in the debate, in the project's words."
    )
    broader: Annotated[list[Slug], P("skos:broader", refs=("Term",))] = Field(default_factory=list)
    narrower: Annotated[list[Slug], P("skos:narrower", refs=("Term",))] = Field(
        default_factory=list
    )
    related: Annotated[list[Slug], P("skos:related", refs=("Term",))] = Field(default_factory=list)
    reading_links: Annotated[list[Slug], P("kb:readingLink", refs=("Term",))] = Field(
        default_factory=list,
        description="Of the terms this one is linked to (broader, narrower or related), those "
        "linked by the project's reading of the essay rather than by the essay's own words.",
    )

    @model_validator(mode="after")
    def _reading_links_are_links(self) -> Term:
        linked = {*self.broader, *self.narrower, *self.related}
        stray = [t for t in self.reading_links if t not in linked]
        if stray:
            raise ValueError(
                f"kb:readingLink names {', '.join(stray)}, which this term is not linked to "
                "by skos:broader, skos:narrower or skos:related"
            )
        return self


class Researcher(Entity):
    """A person whose definitions, names or arguments the essay discusses."""

    label: Annotated[Text, P("foaf:name")] = Field(description="Name as written in the sources.")
    alternate_names: Annotated[list[Text], P("schema:alternateName")] = Field(default_factory=list)
    forum_username: Annotated[Text | None, P("kb:forumUsername")] = Field(
        None, description="LessWrong / AI Alignment Forum user name, where verified."
    )


class Source(Entity):
    """A work the essay cites (or the essay itself). Unverified facts are listed by field."""

    label: Annotated[Text, P("dcterms:title")] = Field(description="Title, or a description.")
    work_type: Annotated[WorkType, P("kb:workType")]
    authors: Annotated[list[Slug], P("bibo:authorList", refs=("Researcher",), ordered=True)] = (
        Field(default_factory=list, description="Authors in the order the work gives them.")
    )
    date: Annotated[IsoDate | None, P("dcterms:issued")] = None
    url: Annotated[Url | None, P("schema:url")] = None
    identifier: Annotated[Text | None, P("dcterms:identifier")] = Field(
        None, description="For example an arXiv id."
    )
    publisher: Annotated[Text | None, P("dcterms:publisher")] = Field(
        None, description="Venue, for example 'AI Alignment Forum' or 'arXiv'."
    )
    part_of: Annotated[Slug | None, P("dcterms:isPartOf", refs=("Source",))] = None
    unverified_fields: Annotated[list[SourceField], P("kb:unverifiedField")] = Field(
        default_factory=list,
        description="Fields whose value is believed but not checked against the work itself.",
    )
    unidentified: Annotated[bool, P("kb:unidentified")] = Field(
        False, description="The essay cites it, but which work it is is not known."
    )
    primary: Annotated[bool, P("kb:primarySource")] = Field(
        False, description="The essay this KB is built from; its quotes are checked verbatim."
    )


class Quote(Entity):
    """Words quoted verbatim, with the work they come from and the work they were taken from."""

    label_field: ClassVar[str] = "text"

    text: Annotated[Text, P("schema:text")] = Field(description="The exact words.")
    source: Annotated[Slug, P("dcterms:source", refs=("Source",))] = Field(
        description="The work whose words these are."
    )
    quoted_in: Annotated[Slug | None, P("kb:quotedIn", refs=("Source",))] = Field(
        None, description="The work the KB took the words from, when not the source itself."
    )
    speakers: Annotated[list[Slug], P("schema:creator", refs=("Researcher",))] = Field(
        default_factory=list, description="Who wrote or said the words."
    )
    locator: Annotated[Text | None, P("kb:locator")] = Field(
        None,
        description="Where in the work the words come from: a section heading or a time. For "
        "words taken from the primary source, the heading of its section they sit in, as the "
        "essay spells it (its title before the first heading); `kb quotes verify` checks it.",
    )
    quoted_in_locator: Annotated[Text | None, P("kb:quotedInLocator")] = Field(
        None,
        description="Where in the quoting work (kb:quotedIn) the words are quoted; for the "
        "primary source, the heading of its section, checked as kb:locator is.",
    )
    position: Annotated[Offset | None, P("schema:position")] = Field(
        None,
        description="Where the words start in the work they were taken from (kb:quotedIn, "
        "else dcterms:source): a character offset into its normalised text (whitespace runs "
        "as one space, plain quote marks). Orders the quotes of one work; required for, and "
        "checked against, the primary source (`kb quotes place` fills it in).",
    )

    @property
    def taken_from(self) -> str:
        """The work the KB took the words from: the quoting work, else their own."""
        return self.quoted_in or self.source

    @property
    def section(self) -> str | None:
        """Where in :attr:`taken_from` the words sit (a section heading, for the essay)."""
        return self.quoted_in_locator if self.quoted_in else self.locator


class Definition(Entity):
    """One distinct definition of a term, by its author(s), in a source."""

    label: Annotated[Text, P("rdfs:label")]
    defines: Annotated[Slug, P("kb:defines", refs=("Term",))]
    authors: Annotated[list[Slug], P("dcterms:creator", refs=("Researcher",))] = Field(
        default_factory=list
    )
    source: Annotated[Slug | None, P("dcterms:source", refs=("Source",))] = None
    quote: Annotated[Slug | None, P("kb:quote", refs=("Quote",))] = Field(
        None, description="The definition's own words, where the essay quotes them."
    )
    paraphrase: Annotated[Text, P("kb:paraphrase")] = Field(
        description="A short paraphrase in the project's words."
    )
    revision_of: Annotated[Slug | None, P("prov:wasRevisionOf", refs=("Definition",))] = None
    similar_to: Annotated[list[Slug], P("kb:similarTo", refs=("Definition",))] = Field(
        default_factory=list
    )
    unverified_fields: Annotated[list[DefinitionField], P("kb:unverifiedField")] = Field(
        default_factory=list,
        description="'source' when the essay names no work and the one recorded is a probable, "
        "unchecked match.",
    )


class DecompositionPart(Entity):
    """A step of the essay's three-step decomposition, or a dimension of step 3."""

    label: Annotated[Text, P("rdfs:label")]
    number: Annotated[Text, P("kb:stepNumber")] = Field(description="'1', '2', '3', '3a', ...")
    description: Annotated[Text, P("dcterms:description")]
    part_of: Annotated[Slug | None, P("dcterms:isPartOf", refs=("DecompositionPart",))] = None
    term: Annotated[Slug | None, P("kb:term", refs=("Term",))] = None
    quote: Annotated[Slug | None, P("kb:quote", refs=("Quote",))] = None


class Approach(Entity):
    """A family of definitions of inner alignment, as the essay compares them."""

    label: Annotated[Text, P("rdfs:label")]
    description: Annotated[Text, P("dcterms:description")]
    named_by: Annotated[list[Slug], P("kb:namedBy", refs=("Researcher",))] = Field(
        default_factory=list
    )
    named_in: Annotated[Slug | None, P("kb:namedIn", refs=("Source",))] = None
    endorsed_by: Annotated[list[Slug], P("kb:endorsedBy", refs=("Researcher",))] = Field(
        default_factory=list
    )
    similar_definition_by: Annotated[
        list[Slug], P("kb:similarDefinitionBy", refs=("Researcher",))
    ] = Field(default_factory=list, description="Put forward similar definitions, per the essay.")
    definitions: Annotated[list[Slug], P("kb:includesDefinition", refs=("Definition",))] = Field(
        default_factory=list
    )
    requires_mesa_optimizer: Annotated[bool, P("kb:requiresMesaOptimizer")]
    counts_as_inner: Annotated[list[Slug], P("kb:countsAsInner", refs=("DecompositionPart",))] = (
        Field(default_factory=list)
    )
    counts_as_outer: Annotated[list[Slug], P("kb:countsAsOuter", refs=("DecompositionPart",))] = (
        Field(default_factory=list)
    )
    counts_partly_inner: Annotated[
        list[Slug], P("kb:countsPartlyAsInner", refs=("DecompositionPart",))
    ] = Field(
        default_factory=list,
        description="Parts inner only under the condition one of their sub-parts states.",
    )
    counts_partly_outer: Annotated[
        list[Slug], P("kb:countsPartlyAsOuter", refs=("DecompositionPart",))
    ] = Field(
        default_factory=list,
        description="Parts outer only under the condition one of their sub-parts states.",
    )
    counts_hedged: Annotated[list[Slug], P("kb:countsHedged", refs=("DecompositionPart",))] = Field(
        default_factory=list,
        description="Parts whose classification under this approach the essay hedges.",
    )
    decomposition_note: Annotated[Text | None, P("kb:decompositionNote")] = None
    evidence: Annotated[list[Slug], P("kb:evidence", refs=("Quote",))] = Field(default_factory=list)


class _FactsModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: The fields of :class:`Scenario` that hold the facts the executable definitions
#: (``kb/model/rules.py``) read, one per row of :data:`kb.model.schema_table.FACTS`, typed
#: as the fields of :class:`kb.model.schema_table.ScenarioFacts` (``Scenario.facts``).
_FACT_FIELDS: dict[str, Any] = {
    fact.name: (
        Annotated[get_type_hints(ScenarioFacts)[fact.name], P(fact.curie)],
        Field(description=fact.description)
        if fact.default is None
        else Field(fact.default, description=fact.description),
    )
    for fact in FACTS
}
_FactFields: type[BaseModel] = create_model(
    "_FactFields",
    __base__=_FactsModel,
    __doc__="The scenario facts as model fields, built from the schema table's rows.",
    __module__=__name__,
    **_FACT_FIELDS,
)


class Scenario(Entity, _FactFields):  # the fact fields come from the schema table
    """An example the essay discusses, with the facts the executable definitions read."""

    label: Annotated[Text, P("rdfs:label")]
    description: Annotated[Text, P("dcterms:description")]
    locator: Annotated[Text | None, P("kb:locator")] = None
    sub_case_of: Annotated[Slug | None, P("kb:subCaseOf", refs=("Scenario",))] = None
    analogous_to: Annotated[list[Slug], P("kb:analogousTo", refs=("Scenario",))] = Field(
        default_factory=list
    )
    source: Annotated[Slug | None, P("dcterms:source", refs=("Source",))] = None
    evidence: Annotated[list[Slug], P("kb:evidence", refs=("Quote",))] = Field(default_factory=list)
    facts_note: Annotated[Text | None, P("kb:factsNote")] = Field(
        None, description="How the facts were read from the essay."
    )
    tentative: Annotated[bool, P("kb:tentative")] = Field(
        False,
        description="The essay offers this scenario, or its reading of it, only tentatively "
        "('perhaps', 'seems to be'): every verdict on it is hedged, derived ones too.",
    )

    @property
    def facts(self) -> ScenarioFacts:
        """What the rules read about this scenario (``k.classify`` takes it as it is)."""
        return ScenarioFacts(**{fact.name: getattr(self, fact.name) for fact in FACTS})


_V = VERDICT_FIELDS


class Verdict(Entity):
    """How an approach classifies a scenario: stated (or plainly implied) by the essay, or
    derived by the approach's rule (``kb/model/rules.py``) for a pair the essay leaves open.

    Only stated verdicts are written in ``kb/data``; derived ones exist in the query store,
    in exports and on the site, and need no evidence or attribution.
    """

    label_field: ClassVar[str] = "id"

    # Predicates from the schema table, which also writes derived verdicts into the store.

    scenario: Annotated[Slug, _V["scenario"]]
    approach: Annotated[Slug, _V["approach"]]
    value: Annotated[VerdictValue | None, _V["value"]] = Field(
        None,
        description="How the approach classifies the scenario's system; absent when the essay "
        "classifies only the failure (see failure).",
    )
    failure: Annotated[FailureKind | None, _V["failure"]] = Field(
        None,
        description="How the approach classifies the failure the scenario shows: an inner "
        "alignment failure, a generalization (outer) failure, a capability failure, no "
        "failure, or uncertain.",
    )
    hedged: Annotated[bool, _V["hedged"]] = Field(
        description="The essay hedges this verdict (for a derived verdict: the rule does)."
    )
    implied: Annotated[bool, _V["implied"]] = Field(
        False, description="Plainly implied by the essay rather than stated in so many words."
    )
    rationale: Annotated[Text, _V["rationale"]] = Field(description="In the project's words.")
    evidence: Annotated[list[Slug], _V["evidence"]] = Field(
        default_factory=list,
        description="The essay's sentences the verdict rests on (required when stated).",
    )
    asserted_by: Annotated[list[Slug], _V["asserted_by"]] = Field(
        default_factory=list, description="Who asserts the verdict (required when stated)."
    )
    in_own_words: Annotated[bool, _V["in_own_words"]] = Field(
        False,
        description="True when a researcher asserts it in their own quoted words; false when it "
        "is the essay author's interpretation.",
    )
    basis: Annotated[Basis, _V["basis"]] = Field(
        "stated", description="'stated' in the essay, or 'derived' by the approach's rule."
    )
    conflict: Annotated[Text | None, _V["conflict"]] = Field(
        None, description="For a derived verdict: facts that contradict the approach's assumptions."
    )

    @model_validator(mode="after")
    def _stated_verdicts_cite(self) -> Verdict:
        if self.value is None and self.failure is None:
            raise ValueError("a verdict needs a value, a failure, or both")
        if self.basis == "stated":
            missing = [n for n in ("evidence", "asserted_by") if not getattr(self, n)]
            if missing:
                raise ValueError(f"a stated verdict needs {' and '.join(missing)}")
        return self


class Argument(Entity):
    """A pointer the essay gives to an argument for or against an approach."""

    label: Annotated[Text, P("rdfs:label")]
    description: Annotated[Text, P("dcterms:description")]
    authors: Annotated[list[Slug], P("dcterms:creator", refs=("Researcher",))] = Field(min_length=1)
    supports: Annotated[list[Slug], P("kb:supports", refs=("Approach",))] = Field(
        default_factory=list
    )
    opposes: Annotated[list[Slug], P("kb:opposes", refs=("Approach",))] = Field(
        default_factory=list
    )
    sources: Annotated[list[Slug], P("dcterms:source", refs=("Source",))] = Field(
        default_factory=list
    )
    quote: Annotated[Slug | None, P("kb:quote", refs=("Quote",))] = None
    evidence: Annotated[list[Slug], P("kb:evidence", refs=("Quote",))] = Field(
        default_factory=list, description="Further sentences of the essay the argument rests on."
    )
    unverified_fields: Annotated[list[ArgumentField], P("kb:unverifiedField")] = Field(
        default_factory=list,
        description="'sources' when the works recorded are probable, unchecked identifications.",
    )


#: Every model class, in the order of :data:`kb.model.schema_table.KINDS`.
KINDS: tuple[type[Entity], ...] = tuple(
    {model.__name__: model for model in Entity.__subclasses__()}[kind.name] for kind in TABLE_KINDS
)
KIND_BY_NAME: dict[str, type[Entity]] = {kind.__name__: kind for kind in KINDS}
