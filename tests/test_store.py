"""The Store contract, run on both engines: Qdrant Edge (embedded) and a Qdrant server (the REST shim)."""

from __future__ import annotations

import math
import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.errors import StoreBusy, StoreMismatch
from rag.retrieval.store import ChunkPoint, Store, dense_vector_name, open_store, point_id
from tests.conftest import ROOT, make_settings
from tests.qdrant_server import qdrant_server
from tests.servers import free_port

MODEL = "contract-model"
DIM = 8


def unit(rng: random.Random) -> list[float]:
    v = [rng.gauss(0, 1) for _ in range(DIM)]
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


def make_points(n_docs: int, chunks: int, *, seed: int = 0, trust: str = "curated") -> list[ChunkPoint]:
    """Synthetic chunk points: doc<i>.txt with chunks chunk_index 0..chunks-1; word<k> keyword tokens."""
    rng = random.Random(seed)
    out = []
    for d in range(n_docs):
        for c in range(chunks):
            source = f"doc{d}.txt"
            token = d * 100 + c
            out.append(
                ChunkPoint(
                    id=point_id(source, c, f"sha{d}-{c}"),
                    dense=unit(rng),
                    sparse_indices=[token, 99_999],
                    sparse_values=[1.0, 1.0],
                    payload={"source": source, "chunk_index": c, "text": f"text {d}/{c}", "trust": trust},
                )
            )
    return out


