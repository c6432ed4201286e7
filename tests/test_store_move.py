"""Moving on: a store made by the earlier release (qdrant-client's local mode) is moved into Qdrant Edge when it
opens, without re-embedding; a move that cannot happen says exactly what to run."""

from __future__ import annotations

from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from ingest.pipeline import Ingestor, manifest
from rag.chat import Chat
from rag.errors import StoreMismatch
from rag.retrieval.embeddings import Embedder
from rag.retrieval.server_store import ServerStore
from rag.retrieval.store import Store, open_store
from tests.conftest import SEEDS, make_settings
from tests.qdrant_server import qdrant_server
from tests.servers import free_port


def earlier_release_store(path: Path, embedder: Embedder) -> dict[str, dict[str, object]]:
    """The seeds ingested the way the earlier release did: qdrant-client's local mode at path (its Store class is
    today's ServerStore over a local client: same schema, dense named after the model + sparse "bm25")."""
    client = QdrantClient(path=str(path))
    old = ServerStore(client, collection_name="footnote", model=embedder.model, dim=embedder.dim, where=str(path))
    try:
        report = Ingestor(old, embedder, max_tokens=80).ingest_paths([SEEDS], progress=False)
        assert report.added == 5
        return dict(old.scroll_payloads())
    finally:
        old.close()


@pytest.mark.filterwarnings("ignore:Payload indexes have no effect")
def test_an_earlier_release_store_is_moved_without_re_embedding(
    tmp_path: Path, embedder: Embedder, capsys: pytest.CaptureFixture[str]
) -> None:
    q = tmp_path / "qdrant"
    before = earlier_release_store(q, embedder)
    client = QdrantClient(path=str(q))
    old_vectors = {str(r.id): r.vector for r in client.scroll("footnote", limit=1000, with_vectors=True)[0] if r.vector}
    client.close()
    settings = make_settings(q)

    store = open_store(settings, model=embedder.model, dim=embedder.dim)
    try:
        line = capsys.readouterr().err
        assert "moved the store of the earlier release" in line
        assert f"collection 'footnote': {len(before)} points" in line
        assert dict(store.scroll_payloads()) == before  # every point, every payload field
        moved = store.retrieve_vectors(list(old_vectors))
        for pid, vec in old_vectors.items():
            assert isinstance(vec, dict)
            dense = vec[store.dense]
            assert moved[pid] == pytest.approx(dense, abs=1e-6)  # type: ignore[arg-type]
        # the ingest that follows finds every document unchanged: nothing is embedded again
        again = Ingestor(store, embedder, max_tokens=80).ingest_paths([SEEDS], progress=False)
        assert again.unchanged == 5 and again.chunks_embedded == 0 and again.points == len(before)
        assert all(d.complete for d in manifest(store).values())
        answer = Chat.from_settings(settings, store=store, embedder=embedder).ask("How big is Llama 2 vs Qwen-VL?")
        assert answer.citations[0].source == "000_238b3d5c562b5a75.txt"
    finally:
        store.close()
    # the old files are kept aside, so the next opening moves nothing
    assert not (q / "meta.json").exists() and not (q / "collection").exists()
    assert len(list(q.glob("collection.migrated-*"))) == 1 and len(list(q.glob("meta.json.migrated-*"))) == 1
    reopened = open_store(settings, model=embedder.model, dim=embedder.dim)
    try:
        assert reopened.count() == len(before) and "moved" not in capsys.readouterr().err
    finally:
        reopened.close()


def test_an_earlier_store_that_cannot_be_moved_says_what_to_run(tmp_path: Path) -> None:
    q = tmp_path / "qdrant"
    q.mkdir()
    (q / "meta.json").write_text("{not json")
    with pytest.raises(StoreMismatch) as err:
        open_store(make_settings(q), model="all-MiniLM-L6-v2", dim=384)
    message = str(err.value)
    assert "earlier Footnote release" in message and "footnote ingest --recreate" in message
    assert str(q / "meta.json") in message


@pytest.mark.filterwarnings("ignore:Payload indexes have no effect")
def test_an_embedded_store_moves_to_a_qdrant_server_by_ingesting_the_same_folders(
    tmp_path: Path, embedder: Embedder
) -> None:
    """The documented way from the embedded store to a server: FOOTNOTE_QDRANT_URL + `footnote ingest FOLDERS`.
    Point ids are content-addressed, so the server ends up with exactly the embedded store's points."""

    def points(store: Store) -> dict[str, dict[str, object]]:
        return {pid: {k: v for k, v in p.items() if k != "ingested_at"} for pid, p in store.scroll_payloads()}

    embedded = open_store(make_settings(tmp_path / "qdrant"), model=embedder.model, dim=embedder.dim)
    try:
        Ingestor(embedded, embedder, max_tokens=80).ingest_paths([SEEDS], progress=False)
        before = points(embedded)
    finally:
        embedded.close()
    with qdrant_server(tmp_path / "server", free_port()) as url:
        settings = make_settings(tmp_path / "unused", qdrant_url=url, qdrant_timeout=10)
        server = open_store(settings, model=embedder.model, dim=embedder.dim)
        try:
            Ingestor(server, embedder, max_tokens=80).ingest_paths([SEEDS], progress=False)
            assert points(server) == before
            answer = Chat.from_settings(settings, store=server, embedder=embedder).ask("How big is Llama 2 vs Qwen-VL?")
            assert answer.citations[0].source == "000_238b3d5c562b5a75.txt"
        finally:
            server.close()
