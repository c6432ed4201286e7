"""Quotes as an answer shows them: unit vectors to compare them, whether a passage names a thing, the markers
that follow each quote, and one footnote for a quote that two overlapping chunks hold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from rag.answer.evidence import Evidence
from rag.cite import MARKER_LIKE, sentences_of
from rag.names import name_terms, names_an_alias, names_its_place
from rag.retrieval import sparse
from rag.retrieval.corpus import acronyms, name_forms, name_pieces, squash
from rag.types import Passage


def unit_vector(v: Sequence[float]) -> np.ndarray:
    a = np.asarray(v, dtype=np.float32)
    n = float(np.linalg.norm(a))
    return a / n if n > 0 else a


def has_name(name: str, passage: Passage) -> bool:
    have = sparse.term_set(passage.text) | sparse.term_set(passage.title)
    compounds = [h for h in have if "-" in h or "." in h]

    def found(t: str) -> bool:  # "Omni": a piece of "Qwen2.5-Omni-7B" is what a reader calls it for short
        return t in have or any(h.startswith(t) or t in h.split("-") for h in compounds)

    ways = name_terms(name)
    if not ways or any(all(found(t) for t in w) for w in ways):
        return True
    text = f"{passage.title}\n{passage.text}"
    # Written with other spacing or hyphens ("Llama2": "Llama 2"), or a pair ("China-US") named apart ...
    forms = name_forms(text)
    form = squash(name)
    if len(form) > 1 and any(f.startswith(form) for f in forms):
        return True
    pieces = [squash(p) for p in name_pieces(name)]
    if len(pieces) > 1 and all(p in forms for p in pieces):
        return True
    # ... or an acronym of a capitalized phrase of the passage ("FAQ": "Frequently Asked Questions") ...
    if name.isupper() and name.lower() in acronyms(text):
        return True
    # ... or the place a people's word is of ("the Botswanan president": Botswana), or the country by another name.
    return names_its_place(name, (w.lower() for w in text.split() if w[:1].isupper())) or names_an_alias(name, text)


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


def _literal(text: str) -> str:
    return MARKER_LIKE.sub(lambda m: f"({m.group(1)})", text)
