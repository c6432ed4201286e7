"""Sentence spans and line numbers: shared by chunking (ingest) and quoting (answers)."""

from __future__ import annotations

import bisect
import re

# Calendar words, as regex alternations: question analysis (a month is not a name) and evidence (dates) share them.
MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December"
WEEKDAYS = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# The verbs a request opens with ("Compare Qwen ...", "List the ...", "Summarize the ..."): no name, and a question
REQUEST_VERBS = (
    r"tell|give|list|name|summari[sz]e|explain|describe|compare|contrast|show|define|find|identify|outline|provide|"
    r"please"
)

# A sentence ends at . ! ? (plus closing quotes/brackets) before whitespace and a capital, digit or quote.
_BOUNDARY = re.compile(r"(?<=[.!?])([\"”’')\]]*)\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Inc|Ltd|Jr|Sr|vs|etc|e\.g|i\.e|Gov|Sen|Rep|Gen|Lt|Col|Capt|Sgt|Rev|Hon|Mt|Ft)"
    r"|\b[A-Z])\.$"
)
# ... and before a figure: "on Feb. 11", "No. 7 in 2012", "Vol. 3".
_ABBREV_NUMBER = re.compile(r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|Nos|Vol|Fig|pp|Sec|Ch)\.$")


def sentence_spans(text: str, base: int = 0) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of text; lines always end a sentence."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        cut = 0
        for m in _BOUNDARY.finditer(line):
            before = line[max(0, m.start() - 12) : m.start()]  # a window: linear on long lines
            if _ABBREV.search(before) or (line[m.end() : m.end() + 1].isdigit() and _ABBREV_NUMBER.search(before)):
                continue
            _add(spans, line, cut, m.end(1), start + base)
            cut = m.end()
        _add(spans, line, cut, len(line), start + base)
    return spans


def _add(spans: list[tuple[int, int]], line: str, a: int, b: int, offset: int) -> None:
    piece = line[a:b]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    spans.append((offset + a + lead, offset + a + lead + len(stripped)))


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1


class LineIndex:
    """Line numbers of many offsets in one text: the newlines found once, each lookup a bisection."""

    def __init__(self, text: str) -> None:
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset (same as line_of(text, offset))."""
        return bisect.bisect_left(self._newlines, offset) + 1


CHECKED = "Is it true that "
_PRONOUN_OR_ARTICLE = ("the", "a", "an", "this", "that", "these", "those", "it", "they", "he", "she", "we")


def whether_true(claim: str) -> str:
    """A claim asked as a question: "The article mentions Apple" -> "Is it true that the article mentions Apple?"."""
    first, _, rest = claim.partition(" ")
    if first.lower() in _PRONOUN_OR_ARTICLE:
        claim = f"{first.lower()} {rest}"
    return f"{CHECKED}{claim}?"
