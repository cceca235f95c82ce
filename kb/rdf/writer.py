"""The canonical writer: models back to deterministic, diff-friendly Turtle.

Fixed prefixes, subjects sorted by id, predicates sorted by CURIE, one value per line
when a field has several, and every write goes to a temporary file that replaces the
old one only once complete, so a failed save leaves the old file intact.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kb.model.errors import UsageError
from kb.model.mapping import FieldSpec, entity_values, type_iri
from kb.model.models import Entity
from kb.model.vocab import PREFIXES, XSD
from kb.rdf.paths import file_kind, read_kb_file

if TYPE_CHECKING:
    from kb.rdf.loader import Loaded

_INDENT = "    "


def curie(iri_text: str) -> str | None:
    """The prefixed form of an IRI when its local part is safe to write unescaped."""
    for prefix, namespace in PREFIXES.items():
        if iri_text.startswith(namespace):
            local = iri_text[len(namespace) :]
            safe = all(c.isascii() and (c.isalnum() or c in "-_") for c in local)
            if local and safe and (local[0].isalnum() or local[0] == "_"):
                return f"{prefix}:{local}"
    return None


def _iri(iri_text: str) -> str:
    return curie(iri_text) or f"<{iri_text}>"


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quote_string(text: str) -> str:
    """A Turtle string literal; control characters are escaped, other Unicode kept as is."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _term(spec: FieldSpec, value: object) -> str:
    from kb.model.mapping import to_rdf

    lexical, datatype = to_rdf(spec, value)
    if datatype is None:
        return _iri(lexical)
    if datatype in (XSD + "boolean", XSD + "integer"):
        return lexical
    if datatype == XSD + "string":
        return quote_string(lexical)
    return f"{quote_string(lexical)}^^{_iri(datatype)}"


def entity_turtle(entity: Entity) -> str:
    """One entity as a canonical Turtle block (no prefixes)."""
    rows: list[tuple[str, list[str]]] = []
    for spec, values in entity_values(entity):
        if not values:
            continue
        if spec.ordered:
            rows.append((spec.curie, ["( " + " ".join(_term(spec, v) for v in values) + " )"]))
        else:
            rows.append((spec.curie, [_term(spec, v) for v in sorted(values)]))
    rows.sort(key=lambda row: row[0])
    parts = [f"id:{entity.id} a {_iri(type_iri(type(entity)))}"]
    for predicate, objects in rows:
        if len(objects) == 1:
            parts.append(f"{_INDENT}{predicate} {objects[0]}")
        else:
            joined = f",\n{_INDENT * 2}".join(objects)
            parts.append(f"{_INDENT}{predicate}\n{_INDENT * 2}{joined}")
    return " ;\n".join(parts) + " .\n"


def prefix_block() -> str:
    return "".join(f"@prefix {name}: <{ns}> .\n" for name, ns in PREFIXES.items())


def turtle(entities: Iterable[Entity]) -> str:
    """A whole file: the fixed prefixes, then each entity sorted by id."""
    blocks = [entity_turtle(e) for e in sorted(entities, key=lambda e: e.id)]
    return prefix_block() + "".join("\n" + block for block in blocks)


class CannotWrite(UsageError, OSError):
    """A save that could not happen (the path is not a regular file, is read-only, or the
    system refused); the old file, if any, is intact."""


def write_target(path: Path) -> Path:
    """Where a save to ``path`` writes: ``path`` itself, or the file a symlink points to
    (the link stays a link). Raises :class:`CannotWrite` for anything but a regular file or
    a new path, and for a read-only file."""
    target = Path(os.path.realpath(path))
    try:
        status = os.stat(path)  # through links, even /dev/stdout's to a pipe
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise CannotWrite(f"cannot write {path}: no such folder {target.parent}") from None
        return target
    except OSError as error:
        raise CannotWrite(f"cannot write {path}: {error.strerror}") from None
    if not stat.S_ISREG(status.st_mode):
        raise CannotWrite(
            f"cannot write {path}: it is {file_kind(status.st_mode)}, not a regular file "
            "(kb saves only to regular files; -o - writes to standard output)"
        )
    if not status.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise CannotWrite(f"cannot write {path}: the file is read-only; left as it was")
    return target


