"""Moving on: a store made by the earlier release (qdrant-client's local mode: <store>/meta.json and
<store>/collection/<name>/storage.sqlite) is moved into Qdrant Edge when the store opens, without re-embedding.

Every collection's points (dense and sparse vectors, payloads) are copied into a new shard beside its final place,
which is renamed into place only when complete; then the old files are renamed aside
(`collection.migrated-<date>`, `meta.json.migrated-<date>`), so nothing is moved twice and nothing is deleted.
"""

from __future__ import annotations

import logging
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import qdrant_edge as qe

from rag.errors import FootnoteError, StoreBusy, StoreMismatch
from rag.retrieval.edge_store import EDGE_DIR, create_payload_indexes, edge_config, shard_dir
from rag.retrieval.store import busy_message

log = logging.getLogger(__name__)

META = "meta.json"
OLD_DIR = "collection"
PAGE = 256


def earlier_store(root: Path) -> bool:
    """Whether root holds a store of the earlier release that has not been moved yet."""
    return (root / META).is_file()


def move_local_store(root: Path) -> None:
    """Move every collection of an earlier release's store at root into Edge shards (nothing when there is none).

    StoreBusy when the earlier release still has it open; StoreMismatch, saying what to run, when moving fails."""
    if not earlier_store(root):
        return
    from qdrant_client import QdrantClient

    try:
        client = QdrantClient(path=str(root))
    except Exception as exc:  # a lock held by the earlier release, or files it cannot read
        if isinstance(exc, RuntimeError | BlockingIOError) and "already accessed by another instance" in str(exc):
            raise StoreBusy(busy_message(root)) from None
        raise _failed(root, exc) from exc
    moved: list[str] = []
    try:
        names = [c.name for c in client.get_collections().collections]
        for name in names:
            if shard_dir(root, name).exists():  # moved by a run that stopped before renaming the old files
                continue
            moved.append(f"collection '{name}': {_move_collection(client, root, name)} points")
    except FootnoteError:
        raise
    except Exception as exc:
        raise _failed(root, exc) from exc
    finally:
        client.close()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    for old in (root / OLD_DIR, root / META):
        if old.exists():
            old.rename(old.with_name(f"{old.name}.migrated-{stamp}"))
    what = ", ".join(moved) if moved else "no collections"
    line = (
        f"footnote: moved the store of the earlier release at {root} to Qdrant Edge ({what}, no re-embedding); "
        f"the old files are kept as {OLD_DIR}.migrated-{stamp} and {META}.migrated-{stamp}"
    )
    log.info(line)
    print(line, file=sys.stderr)


def _move_collection(client: Any, root: Path, name: str) -> int:
    """Copy one collection into a new shard, renamed into place when complete; the number of points."""
    from qdrant_client import models

    params = client.get_collection(name).config.params
    vectors = params.vectors if isinstance(params.vectors, dict) else {"": params.vectors}
    dense = {vname: int(v.size) for vname, v in vectors.items()}
    sparse = list((params.sparse_vectors or {}).keys())
    target = shard_dir(root, name)
    partial = root / EDGE_DIR / f".{name}.moving"
    if partial.exists():  # a move that was killed: start it again
        shutil.rmtree(partial)
    partial.parent.mkdir(parents=True, exist_ok=True)
    shard = qe.EdgeShard.create(str(partial), edge_config(dense, sparse))
    total = 0
    try:
        create_payload_indexes(shard)
        offset = None
        while True:
            records, offset = client.scroll(name, limit=PAGE, offset=offset, with_payload=True, with_vectors=True)
            points = []
            for r in records:
                vec: dict[str, Any] = {}
                for vname, v in (r.vector or {}).items():
                    if isinstance(v, models.SparseVector):
                        vec[vname] = qe.SparseVector(indices=list(v.indices), values=list(v.values))
                    else:
                        vec[vname] = list(v)
                points.append(qe.Point(r.id, vec, dict(r.payload or {})))
            if points:
                shard.update(qe.UpdateOperation.upsert_points(points))
                total += len(points)
            if offset is None:
                break
        if int(shard.count(qe.CountRequest(exact=True))) != client.count(name, exact=True).count:
            raise RuntimeError("the moved collection has a different number of points")
        shard.optimize()
        shard.flush()
    finally:
        shard.close()
    partial.rename(target)
    return total


def _failed(root: Path, exc: BaseException) -> StoreMismatch:
    return StoreMismatch(
        f"the store at {root} was made by an earlier Footnote release and could not be moved to Qdrant Edge "
        f"({type(exc).__name__}: {exc}). Move {root / META} and {root / OLD_DIR} out of the way, then rebuild "
        f"it from your documents: `footnote ingest --recreate FOLDERS` (with FOOTNOTE_QDRANT_PATH={root})."
    )
