"""``kb site build`` and ``kb site serve``: the published site, built from the KB alone.

``kb site build`` runs ``mkdocs build --strict`` with the repository's ``mkdocs.yml``; the
KB to build from reaches the gen-files script through ``$KB_PATH``. The KB is checked first,
so a bad KB is reported as a list of problems (exit 1) and a missing path as a usage error
(exit 2) before mkdocs runs, leaving an existing output folder as it was.

The output folder is the user's: the site is built into a fresh folder beside it, and only
a successful build replaces it. A folder is replaced only when it is empty or holds a
previous build (marked by :data:`MARKER`), and never when it holds the KB or the project.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from kb.cli import kb_option
from kb.model.errors import UsageError
from kb.publish.project import site_sources
from kb.rdf.paths import KB_PATH_VARIABLE, KB_VALIDATED_VARIABLE

ROOT = site_sources()
CONFIG = ROOT / "mkdocs.yml"
DEFAULT_OUT = Path("site-build")  # in the current folder, never inside an installed package
#: The file that marks a folder as a site ``kb site build`` made (so it may replace it).
MARKER = ".kb-site-build"


def site_environment(kb_paths: list[str] | None, validated: bool = False) -> dict[str, str]:
    """The environment for mkdocs: ``KB_PATH`` set (or cleared) and the banners silenced.

    ``KB_PATH`` names ``kb_paths`` when given; otherwise it is removed, so an exported
    ``KB_PATH`` never changes what ``kb site`` builds: without ``--kb``, the bundled KB.
    ``validated`` tells the page generator the KB was just validated (a one-off build);
    a live-reloading preview validates on each rebuild.
    """
    env = dict(os.environ)
    env.pop(KB_VALIDATED_VARIABLE, None)
    if validated:
        env[KB_VALIDATED_VARIABLE] = "1"
    if kb_paths:
        env[KB_PATH_VARIABLE] = os.pathsep.join(str(Path(p).resolve()) for p in kb_paths)
    else:
        env.pop(KB_PATH_VARIABLE, None)
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    env.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    # mkdocs-gen-files stages every generated page in a temporary folder; in memory, a
    # large KB's thousands of small files are written and removed much faster.
    if "TMPDIR" not in env and Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK):
        env["TMPDIR"] = "/dev/shm"
    return env


def mkdocs_command(
    verb: str, out: str | Path | None = None, extra: list[str] | None = None
) -> list[str]:
    if not CONFIG.is_file():
        raise UsageError(f"{CONFIG}: not found; reinstall inner-alignment-kb or use a checkout")
    command = [sys.executable, "-m", "mkdocs", verb, "-f", str(CONFIG)]
    if verb == "build":
        command += ["--strict", "-d", str(Path(out or DEFAULT_OUT).resolve())]
    return command + (extra or [])


def check_kb(kb_paths: list[str] | None) -> None:
    """Load the KB before mkdocs runs (and cleans its output folder).

    Raises :class:`kb.model.errors.InvalidKB` with every problem, or
    :class:`kb.model.errors.UsageError` for a path that names nothing to read; the command
    line prints either without a traceback.
    """
    from kb.query.validate import validated

    validated(kb_paths or None)


def check_out(out: Path, kb_paths: list[str] | None) -> None:
    """Refuse an output folder that a build would wrongly replace (a usage error)."""
    from kb.rdf.paths import DATA_DIR

    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a folder")
    held = [(ROOT, "the project"), (DATA_DIR.resolve(), "the bundled KB")]
    held += [(Path(p).resolve(), f"the KB being built ({p})") for p in kb_paths or []]
    for path, what in held:
        if path == out or out in path.parents:
            raise UsageError(f"--out {out}: it holds {what}; kb site build never replaces it")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UsageError(
            f"--out {out}: the folder is not empty and is not a site kb built (no {MARKER} "
            "in it); kb site build replaces only such folders: choose a new or empty one"
        )


def build(kb_paths: list[str] | None = None, out: str | None = None) -> int:
    """Check the KB and the output folder, build the site beside it, and put it in place
    only if the strict build passed; return mkdocs' exit code (0: it passed)."""
    target = Path(out or DEFAULT_OUT).resolve()
    mkdocs_command("build", target)  # a usage error here when mkdocs.yml is missing
    check_out(target, kb_paths)
    check_kb(kb_paths)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.building-"))
    try:
        code = subprocess.call(
            mkdocs_command("build", staging),
            env=site_environment(kb_paths, validated=True),
            cwd=ROOT,
        )
        if code == 0:
            (staging / MARKER).write_text(
                "Built by `kb site build`, which replaces this folder on the next build.\n",
                encoding="utf-8",
            )
            _replace(target, staging)
        return code
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace(target: Path, staging: Path) -> None:
    """Put the new build at ``target``; the old one (checked by :func:`check_out`) goes."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
        os.replace(target, old / "site")
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def cmd_site_build(args: argparse.Namespace) -> int:
    code = build(args.kb, args.out)
    if code == 0:
        out = Path(args.out or DEFAULT_OUT).resolve()
        print(f"site built in {out}; serve it with `kb serve --site {out}`")
        return 0
    print("kb: site build failed (see the messages above)", file=sys.stderr)
    return 1


def cmd_site_serve(args: argparse.Namespace) -> int:
    command = mkdocs_command("serve", extra=["-a", f"127.0.0.1:{args.port}"])
    check_kb(args.kb)
    return subprocess.call(command, env=site_environment(args.kb), cwd=ROOT)


def register(sub: Any) -> None:
    site = sub.add_parser(
        "site",
        help="Build or preview the static site.",
        description="Build or preview the static site.",
    )
    site.set_defaults(handler=lambda a: 2)
    ssub = site.add_subparsers(dest="site_command", metavar="COMMAND", required=True)
    p = ssub.add_parser(
        "build",
        help="Build the static site (mkdocs build --strict) into site-build/.",
        description="Build the static site (mkdocs build --strict) into site-build/.",
    )
    kb_option(p, "build from")
    p.add_argument("--out", metavar="DIR", help="output folder (default: site-build/)")
    p.set_defaults(handler=cmd_site_build)
    p = ssub.add_parser(
        "serve",
        help="Preview the site with live reload on 127.0.0.1.",
        description="Preview the site with live reload on 127.0.0.1.",
    )
    kb_option(p, "build from")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(handler=cmd_site_serve)
