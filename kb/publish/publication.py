"""Facts about the KB as a published work: its title, creator, licence, language and dates.

Read by the exports that describe the KB as a whole (the SKOS concept scheme). They agree
with ``CITATION.cff`` and the site's cite page (a test compares them with the former). The
licence covers the KB's own text and data; the quotes remain their authors' words (the
essay's licence is unknown, so its full text is not shipped).
"""

from __future__ import annotations

TITLE = "Inner alignment KB: an annotated knowledge base of the debate over 'inner alignment'"
DESCRIPTION = (
    "The terms of the debate over what 'inner alignment' means, as Rauno Arike's essay "
    "'Clarifying the confusion around inner alignment' (AI Alignment Forum, 2022) lays it "
    "out. Each concept carries every competing definition the knowledge base records, one "
    "skos:definition each, saying who holds it, in which source and under which approach; "
    "skos:note says which links between concepts are the project's reading rather than the "
    "essay's words. Who endorses which definition is the essay author's interpretation."
)
CREATOR = "The inner-alignment-kb contributors"
#: The licence of the KB's own text and data (not of the quoted works).
LICENSE_IRI = "http://spdx.org/licenses/MIT"
#: Its SPDX identifier, as ``CITATION.cff`` and ``pyproject.toml`` give it.
LICENSE_NAME = "MIT"
#: The language of every text in the KB.
LANGUAGE = "en"
#: The day the KB's terms were first committed (the repository's history).
CREATED = "2026-11-28"
