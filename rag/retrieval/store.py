"""Qdrant: embedded on disk by default, or a server by URL. Collection schema: dense + BM25 sparse."""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from qdrant_client import QdrantClient, models

from rag.config import Settings
from rag.errors import StoreBusy, StoreMismatch, StoreUnavailable

log = logging.getLogger(__name__)

SPARSE = "bm25"
POINT_NAMESPACE = uuid.UUID("6f1d3c52-8a0e-4c0f-9a57-2b1f5d1c0b7e")


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


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc)
    return "already accessed by another instance" in text or "lock" in text.lower()


def open_client(settings: Settings) -> QdrantClient:
    """A Qdrant client for the configured store; a clear error when it is busy or unreachable."""
    if settings.qdrant_url:
        key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        return QdrantClient(url=settings.qdrant_url, api_key=key, timeout=int(max(1, settings.qdrant_timeout)))
    path = settings.qdrant_path
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(
            f"cannot create the store directory {path}: {exc.strerror}. "
            "Set FOOTNOTE_QDRANT_PATH to a writable directory."
        ) from exc
    try:
        return QdrantClient(path=str(path))
    except (RuntimeError, BlockingIOError) as exc:
        if _is_lock_error(exc):
            raise StoreBusy(
                f"the embedded store at {path.resolve()} is in use by another Footnote process "
                "(only one process may open it). Stop that process (e.g. a running `footnote serve`), "
                "or send files through the running server: `footnote ingest --server http://127.0.0.1:7860 FILES`, "
                "or point FOOTNOTE_QDRANT_PATH elsewhere."
            ) from None
        raise


