"""mkdocs-gen-files script: generate the site's pages from the KB named by $KB_PATH.

Run by ``mkdocs build`` (see ``mkdocs.yml``); the pages are plain Markdown, built by
:mod:`kb.sitegen`. ``KB_PATH`` holds Turtle files or folders separated by the system's
path separator; unset, the bundled KB is used.
"""

from __future__ import annotations

import mkdocs_gen_files

from kb.sitegen.build import generate
from kb.sitegen.data import kb_paths_from_env


def _write(path: str, content: str | bytes) -> None:
    mode = "wb" if isinstance(content, bytes) else "w"
    kwargs = {} if isinstance(content, bytes) else {"encoding": "utf-8"}
    with mkdocs_gen_files.open(path, mode, **kwargs) as stream:
        stream.write(content)


def _append_home(markdown: str) -> None:
    with mkdocs_gen_files.open("index.md", "a", encoding="utf-8") as stream:
        stream.write("\n" + markdown)


generate(_write, kb_paths_from_env(), _append_home)
