"""`kb quotes verify --source FILE`: every quote attributed to the essay occurs in it verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.loader import load
from kb.quotes import attributed_quotes, normalise, primary_source, verify


def test_every_essay_quote_is_verbatim(essay: Path) -> None:
    entities = load().entities
    checks = verify(entities, essay)
    assert len(checks) >= 30, "the essay's quotes should be checked"
    missing = [c.quote_id for c in checks if not c.found]
    assert missing == []


def test_cli_verify_passes_on_the_essay(essay: Path, kb_cli) -> None:
    result = kb_cli("quotes", "verify", "--source", str(essay))
    assert result.returncode == 0, result.stdout + result.stderr
    count = len(attributed_quotes(load().entities, primary_source(load().entities) or ""))
    assert f"{count} of {count} quotes found verbatim" in result.stdout


def test_cli_verify_lists_a_tampered_quote(essay: Path, tmp_path: Path, kb_cli) -> None:
    entities = load().entities
    quote = attributed_quotes(entities, primary_source(entities) or "")[0]
    text = essay.read_text(encoding="utf-8")
    # Remove every occurrence of the quote's words, however the copy lays them out.
    words = quote.text.split()
    target = " ".join(words[: max(3, len(words) // 2)])
    flat = normalise(text)
    assert normalise(target) in flat
    tampered = tmp_path / "essay.txt"
    tampered.write_text(flat.replace(normalise(target), "[words removed]"), encoding="utf-8")
    result = kb_cli("quotes", "verify", "--source", str(tampered))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"not verbatim in {tampered}: {quote.id}:" in result.stdout
    assert "Traceback" not in result.stderr


def test_normalisation_of_whitespace_and_typographic_quotes(essay: Path, tmp_path: Path) -> None:
    entities = load().entities
    text = essay.read_text(encoding="utf-8")
    reflowed = (
        text.replace("\u2019", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace(" ", "\n  ")
    )
    copy = tmp_path / "reflowed.txt"
    copy.write_text(reflowed, encoding="utf-8")
    assert all(c.found for c in verify(entities, copy))


@pytest.mark.parametrize(
    "args",
    [
        ("quotes", "verify", "--source", "/no/such/essay.txt"),
        ("quotes", "verify"),
        ("quotes",),
    ],
)
def test_cli_verify_usage_errors(kb_cli, args: tuple[str, ...]) -> None:
    result = kb_cli(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_cli_verify_source_not_utf8(kb_cli, tmp_path: Path) -> None:
    source = tmp_path / "essay.txt"
    source.write_bytes(b"\xff\xfe not text")
    result = kb_cli("quotes", "verify", "--source", str(source))
    assert result.returncode == 2
    assert "cannot read as UTF-8" in result.stderr
    assert "Traceback" not in result.stderr
