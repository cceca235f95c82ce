"""Scale benchmark: validate time, load time, peak memory and per-question latency by KB size.

    python scripts/bench_scale.py [--sizes 10000 100000 1000000] [--runs 7] [--workdir DIR]

For each size, a synthetic KB is generated (scripts/gen_synthetic.py, reused when the
folder already exists), then two fresh processes are measured, so that one size's memory
does not leak into the next:

* ``kb validate DIR``: wall time and peak resident memory (``os.wait4`` rusage);
* a query process: time to load the KB for querying (Turtle into pyoxigraph plus the
  derived verdicts), its peak resident memory, and the median latency of every named
  question over ``--runs`` runs, parameters bound as ``kb ask`` binds them.

Targets (issue 3): validate and load under 60 s at 1M triples, each question under
100 ms once loaded. Growth columns give the ratio to the previous size.
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


def child_main(folder: Path, runs: int) -> None:
    """In a fresh process: load the KB for querying, then time every named question."""
    started = time.perf_counter()
    from kb import engine
    from kb.questions import registry

    backend = engine.LocalBackend([folder])
    load_seconds = time.perf_counter() - started
    triples = len(backend.store)
    latencies: dict[str, dict[str, object]] = {}
    for name, found in registry().items():
        params = pick_params(backend, found)
        rows = engine.run_question(backend, name, params)  # warm-up, and the row count
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            engine.run_question(backend, name, params)
            times.append(time.perf_counter() - t0)
        latencies[name] = {
            "ms": 1000 * statistics.median(times),
            "rows": len(rows),
            "params": params,
        }
    print(json.dumps({"load": load_seconds, "triples": triples, "questions": latencies}))


def pick_params(backend: object, found: object) -> dict[str, str]:
    """The question's example where its ids exist in this KB, else a mid-list id of the class."""
    from kb.engine import ids_of_type, is_of_type
    from kb.vocab import iri

    params: dict[str, str] = {}
    for parameter in found.parameters:  # type: ignore[attr-defined]
        value = found.example.get(parameter.name)  # type: ignore[attr-defined]
        if parameter.type_iri is None:
            if value is not None:
                params[parameter.name] = value
            continue
        import pyoxigraph as ox

        if value is not None and is_of_type(backend, ox.NamedNode(iri(value)), parameter.type_iri):
            params[parameter.name] = value
        elif value is not None or not parameter.optional:
            ids = ids_of_type(backend, parameter.type_iri)
            params[parameter.name] = ids[len(ids) // 2]
    return params


def growth(values: list[float]) -> list[str]:
    return [
        "" if i == 0 or not values[i - 1] else f"x{v / values[i - 1]:.1f}"
        for i, v in enumerate(values)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=7, help="runs per question (median)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "kb-bench-scale",
        help="where synthetic KBs are generated (reused if present)",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child, args.runs)
        return 0

    from gen_synthetic import generate  # scripts/ is on sys.path when run as a script

    results = []
    for size in args.sizes:
        folder = args.workdir / f"kb-{size}"
        if not any(folder.glob("*.ttl")):
            print(f"generating {size:,} triples in {folder} ...", file=sys.stderr)
            generate(folder, size)
        validate_s, validate_mb, _ = peak_of(
            [sys.executable, "-m", "kb.cli", "validate", str(folder)]
        )
        _, query_mb, out = peak_of(
            [sys.executable, __file__, "--child", str(folder), "--runs", str(args.runs)]
        )
        data = json.loads(out)
        results.append((size, validate_s, validate_mb, data["load"], query_mb, data))
        print(
            f"{size:>9,}: {data['triples']:,} triples in store; validate {validate_s:.2f}s "
            f"({validate_mb:.0f} MiB), load {data['load']:.2f}s ({query_mb:.0f} MiB)",
            file=sys.stderr,
        )

    print("\n## Load and memory\n")
    print(
        "| size | store triples | validate s | growth | validate MiB | load s | growth "
        "| query-process MiB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    validate_growth = growth([r[1] for r in results])
    load_growth = growth([r[3] for r in results])
    for i, (size, vs, vmb, ls, qmb, data) in enumerate(results):
        print(
            f"| {size:,} | {data['triples']:,} | {vs:.2f} | {validate_growth[i]} | {vmb:.0f} "
            f"| {ls:.2f} | {load_growth[i]} | {qmb:.0f} |"
        )

    names = list(results[0][5]["questions"])
    print("\n## Median latency per named question (ms; rows returned)\n")
    print("| question | " + " | ".join(f"{r[0]:,}" for r in results) + " | growth |")
    print("|---|" + "---|" * len(results) + "---|")
    slow = []
    for name in names:
        ms = [r[5]["questions"][name]["ms"] for r in results]
        rows = [r[5]["questions"][name]["rows"] for r in results]
        cells = " | ".join(f"{m:.1f} ({n})" for m, n in zip(ms, rows, strict=True))
        print(f"| {name} | {cells} | {' '.join(g for g in growth(ms) if g)} |")
        if ms[-1] >= 100:
            slow.append(name)
    biggest = results[-1]
    print(
        f"\nAt {biggest[0]:,}: validate {biggest[1]:.1f}s, load {biggest[3]:.1f}s "
        f"(target < 60 s); questions over 100 ms: {', '.join(slow) or 'none'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