@pytest.fixture(params=["edge", "server"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store on each engine."""
    if request.param == "edge":
        store = open_store(make_settings(tmp_path / "qdrant"), model=MODEL, dim=DIM)
        yield store
        store.close()
        return
    with qdrant_server(tmp_path / "server", free_port()) as url:
        store = open_store(make_settings(tmp_path / "unused", qdrant_url=url, qdrant_timeout=30), model=MODEL, dim=DIM)
        yield store
        store.close()


def test_a_new_store_is_empty_until_ensured(engine: Store) -> None:
    assert not engine.exists() and engine.count() == 0
    assert list(engine.scroll_payloads()) == [] and engine.document("doc0.txt") == []
    engine.ensure()
    assert engine.exists() and engine.count() == 0
    engine.check_schema()
    engine.ensure()  # a second ensure keeps it
    assert engine.dense == dense_vector_name(MODEL, DIM) and engine.collection_name == "footnote"


def test_upsert_scroll_document_chunks_and_delete(engine: Store) -> None:
    engine.ensure()
    points = make_points(3, 4)
    engine.upsert(points)
    assert engine.count() == 12
    scrolled = dict(engine.scroll_payloads(["source", "chunk_index"]))
    assert set(scrolled) == {p.id for p in points}
    assert all(set(p) == {"source", "chunk_index"} for p in scrolled.values())
    doc = engine.document("doc1.txt")
    assert [p["chunk_index"] for p in doc] == [0, 1, 2, 3] and doc[0]["text"] == "text 1/0"
    got = engine.chunks([("doc0.txt", 2), ("doc2.txt", 0), ("doc9.txt", 0)])
    assert sorted((p["source"], p["chunk_index"]) for p in got) == [("doc0.txt", 2), ("doc2.txt", 0)]
    heads = [p for _, p in engine.scroll_payloads(["source"], where={"chunk_index": 0})]
    assert sorted(p["source"] for p in heads) == ["doc0.txt", "doc1.txt", "doc2.txt"]
    assert [p for _, p in engine.scroll_payloads(["chunk_index"], where={"source": "doc1.txt", "chunk_index": 3})] == [
        {"chunk_index": 3}
    ]
    vectors = engine.scroll_vectors(["source"])
    assert sum(1 for payload, v in vectors if len(v) == DIM and set(payload) == {"source"}) == 12
    engine.delete_ids([points[0].id, points[1].id])
    assert engine.count() == 10 and points[0].id not in dict(engine.scroll_payloads(["source"]))
    engine.delete_ids([])  # nothing to delete is fine


def test_query_gives_dense_and_sparse_hits_with_ids_scores_and_payloads(engine: Store) -> None:
    engine.ensure()
    points = make_points(3, 4)
    engine.upsert(points)
    target = points[5]
    dense, sparse = engine.query(target.dense, ([target.sparse_indices[0]], [1.0]), limit=5)
    assert dense[0].id == target.id and dense[0].score == pytest.approx(1.0, abs=1e-4)
    assert dense[0].payload["source"] == target.payload["source"] and len(dense) == 5
    assert [h.score for h in dense] == sorted((h.score for h in dense), reverse=True)
    # the keyword only target has: one sparse hit, weighted by IDF (ln((N - n + 0.5) / (n + 0.5) + 1))
    assert [h.id for h in sparse] == [target.id]
    assert sparse[0].score == pytest.approx(math.log((12 - 1 + 0.5) / (1 + 0.5) + 1), rel=1e-3)
    common, _ = engine.query(target.dense, ([], []), limit=3)
    assert len(common) == 3
    _, everywhere = engine.query(target.dense, ([99_999], [1.0]), limit=20)
    assert len(everywhere) == 12 and everywhere[0].score < sparse[0].score  # a word in every chunk weighs little


def test_retrieve_vectors_and_relabel_without_embedding(engine: Store) -> None:
    engine.ensure()
    points = make_points(2, 3)
    engine.upsert(points)
    vectors = engine.retrieve_vectors([p.id for p in points[:2]] + [point_id("nope", 0, "x")])
    assert set(vectors) == {points[0].id, points[1].id}
    for p in points[:2]:
        assert sum(a * b for a, b in zip(vectors[p.id], p.dense, strict=True)) == pytest.approx(1.0, abs=1e-5)
    # A new trust label is written with the stored vectors (what ingest does): same ids, new payloads.
    stored = engine.retrieve_vectors([p.id for p in points])
    relabelled = [
        ChunkPoint(p.id, stored[p.id], p.sparse_indices, p.sparse_values, {**p.payload, "trust": "contributed"})
        for p in points
    ]
    engine.upsert(relabelled)
    assert engine.count() == len(points)
    assert {p["trust"] for _, p in engine.scroll_payloads(["trust"])} == {"contributed"}
    hit, _ = engine.query(points[0].dense, ([], []), limit=1)
    assert hit[0].id == points[0].id and hit[0].payload["trust"] == "contributed"


def test_scroll_pages_through_more_than_one_page(engine: Store) -> None:
    engine.ensure()
    points = make_points(110, 10)  # 1100 points: more than one 1024-point page
    for i in range(0, len(points), 100):
        engine.upsert(points[i : i + 100])
    ids = [pid for pid, _ in engine.scroll_payloads(["source"])]
    assert len(ids) == len(set(ids)) == engine.count() == 1100
    engine.optimize()
    assert engine.count() == 1100 and len(engine.document("doc7.txt")) == 10


def test_recreate_empties_and_another_model_is_a_mismatch(engine: Store, tmp_path: Path) -> None:
    engine.ensure()
    engine.upsert(make_points(1, 3))
    engine.ensure(recreate=True)
    assert engine.exists() and engine.count() == 0
    engine.upsert(make_points(1, 2))
    assert engine.count() == 2
    engine.close()
    settings = make_settings(tmp_path / "qdrant")
    if engine.where.startswith("http"):
        settings = make_settings(tmp_path / "unused", qdrant_url=engine.where, qdrant_timeout=30)
    other = open_store(settings, model="another-model", dim=16)
    try:
        with pytest.raises(StoreMismatch, match="footnote ingest --recreate"):
            other.check_schema()
        with pytest.raises(StoreMismatch):
            other.ensure()
    finally:
        other.close()


# -- Qdrant Edge only: one process at a time, and writes that survive a killed process


def test_a_second_opening_of_the_embedded_store_is_busy_with_a_clear_message(tmp_path: Path) -> None:
    q = tmp_path / "qdrant"
    first = open_store(make_settings(q), model=MODEL, dim=DIM)
    try:
        first.ensure()
        with pytest.raises(StoreBusy, match="in use by another Footnote process") as err:
            open_store(make_settings(q), model=MODEL, dim=DIM)
        assert str(q.resolve()) in str(err.value) and "FOOTNOTE_QDRANT_PATH" in str(err.value)
    finally:
        first.close()
    again = open_store(make_settings(q), model=MODEL, dim=DIM)  # closing released it
    assert again.exists()
    again.close()


KILLED_WRITER = """
import os, signal, sys
from tests.conftest import make_settings
from tests.test_store import make_points, MODEL, DIM
from rag.retrieval.store import open_store
store = open_store(make_settings(__import__("pathlib").Path(sys.argv[1])), model=MODEL, dim=DIM)
store.ensure()
points = make_points(5, 10)
store.upsert(points)
store.delete_ids([points[0].id])
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_writes_survive_a_killed_process(tmp_path: Path) -> None:
    q = tmp_path / "qdrant"
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(q)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    store = open_store(make_settings(q), model=MODEL, dim=DIM)  # the lock went with the killed process
    try:
        assert store.count() == 49
        assert len(store.document("doc3.txt")) == 10 and len(store.document("doc0.txt")) == 9
    finally:
        store.close()


def test_the_embedded_store_lives_under_edge_by_collection(tmp_path: Path) -> None:
    store = open_store(make_settings(tmp_path / "qdrant", collection="articles"), model=MODEL, dim=DIM)
    try:
        store.ensure()
        assert (tmp_path / "qdrant" / "edge" / "articles" / "edge_config.json").is_file()
        assert (tmp_path / "qdrant" / ".lock").is_file() and store.where == str(tmp_path / "qdrant")
    finally:
        store.close()


def test_every_write_moves_the_store_version_and_reads_do_not(engine: Store) -> None:
    seen = [engine.version()]
    engine.ensure()
    seen.append(engine.version())
    points = make_points(2, 2)
    engine.upsert(points)
    seen.append(engine.version())
    assert engine.count() == 4 and list(engine.scroll_payloads()) and engine.version() == seen[-1]
    engine.delete_ids([points[0].id])
    seen.append(engine.version())
    assert len(set(seen)) == len(seen), seen
