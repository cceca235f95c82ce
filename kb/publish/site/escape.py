"""The one way KB text enters a page: escaped for Markdown and HTML at once.

KB text is data, never markup. :func:`md` turns every character that Markdown, HTML or a
Markdown extension could read as syntax into a numeric character reference, so the text
shows as typed but cannot open a tag, a link, an image, an attribute list or a table cell.
Whitespace (including newlines) collapses to single spaces, so text cannot start a new
block either. Other contexts (raw HTML, external links, inline code) have their own function
here; no KB text goes into YAML front matter; page modules use nothing else. No KB text goes
into an HTML attribute except an external link's URL, which :func:`external_link` checks.
"""

from __future__ import annotations

import html
import re

# Characters that open Markdown or HTML syntax anywhere in a line: tags and entities, code
# spans, emphasis, links and images (no "[" means no "](" or "!["), attribute lists and
# table cells; "#" too, which a heading would drop from the end ("C#"). Encoding only these
# keeps Markdown fast on large KBs.
_SYNTAX = "\\`*_{}[]<>&|#"
_MD_TABLE = {ord(char): f"&#{ord(char)};" for char in _SYNTAX}
# Characters that open a block only at the start of a line (headings, lists, quotes,
# rules, fences, setext underlines, admonitions): encoded when text begins with them.
_LINE_START = "#+-=>*~!.:0123456789 "
_SPACE = re.compile(r"\s+")
# Control characters (C0 but whitespace, DEL, C1) and noncharacters: parse errors in HTML,
# invisible in a diff, and the trigger of a YAML fallback in an older generator. Shown as
# U+FFFD, so the reader sees that something was there.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x84\x86-\x9f\ufdd0-\ufdef\ufffe\uffff]"
    "|[\U0001fffe\U0001ffff\U0010fffe\U0010ffff]"
)
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`{}|\\^]+$")


def squash(text: object) -> str:
    """Text on one line: runs of whitespace (newlines included) become one space, and
    control characters and noncharacters show as U+FFFD."""
    return _SPACE.sub(" ", _INVISIBLE.sub("\ufffd", str(text))).strip()


def md(text: object) -> str:
    """KB text for Markdown (inline or a paragraph of its own): shows as typed, inert."""
    flat = squash(text)
    if flat and flat[0] in _LINE_START:
        return f"&#{ord(flat[0])};" + flat[1:].translate(_MD_TABLE)
    return flat.translate(_MD_TABLE)


def paragraphs(text: object) -> str:
    """Longer KB text as Markdown paragraphs: blank lines in the text separate them."""
    parts = [md(part) for part in re.split(r"\n\s*\n", str(text)) if part.strip()]
    return "\n\n".join(parts)


def html_text(text: object) -> str:
    """KB text for raw HTML element content (raw HTML blocks, <pre>)."""
    return html.escape(_INVISIBLE.sub("\ufffd", str(text)), quote=True)


def html_line(text: object) -> str:
    """KB text for raw HTML on one line: no blank line can end the raw block early."""
    return html.escape(squash(text), quote=True)


def code(text: object) -> str:
    """Short KB text as inline code: an HTML <code> element, never a Markdown code span."""
    return f"<code>{md(text)}</code>"


def external_link(url: object, text: object | None = None) -> str:
    """A link to an outside http(s) URL; any other scheme is shown as inert text."""
    target = squash(url)
    label = md(text if text is not None else target)
    if not _SAFE_URL.match(target):
        return label
    return f'<a href="{html.escape(target, quote=True)}" rel="nofollow">{label}</a>'
