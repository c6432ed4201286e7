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


def section_asked(
    topic: set[str], names: set[str], passages: Sequence[Passage], asked: str = ""
) -> tuple[int, int] | None:
    """The (first, last) file lines of the section whose heading the topic's terms name, if exactly one does.

    A heading of names alone ("Franklin Manuel", a byline) is the question's way to name the article, not a
    section of it: the heading needs a word besides the question's names. When the asked text says it wants a
    section ("the Call to Action section"), a heading is named by two of its words, or its one word, in the
    question; the heading that the question names the largest share of, if one does alone."""
    if not passages:
        return None
    hs = headings(passages)
    last = max(p.end_line for p in passages)
    first = min(p.start_line for p in passages)
    spans = [(line, hs[i + 1][0] - 1 if i + 1 < len(hs) else last) for i, (line, _) in enumerate(hs)]
    # "the section on open source" names "Open-Source: Fueling Innovation" by all its topic words
    content = topic - _SECTION_WORDS
    named = []
    for (line, text), span in zip(hs, spans, strict=True):
        words = set(sparse.terms(text))
        if (
            topic
            and line != first
            and (  # the title names the article, not a section of it
                (words - names and words <= topic) or (acronyms(text) & topic) or (content and content <= words - names)
            )
        ):
            named.append(span)
    if len(named) == 1:
        return named[0]
    if named or not _SECTION_WORDS & set(sparse.terms(asked)):
        return _position_asked(asked, passages)
    terms = _heading_words(asked) - _SECTION_WORDS
    shares = []
    for (line, text), span in zip(hs, spans, strict=True):
        words = _heading_words(text)
        held = len(words & terms)
        if line != first and words and held >= min(2, len(words)):
            shares.append((held / len(words), span))
    shares.sort(reverse=True)
    if shares and (len(shares) == 1 or shares[0][0] > shares[1][0]):
        return shares[0][1]
    return _position_asked(asked, passages)


_FUNCTION_WORDS = frozenset("a an the to for of and or in on at by with vs versus".split())


def _heading_words(text: str) -> set[str]:
    """A heading's words, stemmed, stopwords kept ("A Call to Action": "call", "action"); function words dropped."""
    stem = sparse.terms
    return {(stem(w) or [w])[0] for w in sparse.words(text) if w not in _FUNCTION_WORDS}


_CLOSING = re.compile(
    r"\b(?:(?:closing|final|last|concluding|ending)\s+(?P<end>paragraphs?|sections?|parts?|lines?)"
    r"|(?:at|in|towards?) the end of|(?:its|the) conclusion)\b",
    re.IGNORECASE,
)
_OPENING = re.compile(
    r"\b(?:(?:opening|first|introductory)\s+(?P<start>paragraphs?|sections?|parts?|lines?)"
    r"|(?:its|the) (?:introduction|intro)|(?:at|in) the (?:start|beginning) of)\b",
    re.IGNORECASE,
)
POSITION_PARAGRAPHS = 3  # "the closing paragraphs": the article's last three


def _position_asked(asked: str, passages: Sequence[Passage]) -> tuple[int, int] | None:
    """The lines of the paragraphs a question places by position: "the closing paragraphs", "the opening
    paragraph", "the conclusion" (the last paragraphs; one where the question says one)."""
    closing, opening = _CLOSING.search(asked), _OPENING.search(asked)
    if bool(closing) == bool(opening):
        return None
    lines: dict[int, str] = {}
    for p in passages:
        for k, line in enumerate(p.text.split("\n")):
            lines[p.start_line + k] = line
    paragraphs = sorted(n for n, line in lines.items() if line.strip() and not is_heading(line))
    if not paragraphs:
        return None
    unit = closing.group("end") if closing else opening.group("start") if opening else None
    n = 1 if unit and not unit.lower().endswith("s") else POSITION_PARAGRAPHS
    picked = paragraphs[-n:] if closing else paragraphs[:n]
    return picked[0], picked[-1]
