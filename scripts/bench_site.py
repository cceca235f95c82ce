"""Benchmark the site build: time, page count, site size and largest page.

    python scripts/bench_site.py [--entities 10000] [--runs 3] [--keep DIR] [--weight]

Builds the site of the bundled KB and of a synthetic KB of about ``--entities`` entities
(written by ``scripts/gen_synthetic.py``), each with ``kb site build`` (a strict mkdocs
build) ``--runs`` times, and prints the machine and one line of figures per KB: build time
as median (min, max), and the ratio to a baseline doing the rendering part of the same
work in the same run: plain mkdocs (same theme, extensions and pages, written out as
static Markdown beforehand) without the KB's loading, page generation and data files.
The build's own progress shows on stderr. Targets: under 2 minutes for 10,000 entities,
no page over 500 KB. With
``--weight``, also what a reader's browser transfers for a page of the bundled KB's site
and the home page's load time on slow 4G (``scripts/page_weight.py``; targets 150 KB, 1.5 s).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TypedDict

from bench_common import machine, ratios, spread

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


BASELINE = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config(sys.argv[1], docs_dir=sys.argv[2], site_dir=sys.argv[3], plugins=["search"],
                  strict=False))
"""


def static_pages(kb: Path | None, folder: Path) -> Path:
    """The site's sources plus every generated page, written out as plain Markdown."""
    sys.path.insert(0, str(ROOT))
    from kb.publish.site.build import generate
    from kb.publish.site.data import SiteData

    shutil.copytree(ROOT / "site" / "docs", folder)

    def write(path: str, content: str | bytes) -> None:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    intro = (folder / "index.md").read_text(encoding="utf-8")
    generate(write, SiteData.load([kb] if kb else None), intro)
    return folder


def timed(command: list[str], name: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
    if result.returncode != 0:
        raise SystemExit(f"{name} failed (exit {result.returncode})")
    return time.perf_counter() - started


class Measured(TypedDict):
    """One KB's builds: their times against the baseline's, and the built site's size."""

    kb: str
    seconds: str
    baseline_seconds: str
    ratio: str
    max_seconds: float
    pages: int
    files: int
    site_mb: float
    html_mb: float
    largest_page_kb: float
    largest_page: str
    search_index_mb: float


def measure(name: str, kb: Path | None, out: Path, runs: int) -> Measured:
    command = [sys.executable, "-m", "kb.cli", "site", "build", "--out", str(out)]
    if kb is not None:
        command += ["--kb", str(kb)]
    docs = static_pages(kb, out.with_name(out.name + "-static-docs"))
    baseline = [sys.executable, "-c", BASELINE, str(ROOT / "mkdocs.yml"), str(docs)]
    baseline.append(str(out.with_name(out.name + "-baseline")))
    times, base_times = [], []
    for run in range(runs):
        say(f"building the site of {name} ({run + 1}/{runs}), then the baseline")
        times.append(timed(command, f"site build of {name}"))
        base_times.append(timed(baseline, f"baseline mkdocs build of {name}"))
    pages = list(out.rglob("*.html"))
    files = [p for p in out.rglob("*") if p.is_file()]
    largest = max(pages, key=lambda p: p.stat().st_size)
    index = out / "search" / "search_index.json"
    return {
        "kb": name,
        "seconds": spread(times),
        "baseline_seconds": spread(base_times),
        "ratio": spread(ratios(times, base_times), digits=2),
        "max_seconds": round(max(times), 1),
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
    parser.add_argument("--runs", type=int, default=3, help="builds of each site")
    parser.add_argument(
        "--synthetic-only", action="store_true", help="skip the bundled KB (a quick smoke run)"
    )
    parser.add_argument("--keep", type=Path, help="build here and keep the output")
    parser.add_argument("--weight", action="store_true", help="measure page weight too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as temporary:
        work = args.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        kb = synthetic(work / "synthetic-kb", args.entities)
        rows = (
            []
            if args.synthetic_only
            else [measure("bundled KB", None, work / "site-bundled", args.runs)]
        )
        rows.append(measure(f"synthetic {args.entities}", kb, work / "site-synthetic", args.runs))
        if args.weight:
            sys.path.insert(0, str(ROOT / "scripts"))
            import page_weight

            weight_ok = page_weight.bench(work / "site-bundled")
    ok = weight_ok if args.weight else True
    print(machine())
    for row in rows:
        print("  ".join(f"{key}={value}" for key, value in row.items()))
        if row["largest_page_kb"] * 1024 > PAGE_LIMIT:
            print(f"  over the page limit of {PAGE_LIMIT // 1024} KB")
            ok = False
    if rows[-1]["max_seconds"] > TIME_LIMIT:
        print(f"  the synthetic build took over {TIME_LIMIT:.0f}s")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
