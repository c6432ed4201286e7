"""Sentence-aware chunks: whole sentences packed up to a word-piece budget, with exact char and line spans."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.load import Document
from rag.text import LineIndex, sentence_spans

CountTokens = Callable[[Sequence[str]], list[int]]


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


def _split_long(text: str, start: int, end: int, budget: int, count: CountTokens) -> list[tuple[int, int]]:
    """Cut one over-long sentence at spaces into pieces within budget."""
    pieces: list[tuple[int, int]] = []
    a = start
    while a < end:
        b = end
        while count([text[a:b]])[0] > budget:
            cut = text.rfind(" ", a, a + (b - a) * 3 // 4)
            b = cut if cut > a else a + (b - a) * 3 // 4
        pieces.append((a, b))
        a = b
        while a < end and text[a].isspace():
            a += 1
    return pieces


def chunk_document(doc: Document, *, max_tokens: int, count_tokens: CountTokens) -> list[Chunk]:
    """Pack whole sentences into chunks of about max_tokens word pieces (plus one sentence of overlap)."""
    text = doc.text
    spans = sentence_spans(text)
    units: list[tuple[int, int, int]] = []  # (start, end, tokens)
    for (a, b), n in zip(spans, count_tokens([text[a:b] for a, b in spans]), strict=True):
        if n <= max_tokens:
            units.append((a, b, n))
        else:
            pieces = _split_long(text, a, b, max_tokens, count_tokens)
            units.extend(
                (x, y, m) for (x, y), m in zip(pieces, count_tokens([text[x:y] for x, y in pieces]), strict=True)
            )
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
    chunks = []
    for i, g in enumerate(groups):
        a, b = g[0][0], g[-1][1]
        # One sentence of overlap: the next chunk's first sentence often finishes this chunk's last thought.
        if i + 1 < len(groups) and "\n\n" not in text[b : groups[i + 1][0][0]]:
            b = groups[i + 1][0][1]
        body = text[a:b]
        chunks.append(
            Chunk(
                index=i,
                text=body,
                char_start=a,
                char_end=b,
                start_line=lines.line_of(a),
                end_line=lines.line_of(b - 1),
                sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
            )
        )
    return chunks
