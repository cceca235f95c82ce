"""Where the files that live beside the code are: the project checkout, or the wheel's copy.

Run from a checkout (a clone, or an editable install), ``kb`` reads ``mkdocs.yml`` and
``site/`` at the top of the repository and writes ``schema/`` there. Installed from a wheel,
there is no checkout: the site's sources come from the copy the build put in ``kb/_site/``
(see ``setup.py``), and nothing is ever written inside the installed package.
"""

from __future__ import annotations

from pathlib import Path

from kb.rdf.paths import PACKAGE_DIR

PACKAGE = PACKAGE_DIR.resolve()


def checkout() -> Path | None:
    """The repository this package runs from, or None when it is installed from a wheel."""
    root = PACKAGE.parent
    if (root / "pyproject.toml").is_file() and (root / "mkdocs.yml").is_file():
        return root
    return None


def site_sources() -> Path:
    """The folder holding ``mkdocs.yml`` and ``site/``: the checkout's, else the wheel's."""
    return checkout() or PACKAGE / "_site"
