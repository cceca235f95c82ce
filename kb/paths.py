"""Where the bundled KB lives and which Turtle files a set of paths names.

Kept apart from the loader so the fast query path can use it without importing pydantic.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kb.errors import UsageError

DATA_DIR = Path(__file__).parent / "data"
QUESTIONS_DIR = Path(__file__).parent / "questions"

#: The KB the site's page generator builds from (paths separated by ``os.pathsep``);
#: ``kb site build --kb`` sets it for the mkdocs step.
KB_PATH_VARIABLE = "KB_PATH"
#: Set to 1 by ``kb site build``, which validated the KB before running mkdocs: the pages
#: are then generated without validating it again.
KB_VALIDATED_VARIABLE = "KB_SITE_VALIDATED"


def turtle_files(paths: Sequence[str | Path] | None = None) -> list[Path]:
    """The Turtle files named by ``paths`` (files or folders of ``*.ttl``); default: bundled KB."""
    found: list[Path] = []
    for raw in paths or [DATA_DIR]:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(path.glob("*.ttl")))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    if not found:
        raise UsageError(f"no Turtle files in {', '.join(str(p) for p in paths or [DATA_DIR])}")
    return found
