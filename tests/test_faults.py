"""Faults: a killed ingest, a half-written document, an unreachable Qdrant server, concurrent writers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from ingest.pipeline import Ingestor, manifest
from rag.chat import Chat
from rag.retrieval.embeddings import Embedder
from rag.retrieval.store import Store, open_store
from tests.conftest import ROOT, SEEDS, cli_env, make_settings
from tests.live import live_server
from tests.qdrant_server import qdrant_server
from tests.servers import free_port
from ui.service import Service

COPIES = 30
QUESTIONS = {
    "How big is Llama 2 vs Qwen-VL?": "000_238b3d5c562b5a75.txt",
    "Which Nvidia systems can't be exported to China?": "003_86bf600701711a59.txt",
    "What is Qwen2.5-Omni-7B?": "002_f9dec77134c0a174.txt",
    "How does the Chinese government support open-source AI?": "004_ad83150bec543e7f.txt",
}


def make_corpus(folder: Path, copies: int) -> Path:
    """Many distinct documents built from the seeds (each copy has its own first line)."""
    folder.mkdir()
    seeds = sorted(SEEDS.iterdir())
    for i in range(copies):
        src = seeds[i % len(seeds)]
        (folder / f"copy_{i:03d}_{src.name}").write_text(f"Copy {i} of {src.name}\n\n{src.read_text()}")
    return folder


def disk_used(folder: Path) -> int:
    """Bytes the files under folder take on disk (Edge's WAL files are sparse: their size says nothing)."""
    if not folder.is_dir():
        return 0
    return sum(f.stat().st_blocks * 512 for f in folder.rglob("*") if f.is_file())


def test_killed_ingest_resumes_to_exactly_a_clean_ingest(tmp_path: Path, embedder: Embedder) -> None:
    corpus = make_corpus(tmp_path / "corpus", COPIES)
    killed = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", str(corpus)],
        cwd=ROOT,
        env=cli_env(killed),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wal = killed / "edge" / "footnote" / "wal"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if disk_used(wal) > 150_000:  # ~2.7 kB a point: some documents are written, most are not
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed; make the corpus bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    settings = make_settings(killed)
    store = open_store(settings, model=embedder.model, dim=embedder.dim)
    try:
        partial = manifest(store)
        assert 0 < len(partial) < COPIES
        chat = Chat.from_settings(settings, store=store, embedder=embedder)
        half = chat.corpus().incomplete
        assert half == {s for s, d in partial.items() if not d.complete}
        for question in QUESTIONS:
            assert not {p.source for p in chat.ask(question).passages} & half
        resumed = Ingestor(store, embedder, max_tokens=settings.chunk_tokens).ingest_paths([corpus], progress=False)
        assert resumed.added + resumed.updated == COPIES - sum(d.complete for d in partial.values())
        ids_resumed = {pid for pid, _ in store.scroll_payloads(["source"])}
        assert all(d.complete for d in manifest(store).values()) and len(manifest(store)) == COPIES
    finally:
        store.close()

    clean_settings = make_settings(tmp_path / "clean")
    clean = open_store(clean_settings, model=embedder.model, dim=embedder.dim)
    try:
        report = Ingestor(clean, embedder, max_tokens=clean_settings.chunk_tokens).ingest_paths(
            [corpus], progress=False
        )
        assert {pid for pid, _ in clean.scroll_payloads(["source"])} == ids_resumed
        assert report.points == len(ids_resumed)
    finally:
        clean.close()


def test_a_half_written_document_never_answers_until_ingest_completes_it(
    store: Store, ingestor: Ingestor, embedder: Embedder, settings
) -> None:  # type: ignore[no-untyped-def]
    ingestor.ingest_paths([SEEDS], progress=False)
    target = "000_238b3d5c562b5a75.txt"
    ids = sorted(manifest(store)[target].ids)
    store.delete_ids(ids[: len(ids) // 2])  # what a kill between per-point writes leaves behind
    chat = Chat.from_settings(settings, store=store, embedder=embedder)
    answer = chat.ask("How big is Llama 2 vs Qwen-VL?")
    assert target not in {p.source for p in answer.passages} | {c.source for c in answer.citations}
    report = ingestor.ingest_paths([SEEDS], progress=False)
    assert report.updated == 1 and report.unchanged == 4 and report.chunks_embedded == len(ids) // 2
    chat.invalidate()
    assert chat.ask("How big is Llama 2 vs Qwen-VL?").citations[0].source == target


def test_unreachable_qdrant_server_is_503_with_a_clear_message(embedder: Embedder, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = make_settings(tmp_path / "unused", qdrant_url=url, qdrant_timeout=2)
    store = open_store(settings, model=embedder.model, dim=embedder.dim)
    chat = Chat.from_settings(settings, store=store, embedder=embedder)
    service = Service(settings, chat=chat, ingestor=Ingestor(store, embedder, max_tokens=settings.chunk_tokens))
    with live_server(service) as base:
        ready = httpx.get(f"{base}/readyz", timeout=30)
        assert ready.status_code == 503 and url in ready.json()["error"]["message"]
        ask = httpx.post(f"{base}/v1/ask", json={"question": "How big is Llama 2?"}, timeout=30)
        assert ask.status_code == 503 and ask.headers.get("retry-after")
        err = ask.json()["error"]
        assert err["type"] == "store_unavailable" and "FOOTNOTE_QDRANT_URL" in err["message"]
        assert httpx.get(f"{base}/healthz").status_code == 200  # the process itself is up


def test_cli_against_an_unreachable_qdrant_server_fails_cleanly(tmp_path: Path) -> None:
    env = cli_env(
        tmp_path / "unused", FOOTNOTE_QDRANT_URL=f"http://127.0.0.1:{free_port()}", FOOTNOTE_QDRANT_TIMEOUT="2"
    )
    out = subprocess.run(
        [sys.executable, "-m", "ui.cli", "search", "Llama"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 1 and "unreachable" in out.stderr and "Traceback" not in out.stderr


def test_sixteen_concurrent_asks_and_an_upload_all_succeed(base_url: str) -> None:
    def ask(i: int) -> tuple[int, str, list[str]]:
        question = list(QUESTIONS)[i % len(QUESTIONS)]
        r = httpx.post(f"{base_url}/v1/ask", json={"question": question}, timeout=120)
        body = r.json()
        return r.status_code, question, [c["source"] for c in body.get("citations", [])]

    def upload() -> int:
        text = b"Concurrency note: the Wombat-3 model was trained in Hobart.\n"
        files = {"file": ("wombat.txt", text, "text/plain")}
        return httpx.post(f"{base_url}/v1/documents", files=files, timeout=120).status_code

    with ThreadPoolExecutor(max_workers=17) as pool:
        up = pool.submit(upload)
        results = list(pool.map(ask, range(16)))
    assert up.result() in (200, 201)
    for status, question, sources in results:
        assert status == 200 and sources and sources[0] == QUESTIONS[question], (question, sources)
    found = httpx.post(f"{base_url}/v1/ask", json={"question": "Where was Wombat-3 trained?"}, timeout=60).json()
    assert found["citations"][0]["source"] == "wombat.txt"
    assert httpx.delete(f"{base_url}/v1/documents/wombat.txt").status_code == 200


def test_the_qdrant_shim_serves_every_store_operation(embedder: Embedder, tmp_path: Path) -> None:
    """Every Store method over REST against the shim (tests/qdrant_server.py), so a gap in it fails here first."""
    port = free_port()
    with qdrant_server(tmp_path / "server", port) as url:
        settings = make_settings(tmp_path / "unused", qdrant_url=url, qdrant_timeout=5)
        store = open_store(settings, model=embedder.model, dim=embedder.dim)
        try:
            assert not store.exists() and store.count() == 0
            report = Ingestor(store, embedder, max_tokens=settings.chunk_tokens).ingest_paths([SEEDS], progress=False)
            assert report.added == 5 and store.count() == report.points > 0
            store.ensure()  # exists: checks the schema through GET /collections/{name}
            docs = manifest(store)  # scroll with payload field selection
            target = "000_238b3d5c562b5a75.txt"
            ids = sorted(docs[target].ids)
            vectors = store.retrieve_vectors(ids[:2])
            assert set(vectors) == set(ids[:2]) and all(len(v) == embedder.dim for v in vectors.values())
            chat = Chat.from_settings(settings, store=store, embedder=embedder)
            assert chat.ask("How big is Llama 2 vs Qwen-VL?").citations[0].source == target
            store.delete_ids(ids[:1])
            assert store.count() == report.points - 1
            store.ensure(recreate=True)
            assert store.exists() and store.count() == 0
            gap = httpx.get(f"{url}/telemetry", timeout=5)
            assert gap.status_code == 404 and "does not implement GET /telemetry" in gap.json()["status"]["error"]
        finally:
            store.close()


def test_qdrant_server_down_then_back_recovers_without_a_restart(embedder: Embedder, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data = tmp_path / "server"
    settings = make_settings(tmp_path / "unused", qdrant_url=url, qdrant_timeout=2)
    store = open_store(settings, model=embedder.model, dim=embedder.dim)
    chat = Chat.from_settings(settings, store=store, embedder=embedder)
    service = Service(settings, chat=chat, ingestor=Ingestor(store, embedder, max_tokens=settings.chunk_tokens))
    question = "How big is Llama 2 vs Qwen-VL?"
    target = QUESTIONS[question]
    try:
        with live_server(service) as base:

            def ask() -> httpx.Response:
                return httpx.post(f"{base}/v1/ask", json={"question": question}, timeout=60)

            with qdrant_server(data, port):
                report = service.ingestor.ingest_paths([SEEDS], progress=False)
                service.chat.invalidate()
                ready = httpx.get(f"{base}/readyz", timeout=30)
                assert ready.status_code == 200 and ready.json()["points"] == report.points > 0
                up = ask()
                assert up.status_code == 200 and up.json()["citations"][0]["source"] == target

            ready = httpx.get(f"{base}/readyz", timeout=30)
            assert ready.status_code == 503 and url in ready.json()["error"]["message"]
            down = ask()
            assert down.status_code == 503 and down.headers.get("retry-after")
            err = down.json()["error"]
            assert err["type"] == "store_unavailable" and "FOOTNOTE_QDRANT_URL" in err["message"]

            with qdrant_server(data, port):  # same port, same data; the Service is not rebuilt
                ready = httpx.get(f"{base}/readyz", timeout=30)
                assert ready.status_code == 200 and ready.json()["points"] == report.points
                back = ask()
                assert back.status_code == 200 and back.json()["citations"][0]["source"] == target
    finally:
        service.close()


def test_sigterm_mid_upload_stops_the_server_and_leaves_no_half_document_that_answers(
    tmp_path: Path, embedder: Embedder
) -> None:
    """`footnote serve` gets SIGTERM while an upload is embedding: it exits (the README gives the measured time),
    and what the upload left is either whole or hidden from answers and listed as incomplete."""
    store_path = tmp_path / "qdrant"
    port = free_port()
    env = cli_env(store_path, FOOTNOTE_MAX_UPLOAD_CHUNKS="5000", FOOTNOTE_MAX_UPLOAD_BYTES="3000000")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        big = "\n\n".join(f"Report {i}: the Kestrel {i} unit shipped {i} boards to Lisbon." for i in range(6000))
        pool = ThreadPoolExecutor(1)
        upload = pool.submit(
            lambda: httpx.post(url + "/v1/documents", json={"source": "kestrel.txt", "text": big}, timeout=120)
        )
        time.sleep(3)  # the upload is embedding by now
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        stopped = time.monotonic() - t0
        pool.shutdown(wait=True)
        print(f"stopped {stopped:.1f} s after SIGTERM; upload outcome: {upload.exception() or upload.result()}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    settings = make_settings(store_path)
    store = open_store(settings, model=embedder.model, dim=embedder.dim)
    try:
        docs = manifest(store)
        chat = Chat.from_settings(settings, store=store, embedder=embedder)
        kestrel = docs.get("kestrel.txt")
        print("upload left:", "nothing" if kestrel is None else ("whole" if kestrel.complete else "part"))
        answer = chat.ask("Where did the Kestrel units ship boards?")
        if kestrel is not None and not kestrel.complete:
            assert "kestrel.txt" in chat.corpus().incomplete
            assert all(p.source != "kestrel.txt" for p in answer.passages)
        assert {d for d in docs if d != "kestrel.txt"} == {p.name for p in SEEDS.iterdir()}
        if kestrel is not None and not kestrel.complete:  # the next start removes what cannot be completed
            from ui.service import Service

            service = Service(settings, chat=chat, ingestor=Ingestor(store, embedder, max_tokens=settings.chunk_tokens))
            assert service.drop_broken_uploads() == ["kestrel.txt"] and "kestrel.txt" not in manifest(store)
    finally:
        store.close()
