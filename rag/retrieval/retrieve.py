"""Hybrid retrieval: dense (cosine) and BM25 sparse hits from Qdrant, fused by normalized score."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from rag.errors import EmptyStore
from rag.hostile import flags_of
from rag.retrieval import sparse
from rag.retrieval.corpus import CorpusStats
from rag.retrieval.embeddings import Embedder
from rag.retrieval.store import Hit, Store
from rag.types import Passage

SPARSE_WEIGHT = 0.5
FAMILY_WEIGHT = 0.25  # a term that goes on from a query stem ("partnership" for "partnering") weighs this much of it
LATE_DENSE = 10  # the best keyword hits that get a dense score when the dense list does not reach them


@dataclass(frozen=True)
class Retrieval:
    """Fused passages plus the raw signals the refusal gate reads."""

    passages: list[Passage]
    best_dense: float
    query_vector: list[float]
    timings_ms: dict[str, float]


def _passage(payload: dict[str, Any], score: float) -> Passage:
    return Passage(
        source=str(payload["source"]),
        title=str(payload.get("title", payload["source"])),
        chunk_index=int(payload.get("chunk_index", 0)),
        start_line=int(payload["start_line"]),
        end_line=int(payload["end_line"]),
        char_start=int(payload.get("char_start", 0)),
        char_end=int(payload.get("char_end", 0)),
        text=str(payload["text"]),
        score=score,
        trust="contributed" if payload.get("trust") == "contributed" else "curated",
        # Stores written before hostile-text marking carry no flags: judge the text now.
        flags=tuple(payload["flags"]) if "flags" in payload else flags_of(str(payload["text"])),
        pages=tuple((int(p[0]), int(p[1])) for p in payload.get("pages") or ()),
    )


class Retriever:
    """Turns a query into ranked passages."""

    def __init__(self, store: Store, embedder: Embedder, *, contributed_weight: float = 1.0) -> None:
        self.store = store
        self.embedder = embedder
        self.contributed_weight = contributed_weight

    def document(self, source: str) -> list[Passage]:
        """A source's whole text as passages, in document order."""
        return [_passage(p, 0.0) for p in self.store.document(source)]

    def chunks(self, wanted: Sequence[tuple[str, int]]) -> list[Passage]:
        """The given (source, chunk_index) passages, as far as they exist."""
        return [_passage(p, 0.0) for p in self.store.chunks(wanted)]

    def retrieve(
        self,
        query: str,
        *,
        top_k: int = 5,
        corpus: CorpusStats | None = None,
        contributed_weight: float | None = None,
        related: Callable[[str], Sequence[str]] | None = None,
    ) -> Retrieval:
        """The top_k passages for query, best first (contributed passages' scores times contributed_weight).

        With corpus statistics, keyword scores are normalized against what the query could reach and documents
        a killed ingest left half-written are hidden; a query word the corpus never uses is searched as the words
        related gives for it (how news text puts the same relation: "pitching" as "touts")."""
        weight = self.contributed_weight if contributed_weight is None else contributed_weight
        t0 = time.perf_counter()
        dense = self.embedder.embed_query(query)
        t1 = time.perf_counter()
        if not self.store.exists():
            raise EmptyStore(
                f"collection '{self.store.collection_name}' at {self.store.where} does not exist yet: "
                "run `footnote ingest` first"
            )
        limit = max(top_k * 4, 20)
        # "partnering" finds "partnerships" too: a word family the stemmer splits, searched at a lower weight
        weights = sparse.query_weights(query)
        extra = (
            {e: FAMILY_WEIGHT * w for t, w in weights.items() for e in corpus.extensions(t) if e not in weights}
            if corpus
            else {}
        )
        if corpus is not None and related is not None:
            for t, w in weights.items():
                if t in corpus.df:
                    continue
                for start in related(t):
                    for e in [start, *corpus.extensions(start, shortest=len(start))]:
                        if e not in weights and e in corpus.df:
                            extra[e] = max(extra.get(e, 0.0), w)
        dense_hits, sparse_hits = self.store.query(dense, sparse.query_vector(query, extra), limit=limit)
        dense_hits = dense_hits + self._late_dense(dense, dense_hits, sparse_hits)
        # Half the best keyword score the query could reach: a weak keyword match is not scaled up to 1.
        reach = sum(w * corpus.idf(t) for t, w in sparse.query_weights(query).items()) if corpus else 0.0
        floors = {"dense": 0.0, "sparse": 0.5 * reach}
        t2 = time.perf_counter()
        fused: dict[str, float] = {}
        payloads: dict[str, dict[str, Any]] = {}
        dense_score: dict[str, float] = {}
        sparse_score: dict[str, float] = {}
        # Convex fusion of max-normalized scores: unlike rank fusion it keeps how far ahead a hit is.
        for side, hits, raw, side_weight in (
            ("dense", dense_hits, dense_score, 1 - SPARSE_WEIGHT),
            ("sparse", sparse_hits, sparse_score, SPARSE_WEIGHT),
        ):
            top = max([float(h.score) for h in hits] + [floors[side]])
            for h in hits:
                pid = str(h.id)
                payloads[pid] = dict(h.payload or {})
                raw[pid] = float(h.score)
                if top > 0:
                    fused[pid] = fused.get(pid, 0.0) + side_weight * max(0.0, float(h.score)) / top
        # Provenance: an uploaded passage must beat a curated one by a margin to rank above it, so a document
        # that contradicts the curated articles does not become the answer by stating the claim more directly.
        for pid in fused:
            if payloads[pid].get("trust") == "contributed":
                fused[pid] *= weight
        # A document a killed ingest left half-written never answers (the next ingest completes it).
        hidden = corpus.incomplete if corpus is not None else frozenset()
        ranked = sorted(fused, key=lambda pid: (-fused[pid], -dense_score.get(pid, 0.0)))
        order = [pid for pid in ranked if payloads[pid].get("source") not in hidden][:top_k]
        passages = [
            replace(
                _passage(payloads[pid], fused[pid]),
                dense_score=dense_score.get(pid, 0.0),
                sparse_score=sparse_score.get(pid, 0.0),
            )
            for pid in order
        ]
        best = max((float(h.score) for h in dense_hits), default=0.0)
        return Retrieval(
            passages=passages,
            best_dense=best,
            query_vector=dense,
            timings_ms={"embed": (t1 - t0) * 1000, "search": (t2 - t1) * 1000},
        )

    def _late_dense(self, dense: Sequence[float], dense_hits: Sequence[Hit], sparse_hits: Sequence[Hit]) -> list[Hit]:
        """Dense scores of the best keyword hits past the end of the dense list, from their stored vectors: "how
        could these AI models help in healthcare" finds the one chunk that says healthcare by its keyword, and its
        meaning must count too, or it ranks below every passage found both ways (a store of 52 chunks, 48 listed)."""
        listed = {str(h.id) for h in dense_hits}
        late = {str(h.id): h for h in sparse_hits[:LATE_DENSE] if str(h.id) not in listed}
        if not late:
            return []
        q = np.asarray(dense, dtype=np.float32)
        q /= float(np.linalg.norm(q)) or 1.0
        out = []
        for pid, vector in self.store.retrieve_vectors(list(late)).items():
            v = np.asarray(vector, dtype=np.float32)
            norm = float(np.linalg.norm(v))
            if norm > 0:
                out.append(Hit(pid, float(q @ v) / norm, late[pid].payload))
        return out
