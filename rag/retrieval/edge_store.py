"""The embedded store: Qdrant Edge (Qdrant's Rust engine in-process) at FOOTNOTE_QDRANT_PATH/edge/<collection>.

One process at a time: the store takes an exclusive lock on FOOTNOTE_QDRANT_PATH/.lock (the lock qdrant-client's
local mode took, so the earlier release and this one exclude each other too), and Edge locks its write-ahead log.
Every update is in the WAL when `update` returns, so it survives a killed process. New points land in plain
segments, searchable at once; `optimize` builds the HNSW index (`footnote ingest` runs it at the end).
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Iterator, Mapping, Sequence
from io import TextIOWrapper
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from rag.errors import FootnoteError, StoreBusy, StoreMismatch, StoreUnavailable
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

EDGE_DIR = "edge"
LOCK_FILE = ".lock"
CONFIG_FILE = "edge_config.json"  # written by Edge into every shard directory
PAGE = 1024


def shard_dir(root: Path, collection: str) -> Path:
    """Where a collection's Edge shard lives under the store directory."""
    return root / EDGE_DIR / collection


def edge_config(vectors: dict[str, int], sparse: Sequence[str]) -> qe.EdgeConfig:
    """Dense vectors (name -> dimension, cosine) and sparse vectors with IDF."""
    return qe.EdgeConfig(
        vectors={name: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine) for name, dim in vectors.items()},
        sparse_vectors={name: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf) for name in sparse},
    )


def create_payload_indexes(shard: qe.EdgeShard) -> None:
    """The payload indexes document views and citation lookups filter on."""
    for field in KEYWORD_FIELDS:
        shard.update(qe.UpdateOperation.create_field_index(field, qe.PayloadSchemaType.Keyword))
    for field in INTEGER_FIELDS:
        shard.update(qe.UpdateOperation.create_field_index(field, qe.PayloadSchemaType.Integer))


def is_lock_error(exc: BaseException) -> bool:
    """Edge cannot lock the WAL: another process has the shard open."""
    text = str(exc)
    return "WouldBlock" in text or "failed to open WAL" in text


def take_lock(root: Path) -> TextIOWrapper:
    """The store directory's exclusive lock (StoreBusy when another process has it)."""
    import portalocker

    path = root / LOCK_FILE
    if not path.exists():
        path.write_text("tmp lock file")
    f = open(path, "r+")  # noqa: SIM115 - held until close()
    try:
        portalocker.lock(f, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING)
    except portalocker.exceptions.LockException:
        f.close()
        raise StoreBusy(busy_message(root)) from None
    return f