class Store:
    """The collection of chunk points and the operations Footnote needs on it."""

    def __init__(self, client: QdrantClient, *, collection_name: str, model: str, dim: int, where: str) -> None:
        self.client = client
        self.collection_name = collection_name
        self.model = model
        self.dim = dim
        self.dense = dense_vector_name(model, dim)
        self.where = where
        # The embedded store is not thread-safe: every call on the client goes through this lock.
        self.lock = threading.RLock()

    @classmethod
    def from_settings(cls, settings: Settings, *, model: str, dim: int) -> Store:
        """Open the configured store for an embedder of the given model and dimension."""
        where = settings.qdrant_url or str(settings.qdrant_path)
        return cls(open_client(settings), collection_name=settings.collection, model=model, dim=dim, where=where)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            with self.lock:
                return fn(*args, **kwargs)
        except (StoreBusy, StoreMismatch):
            raise
        except Exception as exc:  # the client raises many transport types; all mean "unreachable"
            if _is_transport_error(exc):
                raise StoreUnavailable(
                    f"the Qdrant server at {self.where} is unreachable ({type(exc).__name__}). "
                    "Start it, or check FOOTNOTE_QDRANT_URL / FOOTNOTE_QDRANT_API_KEY."
                ) from None
            raise

    def exists(self) -> bool:
        """Whether the collection exists."""
        return bool(self._call(self.client.collection_exists, self.collection_name))

    def check_schema(self) -> None:
        """Raise StoreMismatch when the collection was built with another embedding model."""
        info = self._call(self.client.get_collection, self.collection_name)
        vectors = info.config.params.vectors
        names = list(vectors.keys()) if isinstance(vectors, dict) else ["(unnamed)"]
        if self.dense not in names:
            built = ", ".join(n.removeprefix("dense-") for n in names)
            raise StoreMismatch(
                f"collection '{self.collection_name}' at {self.where} was built with embedding {built}, "
                f"but FOOTNOTE_EMBEDDING is {self.model} (dimension {self.dim}). "
                "Rebuild it with `footnote ingest --recreate`, or set FOOTNOTE_EMBEDDING back."
            )

    def ensure(self, *, recreate: bool = False) -> None:
        """Create the collection (dense cosine + BM25 sparse with IDF) if missing, or rebuild it."""
        if recreate and self.exists():
            self._call(self.client.delete_collection, self.collection_name)
        if self.exists():
            self.check_schema()
            return
        self._call(
            self.client.create_collection,
            self.collection_name,
            vectors_config={self.dense: models.VectorParams(size=self.dim, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
        if self.where.startswith(("http://", "https://")):  # the embedded store has no payload indexes
            self._call(
                self.client.create_payload_index,
                self.collection_name,
                "source",
                field_schema=models.PayloadSchemaType.KEYWORD,
            )

    def count(self) -> int:
        """Points in the collection (0 when it does not exist)."""
        if not self.exists():
            return 0
        return int(self._call(self.client.count, self.collection_name, exact=True).count)

    def upsert(self, points: Sequence[ChunkPoint]) -> None:
        """Write points and wait until the store has them."""
        if not points:
            return
        structs = [
            models.PointStruct(
                id=p.id,
                vector={
                    self.dense: list(p.dense),
                    SPARSE: models.SparseVector(indices=p.sparse_indices, values=p.sparse_values),
                },
                payload=p.payload,
            )
            for p in points
        ]
        self._call(self.client.upsert, self.collection_name, points=structs, wait=True)

    def delete_ids(self, ids: Sequence[str]) -> None:
        """Delete points by id and wait."""
        if ids:
            self._call(
                self.client.delete,
                self.collection_name,
                points_selector=models.PointIdsList(points=list(ids)),
                wait=True,
            )

    def _scroll(
        self, *, with_payload: bool | list[str], with_vectors: bool | list[str], flt: models.Filter | None = None
    ) -> Iterator[models.Record]:
        """Every point (matching flt), page by page."""
        if not self.exists():
            return
        offset = None
        while True:
            records, offset = self._call(
                self.client.scroll,
                self.collection_name,
                scroll_filter=flt,
                limit=1024,
                offset=offset,
                with_payload=with_payload,
                with_vectors=with_vectors,
            )
            yield from records
            if offset is None:
                return

    def scroll_vectors(self, fields: Sequence[str]) -> Iterator[tuple[dict[str, Any], list[float]]]:
        """Every point's payload (only the given fields) and dense vector."""
        for r in self._scroll(with_payload=list(fields), with_vectors=[self.dense]):
            vec = r.vector[self.dense] if isinstance(r.vector, dict) else r.vector
            yield dict(r.payload or {}), list(vec)  # type: ignore[arg-type]

    def scroll_payloads(self, fields: Sequence[str] | bool = True) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every point's id and payload (only the given fields)."""
        payload = fields if isinstance(fields, bool) else list(fields)
        for r in self._scroll(with_payload=payload, with_vectors=False):
            yield str(r.id), dict(r.payload or {})

    def document(self, source: str) -> list[dict[str, Any]]:
        """The payloads of one source's points, in chunk order."""
        flt = models.Filter(must=[models.FieldCondition(key="source", match=models.MatchValue(value=source))])
        out = [dict(r.payload or {}) for r in self._scroll(with_payload=True, with_vectors=False, flt=flt)]
        return sorted(out, key=lambda p: int(p.get("chunk_index", 0)))

    def chunks(self, wanted: Sequence[tuple[str, int]]) -> list[dict[str, Any]]:
        """The payloads of the given (source, chunk_index) points, in one filtered scroll."""
        if not wanted:
            return []
        flt = models.Filter(
            should=[
                models.Filter(
                    must=[
                        models.FieldCondition(key="source", match=models.MatchValue(value=source)),
                        models.FieldCondition(key="chunk_index", match=models.MatchValue(value=index)),
                    ]
                )
                for source, index in wanted
            ]
        )
        return [dict(r.payload or {}) for r in self._scroll(with_payload=True, with_vectors=False, flt=flt)]

    def query(
        self, dense: Sequence[float], sparse: tuple[list[int], list[float]], *, limit: int
    ) -> tuple[list[models.ScoredPoint], list[models.ScoredPoint]]:
        """Dense and sparse hits in one round trip (fused by the caller, which keeps both raw scores)."""
        requests = [
            models.QueryRequest(query=list(dense), using=self.dense, limit=limit, with_payload=True),
        ]
        if sparse[0]:
            requests.append(
                models.QueryRequest(
                    query=models.SparseVector(indices=sparse[0], values=sparse[1]),
                    using=SPARSE,
                    limit=limit,
                    with_payload=True,
                )
            )
        results = self._call(self.client.query_batch_points, self.collection_name, requests=requests)
        dense_hits = results[0].points
        sparse_hits = results[1].points if len(results) > 1 else []
        return dense_hits, sparse_hits

    def retrieve_vectors(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """Dense vectors of existing points, by id."""
        records = self._call(
            self.client.retrieve, self.collection_name, ids=list(ids), with_vectors=[self.dense], with_payload=False
        )
        out: dict[str, list[float]] = {}
        for r in records:
            vec = r.vector[self.dense] if isinstance(r.vector, dict) else r.vector
            out[str(r.id)] = list(vec)
        return out

    def close(self) -> None:
        """Release the store (and the embedded lock)."""
        try:
            with self.lock:
                self.client.close()
        except Exception:  # closing twice or after a failed open is harmless
            log.debug("close failed", exc_info=True)


def _is_transport_error(exc: BaseException) -> bool:
    import httpx

    if isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError):
        return True
    name = type(exc).__name__
    return name in {"ResponseHandlingException", "RpcError", "_InactiveRpcError"}
