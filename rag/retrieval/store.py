"""The store of chunk points: one protocol, two engines (Qdrant Edge on disk, or a Qdrant server by URL).

Collection schema on both: a dense vector named after the embedding model (cosine) + a BM25 sparse vector with IDF.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rag.config import Settings

SPARSE = "bm25"
POINT_NAMESPACE = uuid.UUID("6f1d3c52-8a0e-4c0f-9a57-2b1f5d1c0b7e")
# Kept in payload indexes, so document views and citation lookups filter without a full scan.
KEYWORD_FIELDS = ("source",)
INTEGER_FIELDS = ("chunk_index",)


def dense_vector_name(model: str, dim: int) -> str:
    """The dense vector's name records the embedding model and its dimension in the schema itself."""
    return f"dense-{re.sub(r'[^A-Za-z0-9_.-]+', '_', model)}-{dim}"


def point_id(source: str, chunk_index: int, chunk_sha256: str) -> str:
    """Stable point id from (source, chunk index, content hash)."""
    return str(uuid.uuid5(POINT_NAMESPACE, f"{source}\x00{chunk_index}\x00{chunk_sha256}"))


@dataclass(frozen=True)
class ChunkPoint:
    """One chunk ready to write: vectors and payload."""

    id: str
    dense: Sequence[float]
    sparse_indices: list[int]
    sparse_values: list[float]
    payload: dict[str, Any]


@dataclass(frozen=True)
class Hit:
    """One scored point of a query."""

    id: str
    score: float
    payload: dict[str, Any]


def mismatch_message(collection: str, where: str, names: Sequence[str], model: str, dim: int) -> str:
    """What to do when the collection's dense vector is not the configured embedder's."""
    built = ", ".join(n.removeprefix("dense-") for n in names) or "(no dense vector)"
    return (
        f"collection '{collection}' at {where} was built with embedding {built}, "
        f"but FOOTNOTE_EMBEDDING is {model} (dimension {dim}). "
        "Rebuild it with `footnote ingest --recreate`, or set FOOTNOTE_EMBEDDING back."
    )


def busy_message(path: Path) -> str:
    """The embedded store is held by another process: what to do instead."""
    return (
        f"the embedded store at {path.resolve()} is in use by another Footnote process "
        "(only one process may open it). Stop that process (e.g. a running `footnote serve`), "
        "or send files through the running server: `footnote ingest --server http://127.0.0.1:7860 FILES`, "
        "or point FOOTNOTE_QDRANT_PATH elsewhere."
    )


class Store(Protocol):
    """The collection of chunk points and the operations Footnote needs on it."""

    collection_name: str
    model: str
    dim: int
    dense: str
    where: str

    def exists(self) -> bool:
        """Whether the collection exists."""
        ...

    def check_schema(self) -> None:
        """Raise StoreMismatch when the collection was built with another embedding model."""
        ...

    def ensure(self, *, recreate: bool = False) -> None:
        """Create the collection (dense cosine + BM25 sparse with IDF) if missing, or rebuild it."""
        ...

    def count(self) -> int:
        """Points in the collection (0 when it does not exist)."""
        ...

    def upsert(self, points: Sequence[ChunkPoint]) -> None:
        """Write points; when it returns they survive a killed process."""
        ...

    def delete_ids(self, ids: Sequence[str]) -> None:
        """Delete points by id; when it returns the deletion survives a killed process."""
        ...

    def scroll_vectors(self, fields: Sequence[str]) -> Iterator[tuple[dict[str, Any], list[float]]]:
        """Every point's payload (only the given fields) and dense vector."""
        ...

    def scroll_payloads(
        self, fields: Sequence[str] | bool = True, *, where: Mapping[str, str | int] | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every point's id and payload (only the given fields); with where, only points whose payload has
        those exact values (e.g. {"chunk_index": 0}: one point per document)."""
        ...

    def document(self, source: str) -> list[dict[str, Any]]:
        """The payloads of one source's points, in chunk order."""
        ...

    def chunks(self, wanted: Sequence[tuple[str, int]]) -> list[dict[str, Any]]:
        """The payloads of the given (source, chunk_index) points."""
        ...

    def query(
        self, dense: Sequence[float], sparse: tuple[list[int], list[float]], *, limit: int
    ) -> tuple[list[Hit], list[Hit]]:
        """Dense and sparse hits in one call (fused by the caller, which keeps both raw scores)."""
        ...

    def retrieve_vectors(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """Dense vectors of existing points, by id."""
        ...

    def optimize(self) -> None:
        """Build the search indexes for what was written (a Qdrant server does this by itself)."""
        ...

    def version(self) -> str:
        """A token every write moves: caches of what the store holds are good while it stays the same. On a server
        it lives in the collection itself, so app replicas sharing the server see each other's writes."""
        ...

    def close(self) -> None:
        """Release the store (and the embedded store's lock)."""
        ...


def open_store(settings: Settings, *, model: str, dim: int) -> Store:
    """The configured store for an embedder of the given model and dimension: the Qdrant server at
    FOOTNOTE_QDRANT_URL, else the embedded Qdrant Edge store at FOOTNOTE_QDRANT_PATH (a store made by an earlier
    release, in qdrant-client's local mode, is moved into it first)."""
    if settings.qdrant_url:
        from rag.retrieval.server_store import ServerStore

        return ServerStore.from_settings(settings, model=model, dim=dim)
    if settings.qdrant_engine == "local":
        from rag.retrieval.server_store import ServerStore

        return ServerStore.local_mode(settings, model=model, dim=dim)
    from rag.retrieval.edge_store import EdgeStore

    return EdgeStore.open(settings.qdrant_path, collection_name=settings.collection, model=model, dim=dim)
