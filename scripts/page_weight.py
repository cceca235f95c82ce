"""Measure what a reader's browser downloads for one page of the built site, and how long
the page takes on a slow connection: headless Chromium, driven over the DevTools protocol.

    python scripts/page_weight.py SITE_URL [PATH ...] [--slow] [--runs 3]

Bytes are as transferred (compressed when the server compresses), from a cold cache. With
``--slow`` the connection is Lighthouse's "slow 4G" (150 ms round trip, 1.6 Mbit/s down,
750 kbit/s up). The page is "fully rendered" at its ``load`` event. The site's browser test
and ``scripts/bench_site.py --weight`` use these functions.
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

#: Headless Chromium as root with no network of its own (the machine notes' flags); the
#: browser tests start it the same way.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Lighthouse's slow 4G profile (the throughputs include its 0.9 packet-loss factor).
SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6e6 * 0.9 / 8,
    "uploadThroughput": 750e3 * 0.9 / 8,
}
#: The target for a page without a diagram, compressed, on first view.
PAGE_BUDGET = 150 * 1024
#: The target for the home page to be fully rendered on slow 4G.
SLOW_4G_BUDGET_MS = 1500


@dataclass
class Weight:
    url: str
    transferred: int = 0
    requests: int = 0
    load_ms: float = 0.0
    by_resource: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        heaviest = sorted(self.by_resource.items(), key=lambda kv: -kv[1])[:3]
        parts = ", ".join(
            f"{urlparse(u).path.rsplit('/', 1)[-1] or '/'} {b // 1024} KB" for u, b in heaviest
        )
        return (
            f"{urlparse(self.url).path}: {self.transferred / 1024:.1f} KB in {self.requests} "
            f"requests, load at {self.load_ms:.0f} ms (heaviest: {parts})"
        )


def measure(browser: Any, url: str, slow: bool = False) -> Weight:
    """Open ``url`` in a fresh context (cold cache) and add up what was transferred."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if slow:
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    try:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        load = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    finally:
        context.close()
    weight = Weight(url, load_ms=float(load))
    for request, size in sizes.items():
        target = urls.get(request, request)
        weight.by_resource[target] = weight.by_resource.get(target, 0) + size
    weight.transferred = sum(sizes.values())
    weight.requests = len(sizes)
    return weight


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)


@contextmanager
def served(site: Path) -> Iterator[str]:
    """``kb serve --site SITE`` on a free loopback port (it compresses and sets cache
    headers, as a reader's server would); yields its base URL."""
    command = [sys.executable, "-m", "kb.cli", "serve", "--site", str(site), "--port", "0"]
    process = subprocess.Popen([*command, "--quiet"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        found = re.search(r"http://[^\s/]+", process.stdout.readline())
        if found is None:
            raise SystemExit("kb serve did not start")
        yield found.group(0)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)


def bench(site: Path, runs: int = 3) -> bool:
    """Print the transfer and the slow-4G load time of the home page and a scenario page
    (min/median/max over ``runs``); true when both targets are met."""
    from playwright.sync_api import sync_playwright

    ok = True
    with served(site) as server, sync_playwright() as p:
        browser = launch(p)
        for path in ("", "scenario/example-3/"):
            fast = measure(browser, f"{server}/{path}")
            slow = [measure(browser, f"{server}/{path}", slow=True).load_ms for _ in range(runs)]
            print(fast.line())
            print(
                f"  slow 4G load ms min/median/max {min(slow):.0f}/"
                f"{statistics.median(slow):.0f}/{max(slow):.0f} over {runs} runs "
                f"(target: home under {SLOW_4G_BUDGET_MS} ms; {PAGE_BUDGET // 1024} KB a page)"
            )
            ok = ok and fast.transferred <= PAGE_BUDGET
            if path == "":
                ok = ok and statistics.median(slow) <= SLOW_4G_BUDGET_MS
        browser.close()
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", help="the site's base URL, e.g. http://127.0.0.1:8000/")
    parser.add_argument("paths", nargs="*", default=[""], help="pages to measure")
    parser.add_argument("--slow", action="store_true", help="emulate slow 4G")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        for path in args.paths:
            runs = [measure(browser, urljoin(args.site, path), args.slow) for _ in range(args.runs)]
            loads = [r.load_ms for r in runs]
            print(runs[-1].line())
            print(
                f"  load ms min/median/max {min(loads):.0f}/{statistics.median(loads):.0f}/"
                f"{max(loads):.0f} over {args.runs} runs" + (" on slow 4G" if args.slow else "")
            )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
