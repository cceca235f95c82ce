"""The mkdocs plugin that makes the site from the KB (``kb-site`` in mkdocs.yml's plugins).

One instance serves one build and owns that build's KB on ``self``: it opens the KB when
mkdocs reads the configuration (from ``$KB_PATH``, else the bundled KB), unless
``kb site build`` handed it one it had just validated (:meth:`SitePlugin.use`); it adds
the generated pages to mkdocs' files, shows progress while they render, and writes the
per-entity data files into the built site at the end. Registered as an entry point in
``pyproject.toml``, so a plain ``mkdocs build`` in a checkout builds the same site.
"""

from __future__ import annotations

import os
import time
from typing import Any

from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, file_sort_key
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from kb.model.errors import InvalidKB, KBError
from kb.model.schema_table import KINDS
from kb.publish.site import PLUGIN, build
from kb.publish.site.data import SiteData, kb_paths_from_env
from kb.rdf.paths import KB_PATH_VARIABLE

#: The navigation entry after which each kind's index page is listed.
KINDS_AFTER = "Guide"


def with_kinds(nav: list[Any]) -> list[Any]:
    """``nav`` with each kind's index page after :data:`KINDS_AFTER`, in the table's order:
    a new kind gets its place in the navigation from its schema table row."""
    at = 1 + next(i for i, item in enumerate(nav) if isinstance(item, dict) and KINDS_AFTER in item)
    return [*nav[:at], *({kind.plural: f"{kind.folder}/index.md"} for kind in KINDS), *nav[at:]]


def one_line(error: KBError, paths: list[str] | None) -> str:
    """A KB error as one line, naming the KB and how to see every problem."""
    where = f"{KB_PATH_VARIABLE}={os.pathsep.join(paths)}" if paths else "the bundled KB"
    message = f"kb: cannot build the site from {where}: {error}"
    if isinstance(error, InvalidKB) and error.problems:
        more = len(error.problems) - 1
        validate = " ".join(["kb validate", *(paths or [])])
        message += f": {error.problems[0]}" + (f" (and {more} more)" if more else "")
        message += f"; `{validate}` lists them all"
    return message


class SiteConfig(Config):
    """No options: the KB comes from ``kb site build``, ``$KB_PATH`` or the package."""


class SitePlugin(BasePlugin[SiteConfig]):
    """Generates the site's pages from one loaded KB and writes its data files."""

    def __init__(self) -> None:
        self.data: SiteData | None = None
        self._rendered = 0
        self._total = 0
        self._started = 0.0

    def use(self, data: SiteData) -> None:
        """Build from ``data`` (a KB the caller loaded and validated) instead of opening one."""
        self.data = data

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if config.nav is not None:
            config.nav = with_kinds(config.nav)
        if self.data is None:
            paths = kb_paths_from_env()
            try:
                self.data = build.load(paths)
            except KBError as error:
                raise PluginError(one_line(error, paths)) from None
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """The hand-written files plus every generated one (a generated ``index.md``
        replaces the hand-written intro it is made from), in mkdocs' own order."""
        assert self.data is not None  # on_config opened it
        by_path = {file.src_uri: file for file in files}
        home = by_path.get("index.md")

        def write(path: str, content: str | bytes) -> None:
            by_path[path] = File.generated(config, path, content=content)

        build.generate(write, self.data, home.content_string if home else None)
        return Files(sorted(by_path.values(), key=file_sort_key))

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        self._rendered, self._total = 0, len(files.documentation_pages())
        self._started = time.perf_counter()
        build.log(f"rendering {self._total} pages")
        return nav

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Fail the build if a page's front matter was not read: mkdocs would show it as text."""
        if markdown.startswith("---\n"):
            raise PluginError(f"{page.file.src_uri}: its front matter could not be read")
        return markdown

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        self._rendered += 1
        if self._rendered % max(500, self._total // 10) == 0 or self._rendered == self._total:
            elapsed = time.perf_counter() - self._started
            build.log(f"rendered {self._rendered}/{self._total} pages ({elapsed:.1f}s)")
        return html

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Write the per-entity data files (id/*.ttl, *.jsonld, *.bib) into the built site."""
        if self.data is not None:
            build.write_data_files(config.site_dir, self.data)


def site_plugin(config: MkDocsConfig) -> SitePlugin:
    """The configuration's instance of the plugin (mkdocs makes one per configuration)."""
    for plugin in config.plugins.values():
        if isinstance(plugin, SitePlugin):
            return plugin
    raise PluginError(f"{config.config_file_path}: the {PLUGIN} plugin is not in its plugins")
