"""Sections of an article: a short title-like line opens one, and runs to the next.

"Summarize the FAQ section", "what the article says about the competitive landscape": when the words of a
summary's topic name one of the article's headings (or its initials), the summary reads that section only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.retrieval import sparse
from rag.retrieval.corpus import acronyms
from rag.types import Passage

HEADING_MAX_WORDS = 9
_SECTION_WORDS = frozenset(sparse.terms("section sections part parts paragraph paragraphs portion segment heading"))
_ENDS_SENTENCE = re.compile(r"[.!?:;,\"”’)]\s*$")


def is_heading(line: str) -> bool:
    """A short line that starts with a capital and does not end like a sentence."""
    s = line.strip()
    n = len(s.split())
    return 1 <= n <= HEADING_MAX_WORDS and s[:1].isupper() and not _ENDS_SENTENCE.search(s)


def headings(passages: Sequence[Passage]) -> list[tuple[int, str]]:
    """(file line, text) of the headings in one source's passages, in file order."""
    found: dict[int, str] = {}
    for p in passages:
        for k, line in enumerate(p.text.split("\n")):
            if is_heading(line):
                found[p.start_line + k] = line.strip()
    return sorted(found.items())


def line_of(passage: Passage, offset: int) -> int:
    """The file line of a character offset inside a passage's text."""
    return passage.start_line + passage.text.count("\n", 0, offset)


def section_asked(topic: set[str], names: set[str], passages: Sequence[Passage]) -> tuple[int, int] | None:
    """The (first, last) file lines of the section whose heading the topic's terms name, if exactly one does.

    A heading of names alone ("Franklin Manuel", a byline) is the question's way to name the article, not a
    section of it: the heading needs a word besides the question's names."""
    if not topic or not passages:
        return None
    hs = headings(passages)
    last = max(p.end_line for p in passages)
    named = []
    # "the section on open source" names "Open-Source: Fueling Innovation" by all its topic words
    content = topic - _SECTION_WORDS
    for i, (line, text) in enumerate(hs):
        words = set(sparse.terms(text))
        if (words - names and words <= topic) or (acronyms(text) & topic) or (content and content <= words - names):
            end = hs[i + 1][0] - 1 if i + 1 < len(hs) else last
            named.append((line, end))
    return named[0] if len(named) == 1 else None
