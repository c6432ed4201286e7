"""The refusal floor a large library measures from itself (rag/calibrate.py), with the real embedder."""

from __future__ import annotations

from rag.calibrate import MIN_DOCUMENTS, library_floor
from rag.retrieval.embeddings import Embedder

TOPICS = [
    "volcano eruption lava",
    "football match final score",
    "minimum wage increase",
    "meteor shower night sky",
    "insulin price cap",
    "wildfire acres burned",
    "film festival award",
    "stock market record high",
    "presidential primary caucus",
    "olympic surfing contest",
    "cicada brood emergence",
    "solar eclipse path",
]


def _library(n: int, embedder: Embedder) -> list[tuple[dict[str, object], list[float]]]:
    texts = [
        f"Reporters covered the {TOPICS[i % len(TOPICS)]} story number {i} in detail this week. "
        f"Officials in district {i} said the {TOPICS[i % len(TOPICS)]} drew wide attention from residents."
        for i in range(n)
    ]
    vectors = embedder.embed_documents(texts)
    return [({"source": f"doc{i}.txt", "text": t}, v) for i, (t, v) in enumerate(zip(texts, vectors, strict=True))]


def test_a_library_floor_is_the_typical_closeness_of_one_article_to_the_others(embedder: Embedder) -> None:
    points = _library(60, embedder)
    floor = library_floor(points, embedder.embed_queries)
    assert floor is not None and 0.3 < floor < 1.0
    # measured again over the same library, the same floor: a sample drawn the same way
    assert library_floor(points, embedder.embed_queries) == floor
    # a sentence of one article comes closer to its own article than the floor
    own = embedder.embed_queries(["Reporters covered the volcano eruption lava story number 0 in detail."])[0]
    assert sum(a * b for a, b in zip(own, points[0][1], strict=True)) > floor


def test_a_small_library_sets_no_floor(embedder: Embedder) -> None:
    assert library_floor(_library(MIN_DOCUMENTS - 1, embedder), embedder.embed_queries) is None
