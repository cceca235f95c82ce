"""``kb site build`` and ``kb site serve``: the published site, built from the KB alone.

``kb site build`` opens and validates the KB once, then runs mkdocs' strict build in this
process with the repository's ``mkdocs.yml``, handing the loaded KB to the site's plugin
(:mod:`kb.publish.site.plugin`). A bad KB is reported as a list of problems (exit 1) and a
missing path as a usage error (exit 2) before mkdocs starts. ``kb site serve`` runs
``mkdocs serve``, whose plugin reopens the KB (named by ``$KB_PATH``) on every rebuild.

The output folder is the user's: the site is built into a fresh folder beside it, and only
a successful build replaces it. A folder is replaced only when it is empty or holds a
previous build (marked by :data:`MARKER`), and never when it holds the KB or the project.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.cli import kb_option
from kb.model.errors import UsageError
from kb.publish.project import site_sources
from kb.publish.site import PLUGIN
from kb.rdf.paths import KB_PATH_VARIABLE

if TYPE_CHECKING:
    from kb.publish.site.data import SiteData

ROOT = site_sources()
CONFIG = ROOT / "mkdocs.yml"
DEFAULT_OUT = Path("site-build")  # in the current folder, never inside an installed package
#: The file that marks a folder as a site ``kb site build`` made (so it may replace it).
MARKER = ".kb-site-build"


def site_environment(kb_paths: list[str] | None) -> dict[str, str]:
    """The environment for ``mkdocs serve``: ``KB_PATH`` set (or cleared), the banner off.

    ``KB_PATH`` names ``kb_paths`` when given; otherwise it is removed, so an exported
    ``KB_PATH`` never changes what ``kb site`` builds: without ``--kb``, the bundled KB.
    """
    env = dict(os.environ)
    if kb_paths:
        env[KB_PATH_VARIABLE] = os.pathsep.join(str(Path(p).resolve()) for p in kb_paths)
    else:
        env.pop(KB_PATH_VARIABLE, None)
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    return env


def check_sources() -> None:
    """A usage error unless mkdocs.yml is there and mkdocs can find the site's plugin."""
    if not CONFIG.is_file():
        raise UsageError(f"{CONFIG}: not found; reinstall inner-alignment-kb or use a checkout")
    if find_spec("mkdocs") is None:
        raise UsageError("the site needs mkdocs: pip install 'inner-alignment-kb[site]'")
    if not entry_points(group="mkdocs.plugins", name=PLUGIN):
        raise UsageError(
            f"mkdocs cannot find the {PLUGIN} plugin: reinstall inner-alignment-kb "
            "(in a checkout, `bash scripts/bootstrap.sh site`)"
        )


def check_kb(kb_paths: list[str] | None) -> None:
    """Load the KB before ``mkdocs serve`` starts.

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
    """Check the output folder, open and validate the KB, build the site beside the output
    folder, and put it in place only if the strict build passed; return 0 if it did, else 1.

    Raises :class:`kb.model.errors.InvalidKB` or :class:`kb.model.errors.UsageError` before
    mkdocs runs.
    """
    from kb.publish.site import build as site

    target = Path(out or DEFAULT_OUT).resolve()
    check_sources()
    check_out(target, kb_paths)
    data = site.load(kb_paths)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.building-"))
    try:
        if not mkdocs_build(data, staging):
            return 1
        (staging / MARKER).write_text(
            "Built by `kb site build`, which replaces this folder on the next build.\n",
            encoding="utf-8",
        )
        _replace(target, staging)
        return 0
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def mkdocs_build(data: SiteData, site_dir: Path) -> bool:
    """``mkdocs build --strict`` into ``site_dir``, in this process, from the loaded ``data``;
    False when the build failed (mkdocs' messages on stderr say why)."""
    from mkdocs.commands.build import build as build_site
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from kb.publish.site.plugin import site_plugin

    with _mkdocs_messages():
        try:
            config = load_config(str(CONFIG), site_dir=str(site_dir), strict=True)
            site_plugin(config).use(data)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build_site(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as error:
            print(error.format_message(), file=sys.stderr)
            return False
    return True


@contextmanager
def _mkdocs_messages() -> Iterator[None]:
    """mkdocs' log on stderr while it builds, in the form its own command prints."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


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
    check_sources()
    check_kb(args.kb)
    command = [sys.executable, "-m", "mkdocs", "serve", "-f", str(CONFIG)]
    command += ["-a", f"127.0.0.1:{args.port}"]
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
        help="Validate the KB, then build the static site into site-build/.",
        description=(
            "Validate the KB, then build the static site into site-build/ (or --out DIR): "
            "mkdocs' strict build, run in this process, whose kb-site plugin makes the pages "
            "from the KB just validated. The output folder is replaced only after a "
            "successful build."
        ),
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
