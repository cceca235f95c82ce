"""Benchmark the site build: time, page count, site size and largest page.

    python scripts/bench_site.py [--entities 10000] [--keep DIR] [--weight]

Builds the site of the bundled KB and of a synthetic KB of about ``--entities`` entities
(written by ``scripts/gen_synthetic.py``), each with ``kb site build`` (a strict mkdocs
build), and prints one line of figures per KB. The build's own progress shows on stderr.
Targets (issue 4): under 2 minutes for 10,000 entities, no page over 500 KB. With
``--weight``, also what a reader's browser transfers for a page of the bundled KB's site
and the home page's load time on slow 4G (``scripts/page_weight.py``; targets 150 KB, 1.5 s).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIPLES_PER_ENTITY = 7.6  # of gen_synthetic.py's output, measured
PAGE_LIMIT = 500 * 1024
TIME_LIMIT = 120.0


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def synthetic(folder: Path, entities: int) -> Path:
    generator = ROOT / "scripts" / "gen_synthetic.py"
    if not generator.is_file():
        raise SystemExit(f"{generator} is missing (it comes with the query layer)")
    triples = int(entities * TRIPLES_PER_ENTITY)
    say(f"writing a synthetic KB of about {entities} entities ({triples} triples)")
    subprocess.run(
        [sys.executable, str(generator), str(folder), "--triples", str(triples)], check=True
    )
    return folder


def measure(name: str, kb: Path | None, out: Path) -> dict[str, object]:
    command = [sys.executable, "-m", "kb.cli", "site", "build", "--out", str(out)]
    if kb is not None:
        command += ["--kb", str(kb)]
    say(f"building the site of {name}")
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"site build of {name} failed (exit {result.returncode})")
    pages = list(out.rglob("*.html"))
    files = [p for p in out.rglob("*") if p.is_file()]
    largest = max(pages, key=lambda p: p.stat().st_size)
    index = out / "search" / "search_index.json"
    return {
        "kb": name,
        "seconds": round(seconds, 1),
        "pages": len(pages),
        "files": len(files),
        "site_mb": round(sum(p.stat().st_size for p in files) / 2**20, 1),
        "html_mb": round(sum(p.stat().st_size for p in pages) / 2**20, 1),
        "largest_page_kb": round(largest.stat().st_size / 1024, 1),
        "largest_page": str(largest.relative_to(out)),
        "search_index_mb": round(index.stat().st_size / 2**20, 1) if index.is_file() else 0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="build here and keep the output")
    parser.add_argument("--weight", action="store_true", help="measure page weight too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as temporary:
        work = args.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        kb = synthetic(work / "synthetic-kb", args.entities)
        rows = [
            measure("bundled KB", None, work / "site-bundled"),
            measure(f"synthetic {args.entities}", kb, work / "site-synthetic"),
        ]
        if args.weight:
            sys.path.insert(0, str(ROOT / "scripts"))
            import page_weight

            weight_ok = page_weight.bench(work / "site-bundled")
    ok = weight_ok if args.weight else True
    for row in rows:
        print("  ".join(f"{key}={value}" for key, value in row.items()))
        if row["largest_page_kb"] * 1024 > PAGE_LIMIT:
            print(f"  over the page limit of {PAGE_LIMIT // 1024} KB")
            ok = False
    if rows[-1]["seconds"] > TIME_LIMIT:
        print(f"  the synthetic build took over {TIME_LIMIT:.0f}s")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
