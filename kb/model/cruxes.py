"""Where two approaches part ways, derived from their rules over every possible scenario.

The rules (:mod:`kb.model.rules`) read a few facts, each yes/no or one of two values, so the
whole space of scenarios they can tell apart is small (128 points today): it is enumerated, never
sampled or written by hand. For a pair of approaches this module finds

- every fact combination where their verdicts differ;
- the shortest statement that explains exactly those combinations (a minimal sum of
  products over the facts, Quine-McCluskey, with combinations whose facts either rule calls
  contradictory as "don't care");
- the minimal pairs: two scenarios one fact apart where one approach changes its verdict
  and the other does not.

Pure Python and no pydantic, like the rules, so the command line stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cache
from itertools import combinations, product
from typing import Any, Literal, get_args, get_origin, get_type_hints

from kb.model.errors import UsageError
from kb.model.rules import RULES, RuleVerdict, classify
from kb.model.schema_table import FACTS, ScenarioFacts

#: A point of the fact space: one value per fact, in the order of :data:`FACTS`.
Point = tuple[Any, ...]
#: A product term: a value per fact, or None where the term does not care.
Term = tuple[Any, ...]


@cache
def fact_values(name: str) -> tuple[Any, ...]:
    """The values a fact can take, read from the type of its field in :class:`ScenarioFacts`."""
    hint = get_type_hints(ScenarioFacts)[name]
    if hint is bool:
        return (False, True)
    if get_origin(hint) is Literal:
        return get_args(hint)
    raise TypeError(f"fact {name!r} has a type the explorer cannot enumerate: {hint!r}")


@cache
def _fact_space() -> tuple[ScenarioFacts, ...]:
    names = [fact.name for fact in FACTS]
    axes = [fact_values(name) for name in names]
    return tuple(
        ScenarioFacts(**dict(zip(names, values, strict=True))) for values in product(*axes)
    )


def fact_space() -> list[ScenarioFacts]:
    """Every combination of fact values, in a fixed order (facts in table order)."""
    return list(_fact_space())


def point(facts: ScenarioFacts) -> Point:
    return tuple(getattr(facts, fact.name) for fact in FACTS)


def facts_dict(facts: ScenarioFacts) -> dict[str, Any]:
    return {fact.name: getattr(facts, fact.name) for fact in FACTS}


def facts_key(facts: ScenarioFacts) -> str:
    """A short, stable, URL-safe spelling of a combination: one character per fact
    (``1``/``0`` for yes/no, the value's initial for others), e.g. ``1p0110``."""
    out = []
    for fact in FACTS:
        value = getattr(facts, fact.name)
        out.append(("1" if value else "0") if isinstance(value, bool) else str(value)[0])
    return "".join(out)


def verdict_dict(verdict: RuleVerdict) -> dict[str, Any]:
    return asdict(verdict)


def classification_table() -> list[dict[str, Any]]:
    """What every rule says of every combination: the explorer's data, as built."""
    return [
        {
            "key": facts_key(facts),
            "facts": facts_dict(facts),
            "verdicts": {a: verdict_dict(v) for a, v in classify(facts).items()},
        }
        for facts in fact_space()
    ]


# --- statements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One fact having one value: a literal of a statement."""

    fact: str
    value: Any

    def text(self) -> str:
        label = next(f.label for f in FACTS if f.name == self.fact)
        if isinstance(self.value, bool):
            return f"{label}: {'yes' if self.value else 'no'}"
        return f"{label}: {self.value}"

    def as_dict(self) -> dict[str, Any]:
        return {"fact": self.fact, "value": self.value}


def _covers(term: Term, p: Point) -> bool:
    return all(t is None or t == v for t, v in zip(term, p, strict=True))


def _prime_implicants(allowed: set[Point]) -> list[Term]:
    """Every product term covering only allowed points, not contained in a larger one.

    The space is small enough (3^6 terms) to try every term instead of merging."""
    values = [fact_values(f.name) for f in FACTS]

    def covered(term: Term) -> Iterator[Point]:
        return product(*((v,) if v is not None else vs for v, vs in zip(term, values, strict=True)))

    valid = [
        term
        for term in product(*((None, *vs) for vs in values))
        if all(p in allowed for p in covered(term))
    ]
    valid_set = set(valid)

    def widened(term: Term) -> Iterator[Term]:
        for i, value in enumerate(term):
            if value is not None:
                yield (*term[:i], None, *term[i + 1 :])

    return [t for t in valid if not any(w in valid_set for w in widened(t))]


def minimal_cover(on: set[Point], dont_care: set[Point]) -> list[Term]:
    """The fewest product terms (then fewest literals) covering every point of ``on`` and
    nothing outside ``on | dont_care``."""
    if not on:
        return []
    primes = [t for t in _prime_implicants(on | dont_care) if any(_covers(t, p) for p in on)]
    primes.sort(key=lambda t: (sum(v is not None for v in t), repr(t)))
    for size in range(1, len(primes) + 1):
        best: tuple[int, list[Term]] | None = None
        for chosen in combinations(primes, size):
            if all(any(_covers(t, p) for t in chosen) for p in on):
                literals = sum(v is not None for t in chosen for v in t)
                if best is None or literals < best[0]:
                    best = (literals, list(chosen))
        if best is not None:
            return best[1]
    raise AssertionError("the points themselves always cover")  # pragma: no cover


def _conditions(term: Term) -> list[Condition]:
    return [Condition(f.name, v) for f, v in zip(FACTS, term, strict=True) if v is not None]


# --- cruxes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """A combination where the two approaches give different verdicts."""

    facts: ScenarioFacts
    a: RuleVerdict
    b: RuleVerdict


@dataclass(frozen=True)
class MinimalPair:
    """Two scenarios one fact apart: ``changes`` changes its verdict, ``keeps`` does not."""

    fact: str
    before: ScenarioFacts
    after: ScenarioFacts
    changes: str
    keeps: str
    changed_from: str
    changed_to: str
    kept: str


@dataclass(frozen=True)
class Crux:
    """Where approaches ``a`` and ``b`` part ways, over every coherent combination."""

    a: str
    b: str
    #: How many combinations neither rule calls contradictory.
    coherent: int
    disagreements: list[Disagreement]
    #: They disagree exactly when one of these lists of conditions holds.
    statement: list[list[Condition]]
    minimal_pairs: list[MinimalPair]

    def statement_text(self) -> str:
        if not self.statement:
            return f"{self.a} and {self.b} agree on every coherent combination of facts."
        terms = [" and ".join(c.text() for c in term) for term in self.statement]
        return f"{self.a} and {self.b} disagree exactly when " + "; or when ".join(terms) + "."

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "coherent_combinations": self.coherent,
            "statement": [[c.as_dict() for c in term] for term in self.statement],
            "statement_text": self.statement_text(),
            "disagreements": [
                {
                    "key": facts_key(d.facts),
                    "facts": facts_dict(d.facts),
                    self.a: verdict_dict(d.a),
                    self.b: verdict_dict(d.b),
                }
                for d in self.disagreements
            ],
            "minimal_pairs": [
                {
                    "fact": m.fact,
                    "before": facts_key(m.before),
                    "after": facts_key(m.after),
                    "before_facts": facts_dict(m.before),
                    "after_facts": facts_dict(m.after),
                    "changes": m.changes,
                    "keeps": m.keeps,
                    "changed_from": m.changed_from,
                    "changed_to": m.changed_to,
                    "kept": m.kept,
                }
                for m in self.minimal_pairs
            ],
        }


