"""Where the bundled KB lives, which Turtle files a set of paths names, and how one is read.

Kept apart from the loader so the fast query path can use it without importing pydantic.
A KB folder may come from anyone (a pull request, a download), so a file in it is read
only if it is a regular file (a symlink only to a regular file inside the same folder)
no larger than :data:`MAX_FILE_BYTES`; anything else is reported, never opened for
reading, so a FIFO cannot hang a command and ``/dev/zero`` cannot fill the memory.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from kb.model.errors import UsageError

#: The installed ``kb`` package, which carries the bundled data folders.
PACKAGE_DIR = Path(__file__).parent.parent
DATA_DIR = PACKAGE_DIR / "data"
QUESTIONS_DIR = PACKAGE_DIR / "questions"
CHECKS_DIR = PACKAGE_DIR / "checks"
#: The largest KB file read (a million-triple KB's largest file is a tenth of this).
MAX_FILE_BYTES = 256 * 1024 * 1024

#: The KB a plain ``mkdocs build`` (and ``kb site serve``) builds the site from (paths
#: separated by ``os.pathsep``); unset, the bundled KB.
KB_PATH_VARIABLE = "KB_PATH"


def turtle_files(paths: Sequence[str | Path] | None = None) -> list[Path]:
    """The Turtle files named by ``paths`` (files or folders of ``*.ttl``); default: bundled KB."""
    found: list[Path] = []
    for raw in paths or [DATA_DIR]:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(path.glob("*.ttl")))
        elif path.is_file():
            found.append(path)
        elif path.exists():
            raise UsageError(f"{path}: not a regular file ({file_kind(path.stat().st_mode)})")
        else:
            raise UsageError(f"{path}: no such file or folder")
    if not found:
        raise UsageError(f"no Turtle files in {', '.join(str(p) for p in paths or [DATA_DIR])}")
    return found


def file_kind(mode: int) -> str:
    """What a file mode stands for, in words ("a folder", "a pipe (FIFO)", ...)."""
    kinds = [
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a symlink"),
        (stat.S_ISFIFO, "a pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "a special file")


def read_kb_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of one KB file, or a :class:`UsageError` saying why it is not read.

    The message leaves out the path (callers name it): a symlink whose target is outside
    the link's folder, anything but a regular file, or a file over ``limit`` bytes.
    """
    try:
        if path.is_symlink():
            target = path.resolve(strict=True)
            folder = path.parent.resolve()
            if folder != target.parent and folder not in target.parents:
                raise UsageError(f"not read: a symlink that leaves its folder (to {target})")
            path = target
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop
        reason = getattr(error, "strerror", None) or str(error)
        raise UsageError(f"cannot read: {reason}") from None
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise UsageError(f"not read: {file_kind(mode)}, not a regular file")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise UsageError(f"not read: larger than the limit of {limit // (1024 * 1024)} MB")
    return data
