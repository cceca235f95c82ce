"""`kb quotes verify --source FILE`: every quote attributed to the essay occurs in it verbatim,
at the section and position it records; `kb quotes place` writes those places.

The small essay and KB in ``tests/fixtures/quotes`` carry no places: the tests place them
with the command, then check the places against the essay's text directly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, bundled, file_bytes

from kb.model.models import Quote
from kb.model.quotes import Essay, attributed_quotes, normalise, primary_source, read_essay, verify
from kb.rdf.dataset import load
from kb.rdf.writer import update

SMALL = FIXTURES / "quotes"
SMALL_ESSAY = SMALL / "essay.txt"


def test_every_essay_quote_is_verbatim(essay: Path) -> None:
    entities = bundled().entities
    checks = verify(entities, essay)
    assert len(checks) >= 30, "the essay's quotes should be checked"
    missing = [c.quote_id for c in checks if not c.found]
    assert missing == []


def test_cli_verify_passes_on_the_essay(essay: Path, kb_cli) -> None:
    result = kb_cli("quotes", "verify", "--source", str(essay))
    assert result.returncode == 0, result.stdout + result.stderr
    count = len(attributed_quotes(bundled().entities, primary_source(bundled().entities) or ""))
    assert f"{count} of {count} quotes found verbatim" in result.stdout


def test_cli_verify_lists_a_tampered_quote(essay: Path, tmp_path: Path, kb_cli) -> None:
    entities = bundled().entities
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
    entities = bundled().entities
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


# --- the places of quotes: sections and positions ------------------------------------------


@pytest.fixture
def small_kb(tmp_path: Path) -> Path:
    """A writable copy of the small KB, its quotes not yet placed."""
    folder = tmp_path / "kb"
    folder.mkdir()
    shutil.copy(SMALL / "kb.ttl", folder / "kb.ttl")
    return folder


def essay_quotes(folder: Path) -> list[Quote]:
    entities = load([folder]).entities
    return attributed_quotes(entities, primary_source(entities) or "")


def test_sections_are_the_essays_headings() -> None:
    raw = SMALL_ESSAY.read_text(encoding="utf-8")
    essay = Essay.parse(raw)
    headings = [heading for _, heading in essay.sections]
    lines = raw.splitlines()
    lone_lines = [
        line
        for before, line, after in zip(["", *lines], lines, [*lines[1:], ""], strict=False)
        if line.strip() and not before.strip() and not after.strip()
    ]
    # Every heading is a line standing alone; sentences, list items and footnotes are not.
    assert set(headings) <= set(lone_lines)
    assert headings[0] == lines[0], "the title heads the opening"
    assert "Why ask?" in headings and "First Section" in headings
    assert not any(h.startswith(("Note 1", "1.")) or h.endswith(".") for h in headings)
    assert essay.text == normalise(raw)
    for start, heading in essay.sections:
        assert essay.text.startswith(heading, start)


def test_unplaced_quotes_are_all_reported(small_kb: Path, kb_cli) -> None:
    result = kb_cli("quotes", "verify", "--kb", str(small_kb), "--source", str(SMALL_ESSAY))
    assert result.returncode == 1, result.stdout + result.stderr
    for quote in essay_quotes(small_kb):
        assert f"misplaced: {quote.id}: no schema:position" in result.stdout
        field = "kb:quotedInLocator" if quote.quoted_in else "kb:locator"
        assert f"misplaced: {quote.id}: no {field}" in result.stdout
    assert "quote-book" not in result.stdout, "a quote of another work is not checked"
    assert "kb quotes place" in result.stderr


def test_place_writes_each_quotes_section_and_position(small_kb: Path, kb_cli) -> None:
    result = kb_cli("quotes", "place", "--kb", str(small_kb), "--source", str(SMALL_ESSAY))
    assert result.returncode == 0, result.stdout + result.stderr
    text = normalise(SMALL_ESSAY.read_text(encoding="utf-8"))
    lines = SMALL_ESSAY.read_text(encoding="utf-8").splitlines()
    sections = read_essay(SMALL_ESSAY).sections
    quotes = essay_quotes(small_kb)
    for quote in quotes:
        assert quote.position is not None, quote.id
        assert text.startswith(normalise(quote.text), quote.position), quote.id
        assert quote.position == text.find(normalise(quote.text)), "the first occurrence"
        assert quote.section in lines, quote.id  # as the essay spells it
        before = [(start, h) for start, h in sections if start <= quote.position]
        assert quote.section == max(before)[1], f"{quote.id}: the nearest heading above"
    friend = next(q for q in quotes if q.quoted_in)
    assert friend.locator == "chapter 1", "the place in the friend's own work is kept"
    assert friend.quoted_in_locator == "First Section"
    verified = kb_cli("quotes", "verify", "--kb", str(small_kb), "--source", str(SMALL_ESSAY))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert kb_cli("fmt", "--check", str(small_kb)).returncode == 0, "written canonical"
    before = file_bytes(small_kb)
    again = kb_cli("quotes", "place", "--kb", str(small_kb), "--source", str(SMALL_ESSAY))
    assert again.returncode == 0 and "placed 0 quote(s)" in again.stdout
    assert file_bytes(small_kb) == before, "nothing to change, nothing written"


def test_wrong_places_are_each_named(small_kb: Path, kb_cli) -> None:
    assert (
        kb_cli("quotes", "place", "--kb", str(small_kb), "--source", str(SMALL_ESSAY)).returncode
        == 0
    )
    loaded = load([small_kb])
    quotes = {q.id: q for q in essay_quotes(small_kb)}
    first, fun, friend = quotes["quote-first"], quotes["quote-fun"], quotes["quote-friend"]
    assert first.position is not None
    wrong = {
        first.id: first.model_copy(update={"position": first.position + 1}),
        fun.id: fun.model_copy(update={"locator": first.locator}),
        friend.id: friend.model_copy(update={"quoted_in_locator": "Why ask?", "position": None}),
    }
    update(loaded, wrong)
    result = kb_cli("quotes", "verify", "--kb", str(small_kb), "--source", str(SMALL_ESSAY))
    assert result.returncode == 1
    out = result.stdout
    assert (
        f"misplaced: quote-first: schema:position {first.position + 1}, but the words start at "
        f"{first.position}" in out
    )
    assert (
        f"misplaced: quote-fun: kb:locator {first.locator!r}, but the words are in the "
        f"section {fun.locator!r}" in out
    )
    assert "misplaced: quote-friend: kb:quotedInLocator 'Why ask?'" in out
    assert "misplaced: quote-friend: no schema:position" in out
    assert "quote-opening" not in out and "quote-exits-again" not in out
    assert f"{len(quotes) - 3} of {len(quotes)} found placed right" in out


def test_a_later_occurrence_is_a_right_place(small_kb: Path) -> None:
    """Words the essay says twice may be placed at either occurrence, in its own section."""
    text = normalise(SMALL_ESSAY.read_text(encoding="utf-8"))
    loaded = load([small_kb])
    quote = loaded.entities["quote-exits-again"]
    assert isinstance(quote, Quote)
    words = normalise(quote.text)
    later = text.find(words, text.find(words) + 1)
    assert later > 0, "the fixture's essay says these words twice"
    last_heading = Essay.parse(SMALL_ESSAY.read_text(encoding="utf-8")).sections[-1][1]
    placed = quote.model_copy(update={"position": later, "locator": last_heading})
    update(loaded, {quote.id: placed})
    check = next(
        c for c in verify(load([small_kb]).entities, SMALL_ESSAY) if c.quote_id == quote.id
    )
    assert check.found and check.problems == ()
    elsewhere = placed.model_copy(update={"locator": "First Section"})
    update(loaded, {quote.id: elsewhere})
    check = next(
        c for c in verify(load([small_kb]).entities, SMALL_ESSAY) if c.quote_id == quote.id
    )
    assert check.problems == (
        f"kb:locator 'First Section', but the words are in the section {last_heading!r}",
    )


def test_place_writes_nothing_when_a_quote_is_missing(
    small_kb: Path, tmp_path: Path, kb_cli
) -> None:
    cut = tmp_path / "essay.txt"
    cut.write_text(SMALL_ESSAY.read_text(encoding="utf-8").replace("mazes are fun", "fun"), "utf-8")
    before = file_bytes(small_kb)
    result = kb_cli("quotes", "place", "--kb", str(small_kb), "--source", str(cut))
    assert result.returncode == 1
    assert "not verbatim in" in result.stdout and "quote-fun" in result.stdout
    assert "nothing written" in result.stderr
    assert file_bytes(small_kb) == before


def test_positions_survive_reflowing_the_essay(tmp_path: Path) -> None:
    raw = SMALL_ESSAY.read_text(encoding="utf-8")
    reflowed = tmp_path / "reflowed.txt"
    reflowed.write_text(raw.replace(". ", ".\n").replace("\u201c", '"'), encoding="utf-8")
    assert read_essay(reflowed).text == read_essay(SMALL_ESSAY).text


def test_bundled_quotes_are_placed(essay: Path) -> None:
    checks = verify(bundled().entities, essay)
    assert [f"{c.quote_id}: {p}" for c in checks for p in c.problems] == []
    assert all(c.place is not None and c.place[0] for c in checks)


def test_place_leaves_a_file_with_comments_as_it_is(small_kb: Path, kb_cli) -> None:
    """A `#` comment is the author's and canonical Turtle cannot keep it: nothing written."""
    path = small_kb / "kb.ttl"
    path.write_text("# a remark of the author's\n" + path.read_text(encoding="utf-8"), "utf-8")
    before = file_bytes(small_kb)
    result = kb_cli("quotes", "place", "--kb", str(small_kb), "--source", str(SMALL_ESSAY))
    assert result.returncode == 1
    assert f"{path}: not rewritten: it has # comments (line 1)" in result.stderr
    assert file_bytes(small_kb) == before
