"""mkdocs-gen-files script: generate the site's pages from the KB named by $KB_PATH.

Run by ``mkdocs build`` (see ``mkdocs.yml``); the pages are plain Markdown, built by
:mod:`kb.publish.site`. ``KB_PATH`` holds Turtle files or folders separated by the system's
path separator; unset, the bundled KB is used. A KB that cannot be built from (problems in
the data, a path that names nothing) stops the build with one mkdocs error line, not a
Python traceback; ``kb validate`` lists every problem.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import mkdocs_gen_files
from mkdocs.exceptions import PluginError

from kb.model.errors import InvalidKB, KBError
from kb.publish.site.build import generate
from kb.publish.site.data import kb_paths_from_env, validated_by_caller
from kb.rdf.paths import KB_PATH_VARIABLE


def _write(path: str, content: str | bytes) -> None:
    mode = "wb" if isinstance(content, bytes) else "w"
    kwargs = {} if isinstance(content, bytes) else {"encoding": "utf-8"}
    with mkdocs_gen_files.open(path, mode, **kwargs) as stream:
        stream.write(content)


def _compose_home(compose: Callable[[str], str]) -> None:
    """Rewrite ``index.md`` as ``compose`` makes it from the hand-written one."""
    with mkdocs_gen_files.open("index.md", "r", encoding="utf-8") as stream:
        intro = stream.read()
    with mkdocs_gen_files.open("index.md", "w", encoding="utf-8") as stream:
        stream.write(compose(intro))


def _one_line(error: KBError, paths: list[str] | None) -> str:
    """The error as one line, naming the KB and how to see every problem."""
    where = f"{KB_PATH_VARIABLE}={os.pathsep.join(paths)}" if paths else "the bundled KB"
    message = f"kb: cannot build the site from {where}: {error}"
    if isinstance(error, InvalidKB) and error.problems:
        more = len(error.problems) - 1
        validate = " ".join(["kb validate", *(paths or [])])
        message += f": {error.problems[0]}" + (f" (and {more} more)" if more else "")
        message += f"; `{validate}` lists them all"
    return message


def main() -> None:
    paths = kb_paths_from_env()
    try:
        generate(_write, paths, _compose_home, validate=not validated_by_caller())
    except KBError as error:
        raise PluginError(_one_line(error, paths)) from None


main()
