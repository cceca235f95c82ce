"""MkDocs hook: print progress while pages render (large KBs have thousands of pages)."""

from __future__ import annotations

import sys
import time

_state = {"count": 0, "total": 0, "started": 0.0}

#: The navigation entry after which each kind's index page is listed.
KINDS_AFTER = "Guide"


def on_config(config):
    """Insert each kind's index page into the navigation, in the schema table's order."""
    from kb.model.schema_table import KINDS

    nav = config["nav"]
    at = next(i for i, item in enumerate(nav) if isinstance(item, dict) and KINDS_AFTER in item)
    nav[at + 1 : at + 1] = [{kind.plural: f"{kind.folder}/index.md"} for kind in KINDS]
    return config


def on_nav(nav, config, files):
    _state.update(count=0, total=sum(1 for f in files.documentation_pages()))
    _state["started"] = time.perf_counter()
    print(f"[kb site] rendering {_state['total']} pages", file=sys.stderr, flush=True)
    return nav


def on_page_markdown(markdown, page, config, files):
    """Fail the build if a page's front matter was not read: mkdocs would show it as text."""
    if markdown.startswith("---\n"):
        from mkdocs.exceptions import PluginError

        raise PluginError(f"{page.file.src_uri}: its front matter could not be read")
    return markdown


def on_page_content(html, page, config, files):
    _state["count"] += 1
    count, total = _state["count"], _state["total"]
    step = max(500, total // 10)
    if count % step == 0 or count == total:
        elapsed = time.perf_counter() - _state["started"]
        print(
            f"[kb site] rendered {count}/{total} pages ({elapsed:.1f}s)",
            file=sys.stderr,
            flush=True,
        )
    return html


def on_post_build(config):
    """Write the per-entity data files (id/*.ttl, *.jsonld, *.bib) into the built site."""
    from kb.publish.site.build import write_data_files

    write_data_files(config["site_dir"])


_T0 = time.perf_counter()


def _mark(event):
    """With KB_SITE_TIMING=1, say when each build phase starts (for profiling large KBs)."""
    if __import__("os").environ.get("KB_SITE_TIMING"):
        print(f"[kb site] {event} at {time.perf_counter() - _T0:.1f}s", file=sys.stderr)


def on_files(files, config):
    _mark("on_files")
    return files


def on_env(env, config, files):
    _mark("on_env")
    return env
