"""Sentence-aware chunks: whole sentences packed up to a word-piece budget, with exact char and line spans."""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.load import Document
from rag.text import LineIndex, sentence_spans

CountTokens = Callable[[Sequence[str]], list[int]]
TokenOffsets = Callable[[Sequence[str]], list[list[tuple[int, int]]]]  # each text's word pieces as (start, end)
_WORD = re.compile(r"\S+")
_SPACE = re.compile(" ")


@dataclass(frozen=True)
class Chunk:
    """A verbatim slice of a document: text == document.text[char_start:char_end]."""

    index: int
    text: str
    char_start: int
    char_end: int
    start_line: int
    end_line: int
    sha256: str
    # (page, the page's first line) for each page the chunk's lines are on; empty for documents without pages.
    pages: tuple[tuple[int, int], ...] = ()


class _Pieces:
    """Word pieces of one over-long sentence, found once: how many overlap text[a:b] is two bisections.

    From the tokenizer's offsets when the embedder gives them; otherwise each whitespace-separated word is counted
    once (one batch call) and a word of k pieces is given k equal slices of its characters. Either way a cut at a
    space counts exactly what counting text[a:b] again would (word pieces never cross whitespace).
    """

    def __init__(self, text: str, start: int, end: int, spans: Sequence[tuple[int, int]]) -> None:
        self._starts = [start + a for a, _ in spans]
        self._ends = [start + b for _, b in spans]
        self._spaces = [m.start() for m in _SPACE.finditer(text, start, end)]

    @classmethod
    def by_words(cls, text: str, start: int, end: int, count: CountTokens) -> _Pieces:
        """Without offsets: count each word once, slice it evenly."""
        words = [(m.start() - start, m.end() - start) for m in _WORD.finditer(text, start, end)]
        spans: list[tuple[int, int]] = []
        for (a, b), k in zip(words, count([text[start + a : start + b] for a, b in words]), strict=True):
            spans.extend((a + (b - a) * i // k, a + (b - a) * (i + 1) // k) for i in range(k))
        return cls(text, start, end, spans)

    def overlapping(self, a: int, b: int) -> int:
        """Pieces that overlap text[a:b]."""
        return max(0, bisect.bisect_left(self._starts, b) - bisect.bisect_right(self._ends, a))

    def last_space(self, a: int, b: int) -> int:
        """text.rfind(" ", a, b) in a bisection."""
        i = bisect.bisect_left(self._spaces, b) - 1
        return self._spaces[i] if i >= 0 and self._spaces[i] >= a else -1


def _split_long(text: str, start: int, end: int, budget: int, words: _Pieces) -> list[tuple[int, int]]:
    """Cut one over-long sentence at spaces into pieces within budget.

    Each cut shrinks the candidate end by a quarter (back to a space) until it fits, as it always has; the pieces
    are found once up front, so each try is a bisection, not a new count of the rest of the sentence (that was
    quadratic: a 2 MB line without full stops took hours).
    """
    pieces: list[tuple[int, int]] = []
    a = start
    while a < end:
        b = end
        while words.overlapping(a, b) > budget:
            mid = a + (b - a) * 3 // 4
            cut = words.last_space(a, mid)
            b = cut if cut > a else max(mid, a + 1)
        pieces.append((a, b))
        a = b
        while a < end and text[a].isspace():
            a += 1
    return pieces


def _mid_word(text: str, at: int, edge: int) -> bool:
    """Whether a cut at `at` (not the sentence's own edge) falls between two non-space characters."""
    return at != edge and not text[at - 1].isspace() and not text[at].isspace()


def chunk_fields(doc: Document, c: Chunk) -> dict[str, object]:
    """What locates a chunk in its document, the same in a stored point's payload and a llama-index node: source,
    title, index, lines, pages (PDFs: the page each line is on, as (page, its first line) pairs; "page" is the
    chunk's first page) and its text's hash."""
    return {
        "source": doc.source,
        "title": doc.title,
        "chunk_index": c.index,
        "start_line": c.start_line,
        "end_line": c.end_line,
        "page": c.pages[0][0] if c.pages else None,
        "pages": [list(p) for p in c.pages],
        "sha256": c.sha256,
    }


def chunk_document(
    doc: Document, *, max_tokens: int, count_tokens: CountTokens, token_offsets: TokenOffsets | None = None
) -> list[Chunk]:
    """Pack whole sentences into chunks of about max_tokens word pieces (plus one sentence of overlap).

    Linear in the text's length. token_offsets (the embedder's, when it has them) saves counting long sentences
    twice; the chunks are the same with or without it.
    """
    text = doc.text
    spans = sentence_spans(text)
    sentences = [text[a:b] for a, b in spans]
    offsets = token_offsets(sentences) if token_offsets is not None else None
    counts = [len(o) for o in offsets] if offsets is not None else count_tokens(sentences)
    units: list[tuple[int, int, int]] = []  # (start, end, tokens)
    for i, ((a, b), n) in enumerate(zip(spans, counts, strict=True)):
        if n <= max_tokens:
            units.append((a, b, n))
            continue
        words = _Pieces(text, a, b, offsets[i]) if offsets is not None else _Pieces.by_words(text, a, b, count_tokens)
        pieces = _split_long(text, a, b, max_tokens, words)
        # A piece cut at spaces has exactly the pieces it overlaps; one cut inside a word is counted again.
        inside = [j for j, (x, y) in enumerate(pieces) if _mid_word(text, x, a) or _mid_word(text, y, b)]
        recount = dict(zip(inside, count_tokens([text[pieces[j][0] : pieces[j][1]] for j in inside]), strict=True))
        units.extend((x, y, recount.get(j, words.overlapping(x, y))) for j, (x, y) in enumerate(pieces))
    groups: list[list[tuple[int, int, int]]] = []
    current: list[tuple[int, int, int]] = []
    size = 0
    for unit in units:
        new_paragraph = bool(current) and "\n" in text[current[-1][1] : unit[0]]
        too_big = size + unit[2] + 1 > max_tokens
        # A paragraph break is a good place to stop once the chunk holds a fair amount.
        if current and (too_big or (new_paragraph and size >= max_tokens * 0.6)):
            groups.append(current)
            current, size = [], 0
        current.append(unit)
        size += unit[2] + 1
    if current:
        groups.append(current)
    # A tiny tail ("Share this article") joins the chunk before it when it fits.
    tail_fits = len(groups) > 1 and sum(u[2] + 1 for u in groups[-2] + groups[-1]) <= max_tokens
    if tail_fits and sum(u[2] for u in groups[-1]) < 16:
        groups[-2:] = [groups[-2] + groups[-1]]
    lines = LineIndex(text)
    chunks: list[Chunk] = []
    for i, g in enumerate(groups):
        a, b = g[0][0], g[-1][1]
        # One sentence of overlap: the next chunk's first sentence often finishes this chunk's last thought.
        if i + 1 < len(groups) and "\n\n" not in text[b : groups[i + 1][0][0]]:
            b = groups[i + 1][0][1]
        body = text[a:b]
        first, last = lines.line_of(a), lines.line_of(b - 1)
        chunks.append(
            Chunk(
                index=i,
                text=body,
                char_start=a,
                char_end=b,
                start_line=first,
                end_line=last,
                sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
                pages=pages_of(doc, first, last),
            )
        )
    return chunks


def pages_of(doc: Document, first: int, last: int) -> tuple[tuple[int, int], ...]:
    """(page, first line of that page) for the pages lines first..last are on (none for unpaged documents)."""
    start, end = doc.page_of(first), doc.page_of(last)
    if start is None or end is None:
        return ()
    return tuple(
        (n, doc.page_starts[n - 1])
        for n in range(start, end + 1)
        if n == start or doc.page_of(doc.page_starts[n - 1]) == n  # pages holding no line are left out
    )
