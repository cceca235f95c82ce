"""``kb fmt``: rewrite KB files in canonical form, never losing an author's comment.

Reads and validates the KB (:func:`kb.rdf.dataset.load`) and writes it back with
:mod:`kb.rdf.writer`; a file with ``#`` comments is left as it is, with a note.
"""

from __future__ import annotations

from pathlib import Path

from kb.rdf.dataset import load
from kb.rdf.writer import canonical_rewrites, write_all


def fmt(paths: list[str | Path] | None = None, check: bool = False) -> tuple[list[Path], list[str]]:
    """Rewrite KB files in canonical form; return (files rewritten, or that would be with
    ``check``; notes on files left as they are).

    The KB is validated first: an invalid KB raises :class:`kb.model.errors.InvalidKB` and no file
    is touched. A file with ``#`` comments is never rewritten (canonical form has none, and
    a comment is the author's): a note says why. With ``check`` nothing is written. Bytes
    are compared, so line endings and a byte-order mark count as differences.
    """
    loaded = load(paths)
    origins = {slug: Path(origin.file) for slug, origin in loaded.origins.items()}
    rewrites, notes = canonical_rewrites(loaded.entities, origins, loaded.files[0].parent)
    if not check:
        write_all(rewrites)
    return list(rewrites), notes
