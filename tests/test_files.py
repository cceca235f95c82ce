"""Nothing the user owns is deleted or replaced: ``kb site build --out``, ``kb export -o`` and
``kb fmt`` write only where they should, only to regular files, and fail with one line that
names the path, leaving the old file as it was."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DATA, ROOT, build_site, run_kb

from kb.cli import site as site_cli
from kb.model.errors import UsageError


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- kb site build --out ------------------------------------------------------------------


def test_site_build_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.txt").write_text("my thesis", encoding="utf-8")
    result = build_site(out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "not empty and is not a site kb built" in result.stderr
    assert _listing(out) == ["chapter1.txt"]
    assert (out / "chapter1.txt").read_text(encoding="utf-8") == "my thesis"


def test_site_build_never_replaces_the_kb_it_builds(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(DATA, kb)
    before = {p.name: p.read_bytes() for p in kb.iterdir()}
    for out in (kb, tmp_path):
        result = build_site(out, kb)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "the KB being built" in result.stderr
    assert {p.name: p.read_bytes() for p in kb.iterdir()} == before


@pytest.mark.parametrize("out", [DATA, ROOT, ROOT / "kb", Path("/")])
def test_site_build_never_replaces_the_bundled_kb_or_the_project(out: Path) -> None:
    with pytest.raises(UsageError, match="never replaces it"):
        site_cli.check_out(out.resolve(), None)


def test_a_built_site_is_marked_and_a_marked_or_empty_folder_is_accepted(
    built_site: Path, tmp_path: Path
) -> None:
    assert (built_site / site_cli.MARKER).is_file()
    site_cli.check_out(built_site, None)  # a previous build: may be replaced
    empty = tmp_path / "empty"
    empty.mkdir()
    site_cli.check_out(empty, None)
    site_cli.check_out(tmp_path / "new", None)


# --- kb export -o and kb fmt: regular files only ------------------------------------------


def _special_files(folder: Path) -> dict[str, Path]:
    """A FIFO, a folder and (where this user may make one) a private character device."""
    made = {"fifo": folder / "pipe.ttl", "folder": folder / "dir.ttl"}
    os.mkfifo(made["fifo"])
    made["folder"].mkdir()
    device = folder / "null.ttl"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        made["device"] = device
    except PermissionError:
        pass
    return made


def test_export_refuses_anything_but_a_regular_file(tmp_path: Path) -> None:
    for kind, path in _special_files(tmp_path).items():
        mode = path.lstat().st_mode
        result = run_kb("export", "-o", str(path))
        assert result.returncode == 2, (kind, result.stderr)
        assert result.stderr.startswith(f"kb: cannot write {path}: it is a")
        assert len(result.stderr.strip().splitlines()) == 1
        assert path.lstat().st_mode == mode, f"the {kind} was replaced"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_export_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.ttl"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.ttl"
    link.symlink_to(real.name)
    result = run_kb("export", "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == "real.ttl"
    assert real.read_text(encoding="utf-8").startswith("@prefix")


def test_export_leaves_a_read_only_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "kb.ttl"
    target.write_text("mine", encoding="utf-8")
    target.chmod(0o444)
    result = run_kb("export", "-o", str(target))
    assert result.returncode == 2
    assert (
        result.stderr.strip() == f"kb: cannot write {target}: the file is read-only; left as it was"
    )
    assert target.read_text(encoding="utf-8") == "mine"


def test_export_dash_is_standard_output(tmp_path: Path) -> None:
    result = run_kb("export", "-o", "-", "--format", "nt", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.count(" .\n") > 100
    assert _listing(tmp_path) == []


def _file_size_limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_a_failed_write_is_one_line_and_keeps_the_old_file(tmp_path: Path) -> None:
    """The system refuses the write half-way (file size limit, as a full disk would)."""
    target = tmp_path / "kb.ttl"
    target.write_text("old content\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kb.cli", "export", "-o", str(target)],
        capture_output=True,
        text=True,
        preexec_fn=_file_size_limit,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"kb: cannot write {target}: File too large; the old file is intact"
    )
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert _listing(tmp_path) == ["kb.ttl"]


def test_fmt_writes_through_symlinks(kb_copy: Path) -> None:
    """A KB file that is a symlink (to a file inside the KB folder) is written through."""
    (kb_copy / "real").mkdir()
    real = kb_copy / "real" / "terms.ttl"
    (kb_copy / "terms.ttl").rename(real)
    real.write_text(real.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    (kb_copy / "terms.ttl").symlink_to(Path("real") / "terms.ttl")
    result = run_kb("fmt", str(kb_copy))
    assert result.returncode == 0, result.stderr
    assert (kb_copy / "terms.ttl").is_symlink()
    assert real.read_bytes() == (DATA / "terms.ttl").read_bytes()


def test_fmt_rewrites_no_file_when_one_is_read_only(kb_copy: Path) -> None:
    for name in ("terms.ttl", "sources.ttl"):
        path = kb_copy / name
        path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    (kb_copy / "terms.ttl").chmod(0o444)
    before = {p.name: p.read_bytes() for p in kb_copy.iterdir()}
    result = run_kb("fmt", str(kb_copy))
    assert result.returncode == 2
    assert "terms.ttl: the file is read-only" in result.stderr
    assert {p.name: p.read_bytes() for p in kb_copy.iterdir()} == before
