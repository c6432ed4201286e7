"""Quotes as an answer shows them: unit vectors to compare them, whether a passage names a thing, the markers
that follow each quote, and one footnote for a quote that two overlapping chunks hold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from rag.answer.evidence import Evidence
from rag.cite import MARKER_LIKE, sentences_of
from rag.types import Passage


def unit_vector(v: Sequence[float]) -> np.ndarray:
    a = np.asarray(v, dtype=np.float32)
    n = float(np.linalg.norm(a))
    return a / n if n > 0 else a


def rehome(picked: list[Evidence], candidates: Sequence[Passage]) -> list[Evidence]:
    """Chunks overlap: when the next quote's passage also holds this one, cite both from it (one footnote)."""
    out = list(picked)
    for i in range(len(out) - 2, -1, -1):
        here, nxt = out[i], out[i + 1]
        if here.passage_no == nxt.passage_no:
            continue
        later = candidates[nxt.passage_no - 1]
        if later.source != candidates[here.passage_no - 1].source:
            continue
        same = next((t for t in sentences_of(later) if t.text == here.sentence.text), None)
        if same is not None:
            out[i] = replace(here, passage_no=nxt.passage_no, sentence=same)
    return out


def render(picked: Sequence[Evidence]) -> str:
    """Quotes joined, each followed by its passage marker; a document's own "[n]" becomes "(n)"."""
    out = []
    for e in picked:
        # A sentence that leans on the one before is quoted with it, under one marker.
        lead = f"{_literal(e.lead.text)} " if e.lead is not None else ""
        out.append(f"{lead}{_literal(e.sentence.text)} [{e.passage_no}]")
    return " ".join(out)


def render_lines(picked: Sequence[Evidence]) -> str:
    """Quotes that are lines of their own, not sentences (an article's headings), one list item each."""
    return "\n".join(f"- {_literal(e.sentence.text.strip())} [{e.passage_no}]" for e in picked)


def _literal(text: str) -> str:
    return MARKER_LIKE.sub(lambda m: f"({m.group(1)})", text)
