"""Write a synthetic KB in the project's schema, of a chosen size, for scale benchmarks.

    python scripts/gen_synthetic.py OUT_DIR --triples 1000000 [--seed 1]

The KB is valid per ``kb validate``: every entity kind, every reference resolves, stated
verdicts agree with the rules (so the rules-versus-essay check would pass too). Sizes are
approximate: the script writes whole "units" (a term, a definition, a source with its
author list, a quote, a scenario, some verdicts and arguments) until the triple budget is
used, then reports the exact count. The three real approach ids are kept so that the
derived verdicts and the named questions' examples work unchanged. Progress is shown on a
terminal (stderr), silent otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.model.rules import RULES
from kb.model.schema_table import ObjectiveKind, ScenarioFacts
from kb.model.vocab import PREFIXES

APPROACHES = tuple(RULES)
EXTRA_APPROACHES = ("synthetic-approach-1", "synthetic-approach-2")
PARTS = ("step-1", "step-2", "step-3")
TRIPLES_PER_UNIT = 47  # measured; used only to size the run
WORK_TYPES = ("paper", "forum-post", "comment", "podcast-episode")
WORDS = (
    "mesa",
    "objective",
    "base",
    "proxy",
    "training",
    "deployment",
    "robustness",
    "capability",
    "alignment",
    "optimizer",
    "policy",
    "reward",
    "generalization",
    "distribution",
    "shift",
    "behaviour",
    "impact",
    "intent",
)


def lit(text: str) -> str:
    """A Turtle string literal (JSON escapes are valid Turtle escapes for ASCII text)."""
    return json.dumps(text)


def boolean(value: bool) -> str:
    return "true" if value else "false"


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


class Writer:
    """One Turtle file per kind, with the canonical prefixes; counts triples as it goes."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.files: dict[str, TextIO] = {}
        self.triples = 0
        self.header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n"

    def entity(self, file: str, slug: str, rdf_type: str, pairs: list[tuple[str, str]]) -> None:
        handle = self.files.get(file)
        if handle is None:
            handle = (self.folder / f"{file}.ttl").open("w", encoding="utf-8")
            handle.write(self.header)
            self.files[file] = handle
        body = " ;\n  ".join(f"{p} {o}" for p, o in pairs)
        handle.write(f"id:{slug} a {rdf_type} ;\n  {body} .\n\n")
        self.triples += 1 + sum(1 + o.count(", id:") for _, o in pairs)

    def author_list(self, slugs: list[str]) -> str:
        self.triples += 2 * len(slugs)  # rdf:first and rdf:rest per cell
        return "( " + " ".join(f"id:{s}" for s in slugs) + " )"

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


def fixed_entities(w: Writer, units: int) -> None:
    """The primary source, the decomposition and the approaches."""
    w.entity(
        "sources",
        "synthetic-essay",
        "schema:CreativeWork",
        [
            ("dcterms:title", lit("Synthetic essay")),
            ("kb:workType", lit("forum-post")),
            ("kb:primarySource", "true"),
            ("kb:unidentified", "false"),
        ],
    )
    for number, part in enumerate(PARTS, start=1):
        w.entity(
            "decomposition",
            part,
            "kb:DecompositionPart",
            [
                ("rdfs:label", lit(f"Step {number}")),
                ("kb:stepNumber", lit(str(number))),
                ("dcterms:description", lit(f"Synthetic step {number}.")),
            ],
        )
    for index, approach in enumerate(APPROACHES + EXTRA_APPROACHES):
        endorsers = [f"researcher-{(index * 7 + k) % max(units // 2, 1)}" for k in range(3)]
        w.entity(
            "approaches",
            approach,
            "kb:Approach",
            [
                ("rdfs:label", lit(approach.replace("-", " "))),
                ("dcterms:description", lit(f"Synthetic description of {approach}.")),
                ("kb:endorsedBy", f"id:{endorsers[0]}"),
                ("kb:similarDefinitionBy", f"id:{endorsers[1]}, id:{endorsers[2]}"),
                ("kb:requiresMesaOptimizer", boolean(index != 1)),
                ("kb:countsAsInner", "id:step-2"),
                ("kb:countsAsOuter", "id:step-1"),
                (
                    "kb:includesDefinition",
                    ", ".join(f"id:definition-{index + 5 * k}" for k in range(3)),
                ),
            ],
        )