def write_atomic(path: Path, text: str | bytes) -> None:
    """Replace ``path`` with ``text`` only once the new content is fully on disk.

    The content goes to a temporary file in the same folder, which is flushed, synced and
    renamed over the file; on any failure the temporary file is removed and the file is
    left as it was. A replaced file keeps its permission bits. Only regular files are
    written: a symlink is written through to its target, and a folder, device, FIFO or
    read-only file at ``path`` is a :class:`CannotWrite` (a usage error naming the path),
    as is any error of the system (disk full, permission).
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    target = write_target(path)
    existed = target.exists()
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as error:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        reason = (error.strerror or str(error)) + ("; the old file is intact" if existed else "")
        raise CannotWrite(f"cannot write {path}: {reason}") from None
    except BaseException:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        raise


def files_for(
    entities: Mapping[str, Entity], origins: Mapping[str, Path], folder: Path
) -> dict[Path, list[Entity]]:
    """Which file each entity is written to: where it came from, else its kind's file."""
    plan: dict[Path, list[Entity]] = {}
    for slug, entity in entities.items():
        path = origins.get(slug) or folder / f"{type(entity).file}.ttl"
        plan.setdefault(Path(path), []).append(entity)
    return plan


def save(
    entities: Mapping[str, Entity], folder: Path, origins: Mapping[str, Path] | None = None
) -> list[Path]:
    """Write every entity in canonical form; return the files written."""
    plan = files_for(entities, origins or {}, folder)
    # Serialise every file before writing any, so an entity that cannot be written (say, a
    # string with a lone surrogate) stops the save before a single file has changed.
    rendered = {path: turtle(members).encode("utf-8") for path, members in sorted(plan.items())}
    for path in rendered:
        path.parent.mkdir(parents=True, exist_ok=True)
    for path, data in rendered.items():
        write_atomic(path, data)
    return sorted(rendered)


#: Turtle's strings, IRIs and escapes (skipped) and its comments (found).
_TURTLE_LEXEME = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|\\."
    r"|(?P<comment>#)"
)


def comment_lines(data: bytes) -> list[int]:
    """The lines (1-based) where a ``#`` comment starts, outside strings and IRIs."""
    text = data.decode("utf-8", errors="replace")
    return [
        text.count("\n", 0, match.start()) + 1
        for match in _TURTLE_LEXEME.finditer(text)
        if match.group("comment")
    ]


def canonical_rewrites(
    entities: Mapping[str, Entity],
    origins: Mapping[str, Path],
    folder: Path,
    only: set[Path] | None = None,
) -> tuple[dict[Path, bytes], list[str]]:
    """The files (of ``only``, if given) whose canonical form differs from what is on disk,
    with that form; and notes on those left as they are because they have comments."""
    rewrites: dict[Path, bytes] = {}
    notes: list[str] = []
    for path, members in sorted(files_for(entities, origins, folder).items()):
        if only is not None and path not in only:
            continue
        data = turtle(members).encode("utf-8")
        old = read_kb_file(path)
        if old == data:
            continue
        lines = comment_lines(old)
        if lines:
            shown = ", ".join(str(n) for n in lines[:5]) + (", ..." if len(lines) > 5 else "")
            notes.append(
                f"{path}: not rewritten: it has # comments (line {shown}), which canonical "
                "form cannot keep; move them into rdfs:comment or delete them, then run kb fmt"
            )
        else:
            rewrites[path] = data
    return rewrites, notes


def write_all(rewrites: Mapping[Path, bytes]) -> None:
    for path in rewrites:  # every file writable (a usage error otherwise) before any write
        write_target(path)
    for path, data in rewrites.items():
        write_atomic(path, data)


def update(loaded: Loaded, changed: Mapping[str, Entity]) -> tuple[list[Path], list[str]]:
    """Save changed entities of a loaded KB, each into the file it came from, in canonical
    form and atomically; return (files written, notes on files left as they are, as
    :func:`kb.rdf.fmt.fmt` gives). Only the files holding a changed entity are written."""
    origins = {slug: Path(origin.file) for slug, origin in loaded.origins.items()}
    entities = {**loaded.entities, **changed}
    only = {origins[slug] for slug in changed if slug in origins}
    rewrites, notes = canonical_rewrites(entities, origins, loaded.files[0].parent, only)
    write_all(rewrites)
    return list(rewrites), notes
