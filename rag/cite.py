"""[n] markers <-> citations: quotes are verbatim sentences of the cited passage, with their lines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.retrieval import sparse
from rag.text import sentence_spans
from rag.types import Citation, Passage

MARKER = re.compile(r"\s*\[(\d{1,3})\]")
# A document's own bracketed number ("see [3]") looks like a marker; answerers turn it into "(3)".
MARKER_LIKE = re.compile(r"\[(\d{1,3})\]")
_CLAIM = re.compile(r"[^.!?\n]*?[.!?]?(?:\s*\[\d{1,3}\])+[.!?]?|[^.!?\n]+[.!?]?", re.S)
SUPPORT_MIN = 0.34


@dataclass(frozen=True)
class Cited:
    """Answer text renumbered in order of first use, its citations, and claims their passage does not support."""

    text: str
    citations: tuple[Citation, ...]
    unsupported: tuple[str, ...]


@dataclass(frozen=True)
class Sentence:
    """A sentence of a passage and where it lies in the source file."""

    text: str
    start: int  # offset inside the passage text
    end: int


def sentences_of(passage: Passage) -> list[Sentence]:
    """The passage's sentences with offsets into passage.text."""
    return [Sentence(passage.text[a:b], a, b) for a, b in sentence_spans(passage.text)]


def lines_of(passage: Passage, start: int, end: int) -> tuple[int, int]:
    """1-based file lines of passage.text[start:end]."""
    first = passage.start_line + passage.text.count("\n", 0, start)
    last = passage.start_line + passage.text.count("\n", 0, max(start, end - 1))
    return first, last


def support(claim: str, sentence: str) -> float:
    """Share of the claim's content terms that the sentence contains."""
    c = set(sparse.terms(MARKER.sub("", claim)))
    if not c:
        return 1.0
    return len(c & set(sparse.terms(sentence))) / len(c)


def _claims(text: str) -> list[tuple[str, list[int], str]]:
    """(claim text, passage numbers, the unmarked text before it since the last marker) for each sentence that
    carries markers: a quote's lead ("Q: What is ...? A: The main benefit ... [1]") is quoted under its marker."""
    out = []
    before: list[str] = []
    for m in _CLAIM.finditer(text):
        piece = m.group(0)
        nums = [int(n) for n in MARKER.findall(piece)]
        if nums:
            out.append((MARKER.sub("", piece).strip(), nums, " ".join(before)))
            before = []
        elif piece.strip():
            before.append(piece.strip())
    return out


def cite(text: str, passages: Sequence[Passage]) -> Cited:
    """Drop markers that point to no passage (or a flagged one), renumber the rest by first use, quote the best."""
    valid = {i for i, p in enumerate(passages, start=1) if not p.flags}
    order: list[int] = []
    claims_for: dict[int, list[str]] = {}
    leads_for: dict[int, list[str]] = {}
    for claim, nums, lead in _claims(text):
        for n in nums:
            if n in valid:
                if n not in order:
                    order.append(n)
                claims_for.setdefault(n, []).append(claim)
                leads_for.setdefault(n, []).append(lead)
    renumber = {old: new for new, old in enumerate(order, start=1)}

    def _sub(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f" [{renumber[n]}]" if n in renumber else ""

    new_text = MARKER.sub(_sub, text)
    new_text = re.sub(r"(\[\d+\])(?: \1)+", r"\1", new_text).strip()
    citations: list[Citation] = []
    unsupported: list[str] = []
    for old in order:
        p = passages[old - 1]
        sents = sentences_of(p) or [Sentence(p.text, 0, len(p.text))]
        chosen: list[Sentence] = []
        for claim, lead in zip(claims_for[old], leads_for[old], strict=True):
            best = max(sents, key=lambda s: support(claim, s.text))
            if support(claim, best.text) < SUPPORT_MIN and support(claim, p.text) < SUPPORT_MIN:
                unsupported.append(claim)
            # the sentences quoted word for word under this marker, its lead's too, are what the lines must hold
            said = f"{lead} {claim}"
            for s in [best, *(t for t in sents if t is not best and len(t.text) >= 12 and t.text in said)]:
                if s not in chosen:
                    chosen.append(s)
        a = min(s.start for s in chosen)
        b = max(s.end for s in chosen)
        if len(chosen) > 1 and b - a > 600:  # far-apart sentences: quote the first only
            a, b = chosen[0].start, chosen[0].end
        first, last = lines_of(p, a, b)
        start_at, end_at = p.page_at(first), p.page_at(last)
        citations.append(
            Citation(
                n=renumber[old],
                source=p.source,
                title=p.title,
                start_line=first,
                end_line=last,
                quote=p.text[a:b],
                score=p.score,
                trust=p.trust,
                page=start_at[0] if start_at else None,
                page_end=end_at[0] if end_at else None,
                page_lines=(start_at[1], end_at[1]) if start_at and end_at else None,
            )
        )
    return Cited(new_text, tuple(citations), tuple(unsupported))


_SAFE_CUT = re.compile(r"[.!?\]\"”’)]\s+(?=[^\s\[])")
_REPEATED = re.compile(r"(\[\d+\])(?: \1)+")


class MarkerStream:
    """Checks [n] markers while text streams: a sentence is released once complete, its markers renumbered by
    first use (unknown or flagged numbers dropped). What it releases, joined, is the final answer text."""

    def __init__(self, candidates: Sequence[Passage]) -> None:
        self.candidates = candidates
        self.limit = len(candidates)  # markers above this number name nothing (see rag.answer.Numbering)
        self.order: list[int] = []  # candidate numbers in order of first use
        self._buffer = ""
        self._released: list[str] = []

    def valid(self, n: int) -> bool:
        """Whether marker n points at a citable candidate."""
        return 1 <= n <= min(self.limit, len(self.candidates)) and not self.candidates[n - 1].flags

    def _check(self, piece: str) -> str:
        def sub(m: re.Match[str]) -> str:
            n = int(m.group(1))
            if not self.valid(n):
                return ""
            if n not in self.order:
                self.order.append(n)
            return f" [{self.order.index(n) + 1}]"

        return _REPEATED.sub(r"\1", MARKER.sub(sub, piece))

    def _emit(self, piece: str) -> str:
        out = self._check(piece)
        if not self._released:
            out = out.lstrip()
        if not out.strip():
            return ""
        self._released.append(out)
        return out

    def feed(self, delta: str) -> str:
        """Add streamed text; return what is now complete and checked ("" when nothing is)."""
        self._buffer += delta
        cut = None
        for m in _SAFE_CUT.finditer(self._buffer):
            cut = m.start() + 1  # the whitespace after stays: nothing released ever ends in space
        if cut is None:
            return ""
        piece, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return self._emit(piece)

    def close(self) -> str:
        """The rest, checked; the released text then ends without trailing space."""
        piece, self._buffer = self._buffer, ""
        return self._emit(piece.rstrip())

    @property
    def text(self) -> str:
        """Everything released so far."""
        return "".join(self._released)

    @property
    def cited(self) -> list[Passage]:
        """The cited candidates, in the new numbering."""
        return [self.candidates[n - 1] for n in self.order]
