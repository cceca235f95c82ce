"""Scale benchmark: validate time, load time, peak memory and per-question latency by KB size.

    python scripts/bench_scale.py [--sizes 10000 100000 1000000] [--repeat 3] [--runs 7]
                                  [--workdir DIR]

For each size, a synthetic KB is generated (scripts/gen_synthetic.py, reused when the
folder already exists), then fresh processes are measured, so that one size's memory does
not leak into the next, each ``--repeat`` times (min, median, max):

* ``kb validate DIR``: wall time and peak resident memory (``os.wait4`` rusage);
* loading for querying (Turtle into pyoxigraph plus the derived verdicts), against a
  baseline that bulk-loads the same files into a bare pyoxigraph store, alternately;
* every named question, bound as ``kb ask`` binds it, with arguments chosen so that it
  returns at least one row (a question with no such arguments is listed, not timed),
  ``--runs`` times, against the same query text run straight on the store (no argument
  checks, no row conversion).

Targets: validate and load under 60 s at 1M triples, each question under 100 ms once
loaded. Growth columns give the ratio to the previous size.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_common import machine, ratios, spread

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_of(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout of one child, reaped by ``os.wait4`` so that
    the rusage read is that child's own."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({child.returncode}): {err.read()}")
        return elapsed, usage.ru_maxrss / 1024, out.read()


def baseline_main(folder: Path) -> None:
    """In a fresh process: the same Turtle files bulk-loaded into a bare pyoxigraph store."""
    started = time.perf_counter()
    import pyoxigraph as ox

    store = ox.Store()
    for path in sorted(folder.glob("*.ttl")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    print(json.dumps({"load": time.perf_counter() - started, "triples": len(store)}))


def child_main(folder: Path, runs: int, questions: bool) -> None:
    """In a fresh process: load the KB for querying, then (``questions``) time each question."""
    started = time.perf_counter()
    from kb.query import engine
    from kb.query.questions import registry

    backend = engine.LocalBackend([folder])
    load_seconds = time.perf_counter() - started
    result: dict[str, Any] = {"load": load_seconds, "triples": len(backend.store)}
    if questions:
        result["questions"] = {
            name: time_question(backend, found, runs) for name, found in registry().items()
        }
    print(json.dumps(result))


def time_question(backend: Any, found: Any, runs: int) -> dict[str, Any]:
    """The question's latency through the engine and as raw SPARQL on the store, alternately."""
    from kb.query import engine

    params = pick_params(backend, found)
    if params is None:
        return {"rows": 0}
    rows = engine.run_question(backend, found.name, params)  # warm-up, and the row count
    raw = found.bound_query(engine.bound_terms(backend, found, params))
    times, raw_times = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        engine.run_question(backend, found.name, params)
        t1 = time.perf_counter()
        list(backend.store.query(raw))
        raw_times.append(time.perf_counter() - t1)
        times.append(t1 - t0)
    return {"rows": len(rows), "params": params, "times": times, "raw": raw_times}


