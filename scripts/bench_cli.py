"""Cold-start benchmark of the query path: ``kb verdicts example-3 --format json``.

    python scripts/bench_cli.py [--runs 21] [--scenario example-3] [--format json|table]

``--format table`` times what a person sees on a terminal (80 columns, with the labels,
evidence counts and rationales) against the same baseline.

Runs, alternately and each as a fresh process, the command line and a minimal script that
loads the same Turtle files into pyoxigraph and runs an equivalent SPARQL query (the
stated verdicts of the scenario, printed as JSON), then prints the machine, min, median and
max of each, and the run-by-run ratio (each pair measured back to back, so under the same
load). Target: a median ratio of at most 3.

Wall time is what a user waits, but on a busy machine one pair can be slowed by another
process and its ratio says little. So each run's CPU time (user plus system, from the
child's own rusage) is printed too, with its ratio: the work done, which a neighbour's load
barely moves.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bench_common import machine, ratios, spread

ROOT = Path(__file__).resolve().parent.parent

BASELINE = r"""
import json, sys
from pathlib import Path
import pyoxigraph as ox
store = ox.Store()
for path in sorted(Path(sys.argv[1]).glob("*.ttl")):
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
query = '''
PREFIX kb: <https://w3id.org/inner-alignment-kb/vocab#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?scenario ?approach ?verdict ?hedged ?rationale ?source WHERE {
  ?v a kb:Verdict ; kb:scenario ?scenario ; kb:approach ?approach ; kb:verdictValue ?verdict ;
     kb:hedged ?hedged ; kb:rationale ?rationale .
  OPTIONAL { ?v kb:evidence/dcterms:source ?source }
} ORDER BY ?approach
'''
scenario = ox.NamedNode("https://w3id.org/inner-alignment-kb/id/" + sys.argv[2])
rows = [
    {name: (s[name].value if s[name] is not None else None) for name in
     ("approach", "verdict", "hedged", "rationale", "source")}
    for s in store.query(query, substitutions={ox.Variable("scenario"): scenario})
]
print(json.dumps(rows, indent=2))
"""


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one fresh process, reaped by
    ``os.wait4`` so that the rusage read is that child's own."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode})")
    return wall, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each (default 21)")
    parser.add_argument("--scenario", default="example-3")
    parser.add_argument("--format", choices=("json", "table"), default="json")
    args = parser.parse_args(argv)
    data = ROOT / "kb" / "data"
    cli = [sys.executable, "-m", "kb.cli", "verdicts", args.scenario, "--format", args.format]
    baseline = [sys.executable, "-c", BASELINE, str(data), args.scenario]
    timed(cli), timed(baseline)  # warm the OS file cache once
    cli_runs, base_runs = [], []
    for _ in range(args.runs):
        cli_runs.append(timed(cli))
        base_runs.append(timed(baseline))
    cli_times, cli_cpu = [wall for wall, _ in cli_runs], [cpu for _, cpu in cli_runs]
    base_times, base_cpu = [wall for wall, _ in base_runs], [cpu for _, cpu in base_runs]
    print(machine())
    print(f"runs: {args.runs} each, alternating, cold processes")
    print(f"kb verdicts {args.scenario} --format {args.format}: {spread(cli_times, 1000, ' ms')}")
    print(f"minimal pyoxigraph script (baseline):  {spread(base_times, 1000, ' ms')}")
    print(f"ratio: {spread(ratios(cli_times, base_times), digits=2)} (target: median <= 3)")
    print(f"CPU time: {spread(cli_cpu, 1000, ' ms')} vs {spread(base_cpu, 1000, ' ms')}")
    print(f"CPU ratio: {spread(ratios(cli_cpu, base_cpu), digits=2)}")
    print(f"after the runs: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
