"""The refusal gate's floor, read from the library itself: how close a passage of one article comes to others.

A question whose best passage is no closer than a typical sentence of one article comes to *other* articles is
about something the library only touches. In a small library on one subject every article is that close to
every other, so no floor is set there.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from rag.text import sentence_spans

log = logging.getLogger(__name__)

SAMPLE = 512  # sentences sampled: the floor's spread over samplings is ~0.008 (sd; 0.019 with 128)
MIN_DOCUMENTS = 50  # below this, "other articles" are on the same subject: the floor would refuse real questions
PERCENTILE = 45  # news tune: refusal .697 at false refusals .031 for 40-45; 50 refuses 7 of 131 answerable
MIN_WORDS = 8


def library_floor(
    points: Iterable[tuple[dict[str, object], list[float]]],
    embed: Callable[[Sequence[str]], list[list[float]]],
    *,
    sample: int = SAMPLE,
    min_documents: int = MIN_DOCUMENTS,
    percentile: float = PERCENTILE,
    seed: int = 0,
) -> float | None:
    """The median best cosine from a sampled sentence to another document's passages; None for small libraries."""
    sources: list[str] = []
    texts: list[str] = []
    vectors: list[list[float]] = []
    for payload, vector in points:
        sources.append(str(payload.get("source", "")))
        texts.append(str(payload.get("text", "")))
        vectors.append(vector)
    if len(set(sources)) < min_documents:
        return None
    matrix = np.asarray(vectors, dtype=np.float32)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
    rng = random.Random(seed)
    picks: list[tuple[int, str]] = []
    for i in rng.sample(range(len(texts)), min(len(texts), sample * 2)):
        sents = [texts[i][a:b] for a, b in sentence_spans(texts[i]) if len(texts[i][a:b].split()) >= MIN_WORDS]
        if sents:
            picks.append((i, sents[0]))
        if len(picks) >= sample:
            break
    if not picks:
        return None
    queries = np.asarray(embed([s for _, s in picks]), dtype=np.float32)
    queries /= np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-9)
    src = np.asarray(sources)
    scores = queries @ matrix.T
    best = [float(scores[k][src != src[i]].max()) for k, (i, _) in enumerate(picks)]
    floor = float(np.percentile(best, percentile))
    log.info("refusal floor %.3f from %d sampled sentences of %d documents", floor, len(best), len(set(sources)))
    return floor