def pick_params(backend: Any, found: Any) -> dict[str, str] | None:
    """Arguments for which the question returns at least one row: its example where its ids
    exist in this KB, else ids of the right class tried in turn; None if none is found."""
    import pyoxigraph as ox

    from kb.model.vocab import iri
    from kb.query import engine

    base: dict[str, str] = {}
    choices: dict[str, list[str]] = {}
    for parameter in found.parameters:
        value = found.example.get(parameter.name)
        if parameter.type_iri is None:
            if value is not None:
                base[parameter.name] = value
            continue
        if value is None and parameter.optional:
            continue
        ids = engine.ids_of_type(backend, parameter.type_iri)
        example_exists = value is not None and engine.is_of_type(
            backend, ox.NamedNode(iri(value)), parameter.type_iri
        )
        step = max(1, len(ids) // 12)
        choices[parameter.name] = ([value] if example_exists else []) + ids[::step][:12]
        if not choices[parameter.name]:
            return None
        base[parameter.name] = choices[parameter.name][0]
    if engine.run_question(backend, found.name, base):
        return base
    for name, values in choices.items():  # vary one parameter at a time
        for value in values[1:]:
            trial = {**base, name: value}
            if engine.run_question(backend, found.name, trial):
                return trial
    return None


def growth(values: list[float]) -> list[str]:
    return [
        "" if i == 0 or not values[i - 1] else f"x{v / values[i - 1]:.1f}"
        for i, v in enumerate(values)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="validations and loads per size")
    parser.add_argument("--runs", type=int, default=7, help="runs per question")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "kb-bench-scale",
        help="where synthetic KBs are generated (reused if present)",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--questions", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child, args.runs, args.questions)
        return 0
    if args.baseline:
        baseline_main(args.baseline)
        return 0

    from gen_synthetic import generate  # scripts/ is on sys.path when run as a script

    print(machine())
    results = []
    for size in args.sizes:
        folder = args.workdir / f"kb-{size}"
        if not any(folder.glob("*.ttl")):
            print(f"generating {size:,} triples in {folder} ...", file=sys.stderr)
            generate(folder, size)
        result: dict[str, Any] = {"size": size, "validate": [], "validate_mb": [], "load": []}
        result |= {"load_mb": [], "baseline": [], "baseline_mb": []}
        child = [sys.executable, __file__, "--runs", str(args.runs)]
        for attempt in range(args.repeat):
            seconds, mb, _ = peak_of([sys.executable, "-m", "kb.cli", "validate", str(folder)])
            result["validate"].append(seconds)
            result["validate_mb"].append(mb)
            extra = ["--questions"] if attempt == 0 else []
            _, mb, out = peak_of([*child, "--child", str(folder), *extra])
            data = json.loads(out)
            result["load"].append(data["load"])
            result["load_mb"].append(mb)
            result["triples"] = data["triples"]
            result.setdefault("questions", data.get("questions"))
            _, mb, out = peak_of([*child, "--baseline", str(folder)])
            result["baseline"].append(json.loads(out)["load"])
            result["baseline_mb"].append(mb)
        results.append(result)
        print(
            f"{size:>9,}: {result['triples']:,} triples in store; validate "
            f"{spread(result['validate'], unit=' s', digits=2)}, load "
            f"{spread(result['load'], unit=' s', digits=2)}",
            file=sys.stderr,
        )
    report(results, args)
    print(f"after the runs: {machine()}")
    return 0


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(f"\n## Load and memory (median, min and max of {args.repeat} fresh processes)\n")
    print(
        "| size | store triples | validate s | validate MiB | load s | growth | load MiB "
        "| baseline load s | load / baseline |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    load_growth = growth([statistics.median(r["load"]) for r in results])
    for i, r in enumerate(results):
        print(
            f"| {r['size']:,} | {r['triples']:,} | {spread(r['validate'], digits=2)} "
            f"| {max(r['validate_mb']):.0f} | {spread(r['load'], digits=2)} | {load_growth[i]} "
            f"| {max(r['load_mb']):.0f} | {spread(r['baseline'], digits=2)} "
            f"| {spread(ratios(r['load'], r['baseline']), digits=2)} |"
        )

    names = list(results[0]["questions"])
    print(
        f"\n## Latency per named question, ms: median (min, max) of {args.runs} runs; rows "
        "returned; ratio to the same SPARQL run straight on the store\n"
    )
    print("| question | " + " | ".join(f"{r['size']:,}" for r in results) + " |")
    print("|---|" + "---|" * len(results))
    slow, empty = [], []
    for name in names:
        cells = []
        for r in results:
            q = r["questions"][name]
            if not q["rows"]:
                cells.append("no row for any argument tried")
                empty.append(f"{name} at {r['size']:,}")
                continue
            ratio = statistics.median(ratios(q["times"], q["raw"]))
            cells.append(f"{spread(q['times'], 1000)}; {q['rows']} rows; x{ratio:.2f}")
        print(f"| {name} | {' | '.join(cells)} |")
        last = results[-1]["questions"][name]
        if last["rows"] and statistics.median(last["times"]) >= 0.1:
            slow.append(name)
    biggest = results[-1]
    print(
        f"\nAt {biggest['size']:,}: validate {statistics.median(biggest['validate']):.1f}s, "
        f"load {statistics.median(biggest['load']):.1f}s (target < 60 s); questions over 100 ms: "
        f"{', '.join(slow) or 'none'}; not timed (no row): {', '.join(empty) or 'none'}"
    )


if __name__ == "__main__":
    sys.exit(main())