def unit(w: Writer, rng: random.Random, i: int, units: int) -> None:
    """One term, definition, source, quote and scenario, plus some researchers, verdicts and
    arguments: every reference points at an entity some unit writes."""
    researchers = max(units // 2, 1)
    if i < researchers:
        w.entity(
            "researchers",
            f"researcher-{i}",
            "foaf:Person",
            [("foaf:name", lit(f"Researcher {i}"))],
        )
    authors = [f"researcher-{(i + k) % researchers}" for k in range(2)]
    pairs = [("skos:prefLabel", lit(f"term {i}")), ("skos:altLabel", lit(words(rng, 2)))]
    if i >= 10:
        pairs.append(("skos:broader", f"id:term-{i // 10}"))
    w.entity("terms", f"term-{i}", "skos:Concept", pairs)
    source_pairs = [
        ("dcterms:title", lit(f"Work {i}: {words(rng, 4)}")),
        ("kb:workType", lit(WORK_TYPES[i % len(WORK_TYPES)])),
        ("bibo:authorList", w.author_list(authors)),
        ("dcterms:issued", lit(f"{2015 + i % 8}-0{1 + i % 9}-1{i % 10}") + "^^xsd:date"),
        ("dcterms:publisher", lit("AI Alignment Forum")),
        ("kb:unidentified", "false"),
        ("kb:primarySource", "false"),
    ]
    if i % 7 == 0:
        source_pairs.append(("kb:unverifiedField", lit("date")))
    w.entity("sources", f"source-{i}", "schema:CreativeWork", source_pairs)
    w.entity(
        "quotes",
        f"quote-{i}",
        "schema:Quotation",
        [
            ("schema:text", lit(words(rng, 12))),
            ("dcterms:source", f"id:source-{i}"),
            ("schema:creator", f"id:{authors[0]}"),
        ],
    )
    w.entity(
        "definitions",
        f"definition-{i}",
        "kb:Definition",
        [
            ("rdfs:label", lit(f"Definition {i}")),
            ("kb:defines", f"id:term-{i if i % 3 else i // 3}"),
            ("dcterms:creator", ", ".join(f"id:{a}" for a in authors)),
            ("dcterms:source", f"id:source-{i}"),
            ("kb:quote", f"id:quote-{i}"),
            ("kb:paraphrase", lit(words(rng, 10))),
        ],
    )
    facts = random_facts(rng)
    w.entity(
        "scenarios",
        f"scenario-{i}",
        "kb:Scenario",
        [
            ("rdfs:label", lit(f"Scenario {i}")),
            ("dcterms:description", lit(words(rng, 15))),
            ("dcterms:source", "id:synthetic-essay"),
            ("kb:evidence", f"id:quote-{i}"),
            ("kb:mesaOptimizer", boolean(facts.mesa_optimizer)),
            ("kb:objective", lit(facts.objective)),
            ("kb:proxyDivergesInTraining", boolean(facts.proxy_diverges_in_training)),
            ("kb:proxyDivergesInDeployment", boolean(facts.proxy_diverges_in_deployment)),
            ("kb:trainingConverged", boolean(facts.training_converged)),
            ("kb:capabilitiesGeneralize", boolean(facts.capabilities_generalize)),
        ],
    )
    if i % 2 == 0:  # the essay "states" one verdict for half the scenarios
        approach = APPROACHES[i % len(APPROACHES)]
        verdict = RULES[approach](facts)
        w.entity(
            "verdicts",
            f"verdict-scenario-{i}-{approach}",
            "kb:Verdict",
            [
                ("kb:scenario", f"id:scenario-{i}"),
                ("kb:approach", f"id:{approach}"),
                ("kb:verdictValue", lit(verdict.value)),
                ("kb:hedged", boolean(verdict.hedged)),
                ("kb:implied", "false"),
                ("kb:inOwnWords", "false"),
                ("kb:rationale", lit(verdict.rationale)),
                ("kb:evidence", f"id:quote-{i}"),
                ("prov:wasAttributedTo", f"id:{authors[0]}"),
            ],
        )
    if i % 5 == 0:
        stance = "kb:supports" if i % 10 else "kb:opposes"
        w.entity(
            "arguments",
            f"argument-{i}",
            "kb:Argument",
            [
                ("rdfs:label", lit(f"Argument {i}")),
                ("dcterms:description", lit(words(rng, 12))),
                ("dcterms:creator", f"id:{authors[1]}"),
                (stance, f"id:{APPROACHES[i % len(APPROACHES)]}"),
                ("dcterms:source", f"id:source-{i}"),
            ],
        )


def random_facts(rng: random.Random) -> ScenarioFacts:
    """Facts no approach's assumptions rule out (no proxy diverging in converged training)."""
    objectives: tuple[ObjectiveKind, ...] = ("base", "proxy")
    objective = rng.choice(objectives)
    in_training = objective == "proxy" and rng.random() < 0.3
    return ScenarioFacts(
        mesa_optimizer=rng.random() < 0.8,
        objective=objective,
        proxy_diverges_in_training=in_training,
        proxy_diverges_in_deployment=objective == "proxy" and (in_training or rng.random() < 0.6),
        training_converged=not in_training,
        capabilities_generalize=rng.random() < 0.8,
    )


def report(done: int, total: int, started: float) -> None:
    if not sys.stderr.isatty():
        return
    elapsed = time.monotonic() - started
    rate = done / elapsed if elapsed else 0.0
    eta = (total - done) / rate if rate else 0.0
    sys.stderr.write(
        f"\r  {done:>9,} / {total:,} units ({100 * done / total:5.1f}%)  "
        f"{elapsed:6.1f}s elapsed, ~{eta:5.1f}s left"
    )
    sys.stderr.flush()


def generate(folder: Path, triples: int, seed: int = 1) -> int:
    """Write the KB into ``folder``; the exact number of triples written."""
    units = max(triples // TRIPLES_PER_UNIT, 20)
    rng = random.Random(seed)
    writer = Writer(folder)
    started = time.monotonic()
    try:
        fixed_entities(writer, units)
        step = max(units // 200, 1)
        for i in range(units):
            unit(writer, rng, i, units)
            if i % step == 0 or i == units - 1:
                report(i + 1, units, started)
    finally:
        writer.close()
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    return writer.triples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the Turtle files into")
    parser.add_argument(
        "--triples", type=int, default=10_000, help="approximate size (default 10000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.glob("*.ttl")):
        parser.error(f"{args.out} already holds Turtle files; choose an empty folder")
    count = generate(args.out, args.triples, args.seed)
    print(f"wrote {count:,} triples to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
