"""Golden files: the Markdown the site generator writes, one entity page per kind.

A change to a page module shows up here as a diff to review (as linkml snapshots the output of
its generators), not only as a test that happens to look at the changed part. The KB is
:data:`HOSTILE_KB` (hostile text in every field, so escaping is in the picture too), copied
outside git so that no page carries a date from the repository's history.

After an intended change, regenerate the files and review their diff:

    KB_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_snapshots.py
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from conftest import HOSTILE_KB

from kb.model.schema_table import KINDS
from kb.publish.site import build

SNAPSHOTS = Path(__file__).parent / "snapshots" / "hostile_site_kb"
UPDATE = "KB_UPDATE_SNAPSHOTS"


def _entity_pages(tmp_path: Path) -> dict[str, str]:
    """The first entity page of each kind (by path), as the generator writes it."""
    for turtle in HOSTILE_KB.glob("*.ttl"):
        shutil.copy(turtle, tmp_path / turtle.name)
    pages: dict[str, str] = {}

    def write(path: str, content: str | bytes) -> None:
        if isinstance(content, str) and path.endswith(".md"):
            pages[path] = content

    build.generate(write, build.load([tmp_path]), home_intro="# Home\n")
    chosen: dict[str, str] = {}
    for path in sorted(pages):
        folder = path.split("/")[0]
        if path.count("/") == 1 and not path.endswith("/index.md") and folder not in chosen:
            chosen[folder] = path
    folders = {kind.folder for kind in KINDS}
    return {path: pages[path] for folder, path in chosen.items() if folder in folders}


def _name(page_path: str) -> str:
    return page_path.replace("/", "--")


def test_entity_pages_match_their_golden_files(tmp_path: Path) -> None:
    pages = _entity_pages(tmp_path)
    assert len(pages) >= 8, sorted(pages)  # nearly every kind has an entity in the fixture
    if os.environ.get(UPDATE):
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        for stale in set(SNAPSHOTS.glob("*.md")) - {SNAPSHOTS / _name(p) for p in pages}:
            stale.unlink()
        for path, text in pages.items():
            (SNAPSHOTS / _name(path)).write_text(text, encoding="utf-8")
    golden = {p.name: p.read_text(encoding="utf-8") for p in SNAPSHOTS.glob("*.md")}
    made = {_name(path): text for path, text in pages.items()}
    assert sorted(made) == sorted(golden), f"pages differ from the golden set; {UPDATE}=1"
    changed = [name for name in made if made[name] != golden[name]]
    if changed:
        first = changed[0]
        diff = "".join(
            difflib.unified_diff(
                golden[first].splitlines(keepends=True),
                made[first].splitlines(keepends=True),
                f"golden/{first}",
                f"generated/{first}",
            )
        )
        raise AssertionError(
            f"{len(changed)} page(s) differ from tests/snapshots ({', '.join(changed)}); "
            f"review, then regenerate with {UPDATE}=1.\n{diff[:4000]}"
        )
