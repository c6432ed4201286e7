"""The packaged MiniLM on torch vs ONNX fp32 vs ONNX int8, in one run: `python benchmarks/embed_bench.py [--json OUT]`.

- parity: cosine of each ONNX vector to torch's over the seed chunks (as ingest cuts them) and every eval question,
  and how often a question's nearest chunk is the same as with torch;
- ingest throughput: the seed chunks repeated to about --texts texts, embed_documents in batches of 64, chunks/s
  (each embedder --rounds times, interleaved, best round; ratios to torch);
- query embed: embed_query over the eval questions, p50/p95 ms (questions run at the embedder's precision);
- import + construct: a cold process importing rag.retrieval.embeddings and building the embedder, median of
  --cold runs, with the modules it loaded (torch or not).

On demand, not a test: nothing here asserts a time. The ONNX cache is filled first (FOOTNOTE_MODEL_CACHE).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from ingest.chunk import chunk_document  # noqa: E402
from ingest.load import load_paths  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.retrieval.embeddings import Embedder, embedder_from_settings  # noqa: E402

CONFIGS = {"torch": ("torch", "fp32"), "onnx-fp32": ("onnx", "fp32"), "onnx-int8": ("onnx", "int8")}
COLD = """
import sys, time
t = time.perf_counter()
from rag.config import Settings
from rag.retrieval.embeddings import embedder_from_settings
e = embedder_from_settings(Settings(_env_file=None, embedding_backend=sys.argv[1], embedding_precision=sys.argv[2]))
e.embed_query("warm")
print(time.perf_counter() - t, int("torch" in sys.modules))
"""


def settings_for(name: str) -> Settings:
    backend, precision = CONFIGS[name]
    return Settings(_env_file=None, embedding_backend=backend, embedding_precision=precision)


def seed_chunks(embedder: Embedder) -> list[str]:
    docs, _ = load_paths([ROOT / "seeds"])
    offsets = getattr(embedder, "token_offsets", None)
    return [
        c.text
        for d in docs
        for c in chunk_document(d, max_tokens=80, count_tokens=embedder.count_tokens, token_offsets=offsets)
    ]


def questions() -> list[str]:
    return [
        json.loads(line)["question"]
        for f in sorted((ROOT / "tests" / "eval").glob("*.jsonl"))
        for line in f.read_text().splitlines()
        if line.strip()
    ]


def cold_start(name: str, runs: int) -> dict[str, Any]:
    backend, precision = CONFIGS[name]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times, torch_loaded = [], 0
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", COLD, backend, precision], env=env, capture_output=True, text=True, check=True
        )
        seconds, loaded = out.stdout.split()
        times.append(float(seconds))
        torch_loaded = int(loaded)
    return {"import_construct_s": statistics.median(times), "torch_imported": bool(torch_loaded)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--cold", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    embedders = {name: embedder_from_settings(settings_for(name)) for name in CONFIGS}
    chunks = seed_chunks(embedders["onnx-fp32"])
    qs = questions()
    texts = (chunks * (args.texts // len(chunks) + 1))[: max(args.texts, len(chunks))]
    report: dict[str, Any] = {"chunks": len(chunks), "questions": len(qs), "texts": len(texts), "results": {}}

    ref_c = np.array(embedders["torch"].embed_documents(chunks))
    ref_q = np.array([embedders["torch"].embed_query(q) for q in qs])
    top_ref = (ref_q @ ref_c.T).argmax(1)
    for name, e in embedders.items():
        c = np.array(e.embed_documents(chunks))
        q = np.array([e.embed_query(x) for x in qs])
        cos = np.concatenate([(c * ref_c).sum(1), (q * ref_q).sum(1)])
        report["results"][name] = {
            "cos_chunks_min": float((c * ref_c).sum(1).min()),
            "cos_questions_min": float((q * ref_q).sum(1).min()),
            "cos_mean": float(cos.mean()),
            "top1_agreement": float(((q @ c.T).argmax(1) == top_ref).mean()),
        }

    for name in embedders:  # warm
        embedders[name].embed_documents(texts[:64])
    best: dict[str, float] = {}
    best_cpu: dict[str, float] = {}  # chunks per CPU second of this process: steadier on a shared machine
    for _ in range(args.rounds):
        for name, e in embedders.items():
            t, cpu = time.perf_counter(), time.process_time()
            e.embed_documents(texts)
            best[name] = max(best.get(name, 0.0), len(texts) / (time.perf_counter() - t))
            best_cpu[name] = max(best_cpu.get(name, 0.0), len(texts) / (time.process_time() - cpu))
    for name, e in embedders.items():
        times = []
        for question in qs:
            t = time.perf_counter()
            e.embed_query(question)
            times.append((time.perf_counter() - t) * 1000)
        r = report["results"][name]
        r["ingest_chunks_per_s"] = best[name]
        r["vs_torch"] = best[name] / best["torch"]
        r["chunks_per_cpu_s"] = best_cpu[name]
        r["cpu_vs_torch"] = best_cpu[name] / best_cpu["torch"]
        r["query_p50_ms"] = float(np.percentile(times, 50))
        r["query_p95_ms"] = float(np.percentile(times, 95))
    for name in embedders:
        report["results"][name].update(cold_start(name, args.cold))

    print(f"{len(chunks)} seed chunks repeated to {len(texts)} texts; {len(qs)} eval questions")
    cols: tuple[str, ...] = ("cos_mean", "cos_chunks_min", "cos_questions_min", "top1_agreement")
    cols += ("ingest_chunks_per_s", "vs_torch", "chunks_per_cpu_s", "cpu_vs_torch")
    cols += ("query_p50_ms", "query_p95_ms", "import_construct_s", "torch_imported")
    print("| embedder | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, r in report["results"].items():
        cells = [f"{r[k]:.6f}" if k.startswith(("cos", "top1")) else f"{r[k]:.2f}" for k in cols[:-1]]
        print(f"| {name} | " + " | ".join([*cells, str(r["torch_imported"])]) + " |")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
