"""The store on a Qdrant server or cluster (FOOTNOTE_QDRANT_URL), through qdrant-client's REST client."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from qdrant_client import QdrantClient, models

from rag.config import Settings
from rag.errors import StoreBusy, StoreMismatch, StoreUnavailable
from rag.retrieval.store import (
    INTEGER_FIELDS,
    KEYWORD_FIELDS,
    SPARSE,
    ChunkPoint,
    Hit,
    busy_message,
    dense_vector_name,
    mismatch_message,
)

log = logging.getLogger(__name__)

VERSION_KEY = "footnote_version"  # in the collection's metadata: moved by every write, read by every replica


class ServerStore:
    """The collection on a Qdrant server."""

    def __init__(self, client: QdrantClient, *, collection_name: str, model: str, dim: int, where: str) -> None:
        self.client = client
        self.collection_name = collection_name
        self.model = model
        self.dim = dim
        self.dense = dense_vector_name(model, dim)
        self.where = where
        # Calls are serialized, as they always were (one client, one connection pool).
        self.lock = threading.RLock()

    @classmethod
    def from_settings(cls, settings: Settings, *, model: str, dim: int) -> ServerStore:
        """A client for the server at FOOTNOTE_QDRANT_URL (nothing is sent until the first call)."""
        assert settings.qdrant_url, "ServerStore needs FOOTNOTE_QDRANT_URL"
        key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        client = QdrantClient(url=settings.qdrant_url, api_key=key, timeout=int(max(1, settings.qdrant_timeout)))
        return cls(client, collection_name=settings.collection, model=model, dim=dim, where=settings.qdrant_url)

    @classmethod
    def local_mode(cls, settings: Settings, *, model: str, dim: int) -> ServerStore:
        """qdrant-client's local mode at FOOTNOTE_QDRANT_PATH (FOOTNOTE_QDRANT_ENGINE=local): the earlier release's
        embedded engine, kept to compare against (`footnote bench`)."""
        path = settings.qdrant_path
        try:
            path.mkdir(parents=True, exist_ok=True)
            client = QdrantClient(path=str(path))
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot open the store directory {path}: {exc.strerror}. Set FOOTNOTE_QDRANT_PATH to a writable one."
            ) from exc
        except (RuntimeError, BlockingIOError) as exc:
            if "already accessed by another instance" in str(exc) or "lock" in str(exc).lower():
                raise StoreBusy(busy_message(path)) from None
            raise
        return cls(client, collection_name=settings.collection, model=model, dim=dim, where=str(path))

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
            raise StoreMismatch(mismatch_message(self.collection_name, self.where, names, self.model, self.dim))

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
            metadata={VERSION_KEY: uuid.uuid4().hex},
        )
        schemas = dict.fromkeys(KEYWORD_FIELDS, models.PayloadSchemaType.KEYWORD)
        schemas.update(dict.fromkeys(INTEGER_FIELDS, models.PayloadSchemaType.INTEGER))
        for field, schema in schemas.items():
            self._call(self.client.create_payload_index, self.collection_name, field, field_schema=schema)

    def count(self) -> int:
        """Points in the collection (0 when it does not exist)."""
        if not self.exists():
            return 0
        return int(self._call(self.client.count, self.collection_name, exact=True).count)

    def version(self) -> str:
        """The collection's version token (its metadata), moved by every writer in every process."""
        try:
            info = self._call(self.client.get_collection, self.collection_name)
        except StoreUnavailable:
            raise
        except Exception:  # no such collection (yet): the server answers 404
            return "none"
        return str((info.config.metadata or {}).get(VERSION_KEY, "0"))

    def _moved(self) -> None:
        """Move the version token, so every replica's caches of the store are rebuilt."""
        self._call(self.client.update_collection, self.collection_name, metadata={VERSION_KEY: uuid.uuid4().hex})

    def upsert(self, points: Sequence[ChunkPoint]) -> None:
        """Write points and wait until the server has them."""
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
        self._moved()

    def delete_ids(self, ids: Sequence[str]) -> None:
        """Delete points by id and wait."""
        if ids:
            self._call(
                self.client.delete,
                self.collection_name,
                points_selector=models.PointIdsList(points=list(ids)),
                wait=True,
            )
            self._moved()

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

    def scroll_payloads(
        self, fields: Sequence[str] | bool = True, *, where: Mapping[str, str | int] | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every point's id and payload (only the given fields); with where, only points with those values."""
        payload = fields if isinstance(fields, bool) else list(fields)
        flt = (
            models.Filter(
                must=[models.FieldCondition(key=k, match=models.MatchValue(value=v)) for k, v in where.items()]
            )
            if where
            else None
        )
        for r in self._scroll(with_payload=payload, with_vectors=False, flt=flt):
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
    ) -> tuple[list[Hit], list[Hit]]:
        """Dense and sparse hits in one round trip."""
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
        hits = [[Hit(str(p.id), float(p.score), dict(p.payload or {})) for p in r.points] for r in results]
        return hits[0], hits[1] if len(hits) > 1 else []

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

    def optimize(self) -> None:
        """Nothing to do: the server builds its indexes itself."""

    def close(self) -> None:
        """Release the client."""
        try:
            with self.lock:
                self.client.close()
        except Exception:  # closing twice is harmless
            log.debug("close failed", exc_info=True)


def _is_transport_error(exc: BaseException) -> bool:
    import httpx

    if isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError):
        return True
    name = type(exc).__name__
    return name in {"ResponseHandlingException", "RpcError", "_InactiveRpcError"}