class EdgeStore:
    """The collection as a Qdrant Edge shard; calls are serialized by a lock (Edge holds the GIL while working)."""

    def __init__(self, root: Path, lock_file: TextIOWrapper, *, collection_name: str, model: str, dim: int) -> None:
        self.root = root
        self.path = shard_dir(root, collection_name)
        self.collection_name = collection_name
        self.model = model
        self.dim = dim
        self.dense = dense_vector_name(model, dim)
        self.where = str(root)
        self.lock = threading.RLock()
        self._lock_file: TextIOWrapper | None = lock_file
        self._shard: qe.EdgeShard | None = None
        self._writes = 0  # one process holds the store: counting its own writes is the version
        if (self.path / CONFIG_FILE).exists():
            self._shard = self._load()

    @classmethod
    def open(cls, root: Path, *, collection_name: str, model: str, dim: int) -> EdgeStore:
        """Open (and lock) the embedded store at root, moving a store of the earlier release into it first."""
        from rag.retrieval.local_move import move_local_store

        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot create the store directory {root}: {exc.strerror}. "
                "Set FOOTNOTE_QDRANT_PATH to a writable directory."
            ) from exc
        move_local_store(root)
        lock_file = take_lock(root)
        try:
            return cls(root, lock_file, collection_name=collection_name, model=model, dim=dim)
        except BaseException:
            lock_file.close()
            raise

    def _load(self) -> qe.EdgeShard:
        try:
            return qe.EdgeShard.load(str(self.path))
        except Exception as exc:
            if is_lock_error(exc):
                raise StoreBusy(busy_message(self.root)) from None
            raise self._failure(exc) from exc

    def _failure(self, exc: BaseException) -> FootnoteError:
        return StoreUnavailable(
            f"the embedded store at {self.path} failed ({exc}). Check the disk and FOOTNOTE_QDRANT_PATH, "
            "or rebuild it with `footnote ingest --recreate`."
        )

    def _shard_or_fail(self) -> qe.EdgeShard:
        if self._shard is None:
            raise StoreUnavailable(
                f"collection '{self.collection_name}' at {self.where} does not exist yet: run `footnote ingest` first"
            )
        return self._shard

    def _call(self, fn: Any, *args: Any) -> Any:
        with self.lock:
            try:
                return fn(self._shard_or_fail(), *args)
            except FootnoteError:
                raise
            except Exception as exc:
                if type(exc) is Exception:  # what Edge raises; anything else is a bug here
                    raise self._failure(exc) from exc
                raise

    def exists(self) -> bool:
        """Whether the collection's shard exists."""
        return self._shard is not None

    def vector_names(self) -> list[str]:
        """The dense vector names the shard was created with (from its edge_config.json)."""
        try:
            config = json.loads((self.path / CONFIG_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise self._failure(exc) from exc
        return list(config.get("vectors") or {})

    def check_schema(self) -> None:
        """Raise StoreMismatch when the shard was built with another embedding model."""
        names = self.vector_names()
        if self.dense not in names:
            raise StoreMismatch(mismatch_message(self.collection_name, self.where, names, self.model, self.dim))

    def ensure(self, *, recreate: bool = False) -> None:
        """Create the shard (dense cosine + BM25 sparse with IDF) if missing, or rebuild it."""
        with self.lock:
            if recreate and self._shard is not None:
                self._shard.close()
                self._shard = None
                shutil.rmtree(self.path)
            if self._shard is None and self.path.exists():  # a creation that was killed: it held no points
                shutil.rmtree(self.path)
            if self._shard is not None:
                self.check_schema()
                return
            try:
                shard = qe.EdgeShard.create(str(self.path), edge_config({self.dense: self.dim}, [SPARSE]))
                create_payload_indexes(shard)
            except Exception as exc:
                raise self._failure(exc) from exc
            self._shard = shard
            self._writes += 1

    def count(self) -> int:
        """Points in the shard (0 when it does not exist)."""
        if self._shard is None:
            return 0
        return int(self._call(lambda s: s.count(qe.CountRequest(exact=True))))

    def upsert(self, points: Sequence[ChunkPoint]) -> None:
        """Write points; they are in the WAL (surviving a killed process) when this returns."""
        if not points:
            return
        edge_points = [
            qe.Point(
                p.id,
                {self.dense: list(p.dense), SPARSE: qe.SparseVector(indices=p.sparse_indices, values=p.sparse_values)},
                p.payload,
            )
            for p in points
        ]
        self._call(lambda s: s.update(qe.UpdateOperation.upsert_points(edge_points)))
        self._writes += 1

    def delete_ids(self, ids: Sequence[str]) -> None:
        """Delete points by id (in the WAL when this returns)."""
        if ids:
            wanted: list[Any] = list(ids)
            self._call(lambda s: s.update(qe.UpdateOperation.delete_points(wanted)))
            self._writes += 1

    def version(self) -> str:
        """Moves with every write (only this process can write: it holds the lock)."""
        return f"{'shard' if self._shard is not None else 'none'}-{self._writes}"

    def _scroll(
        self, *, with_payload: bool | list[str], with_vector: bool | list[str], flt: qe.Filter | None = None
    ) -> Iterator[qe.Record]:
        """Every point (matching flt), page by page."""
        if self._shard is None:
            return
        offset = None
        while True:
            request = qe.ScrollRequest(
                offset=offset, limit=PAGE, filter=flt, with_payload=with_payload, with_vector=with_vector
            )
            records, offset = self._call(lambda s, r=request: s.scroll(r))
            yield from records
            if offset is None:
                return

    def scroll_vectors(self, fields: Sequence[str]) -> Iterator[tuple[dict[str, Any], list[float]]]:
        """Every point's payload (only the given fields) and dense vector."""
        for r in self._scroll(with_payload=list(fields), with_vector=[self.dense]):
            vector = r.vector
            yield dict(r.payload or {}), list(vector[self.dense] if isinstance(vector, dict) else vector or [])  # type: ignore[arg-type]

    def scroll_payloads(
        self, fields: Sequence[str] | bool = True, *, where: Mapping[str, str | int] | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every point's id and payload (only the given fields); with where, only points with those values."""
        payload = fields if isinstance(fields, bool) else list(fields)
        flt = (
            qe.Filter(must=[qe.FieldCondition(key=k, match=qe.MatchValue(v)) for k, v in where.items()])
            if where
            else None
        )
        for r in self._scroll(with_payload=payload, with_vector=False, flt=flt):
            yield str(r.id), dict(r.payload or {})

    def document(self, source: str) -> list[dict[str, Any]]:
        """The payloads of one source's points, in chunk order."""
        flt = qe.Filter(must=[qe.FieldCondition(key="source", match=qe.MatchValue(source))])
        out = [dict(r.payload or {}) for r in self._scroll(with_payload=True, with_vector=False, flt=flt)]
        return sorted(out, key=lambda p: int(p.get("chunk_index", 0)))

    def chunks(self, wanted: Sequence[tuple[str, int]]) -> list[dict[str, Any]]:
        """The payloads of the given (source, chunk_index) points, in one filtered scroll."""
        if not wanted:
            return []
        flt = qe.Filter(
            should=[
                qe.Filter(
                    must=[
                        qe.FieldCondition(key="source", match=qe.MatchValue(source)),
                        qe.FieldCondition(key="chunk_index", match=qe.MatchValue(index)),
                    ]
                )
                for source, index in wanted
            ]
        )
        return [dict(r.payload or {}) for r in self._scroll(with_payload=True, with_vector=False, flt=flt)]

    def query(
        self, dense: Sequence[float], sparse: tuple[list[int], list[float]], *, limit: int
    ) -> tuple[list[Hit], list[Hit]]:
        """Dense and sparse hits in one planned batch."""
        requests = [
            qe.QueryRequest(limit=limit, query=qe.Query.Nearest(list(dense), using=self.dense), with_payload=True)
        ]
        if sparse[0]:
            vector = qe.SparseVector(indices=sparse[0], values=sparse[1])
            requests.append(
                qe.QueryRequest(limit=limit, query=qe.Query.Nearest(vector, using=SPARSE), with_payload=True)
            )
        results = self._call(lambda s: s.query_batch(qe.QueryBatchRequest(requests)))
        hits = [[Hit(str(p.id), float(p.score), dict(p.payload or {})) for p in r] for r in results]
        return hits[0], hits[1] if len(hits) > 1 else []

    def dense_search(self, dense: Sequence[float], *, limit: int, exact: bool = False) -> list[Hit]:
        """Dense hits alone, through the HNSW index or by exact search (to measure the index's recall)."""
        request = qe.QueryRequest(
            limit=limit,
            query=qe.Query.Nearest(list(dense), using=self.dense),
            with_payload=False,
            params=qe.SearchParams(exact=exact),
        )
        results = self._call(lambda s: s.query_batch(qe.QueryBatchRequest([request])))
        return [Hit(str(p.id), float(p.score), {}) for p in results[0]]

    def retrieve_vectors(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """Dense vectors of existing points, by id."""
        if not ids:
            return {}
        wanted: list[Any] = list(ids)
        records = self._call(lambda s: s.retrieve(wanted, with_payload=False, with_vector=[self.dense]))
        out: dict[str, list[float]] = {}
        for r in records:
            vector = r.vector
            out[str(r.id)] = list(vector[self.dense] if isinstance(vector, dict) else vector or [])
        return out

    def optimize(self) -> None:
        """Build the HNSW and sparse indexes of segments past Edge's indexing threshold (blocks other calls)."""
        if self._shard is not None:
            self._call(lambda s: s.optimize())

    def close(self) -> None:
        """Flush and close the shard, and release the store's lock (closing twice is harmless)."""
        with self.lock:
            shard, self._shard = self._shard, None
            if shard is not None:
                try:
                    shard.close()
                except Exception:
                    log.warning("closing the embedded store at %s failed", self.path, exc_info=True)
            if self._lock_file is not None:
                self._lock_file.close()  # closing the file releases the lock
                self._lock_file = None