def approaches_with_rules() -> list[str]:
    return list(RULES)


def _check(approach: str) -> None:
    if approach not in RULES:
        known = ", ".join(RULES)
        raise UsageError(f"no rule for approach {approach!r}; the approaches are {known}")


def _minimal_pairs(
    a: str, b: str, verdicts: dict[Point, dict[str, RuleVerdict]], facts: dict[Point, ScenarioFacts]
) -> Iterator[MinimalPair]:
    for p in sorted(verdicts, key=repr):
        for i, fact in enumerate(FACTS):
            values = fact_values(fact.name)
            for value in values[values.index(p[i]) + 1 :]:
                q = (*p[:i], value, *p[i + 1 :])
                if q not in verdicts:
                    continue
                before, after = verdicts[p], verdicts[q]
                a_moves = before[a].value != after[a].value
                b_moves = before[b].value != after[b].value
                if a_moves == b_moves:
                    continue
                changes, keeps = (a, b) if a_moves else (b, a)
                yield MinimalPair(
                    fact.name,
                    facts[p],
                    facts[q],
                    changes,
                    keeps,
                    before[changes].value,
                    after[changes].value,
                    before[keeps].value,
                )


def cruxes(a: str, b: str) -> Crux:
    """The cruxes between approaches ``a`` and ``b`` (approach ids with a rule)."""
    _check(a)
    _check(b)
    if a == b:
        raise UsageError("give two different approaches")
    verdicts: dict[Point, dict[str, RuleVerdict]] = {}
    facts_at: dict[Point, ScenarioFacts] = {}
    dont_care: set[Point] = set()
    for facts in fact_space():
        p = point(facts)
        both = classify(facts)
        if both[a].conflict or both[b].conflict:
            dont_care.add(p)
            continue
        verdicts[p] = both
        facts_at[p] = facts
    on = {p for p, v in verdicts.items() if v[a].value != v[b].value}
    disagreements = [
        Disagreement(facts_at[p], verdicts[p][a], verdicts[p][b]) for p in sorted(on, key=repr)
    ]
    statement = [_conditions(t) for t in minimal_cover(on, dont_care)]
    pairs = list(_minimal_pairs(a, b, verdicts, facts_at))
    return Crux(a, b, len(verdicts), disagreements, statement, pairs)


def all_pairs() -> list[tuple[str, str]]:
    """Every pair of approaches with rules, in the rules' order."""
    return list(combinations(RULES, 2))
