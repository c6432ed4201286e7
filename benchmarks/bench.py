"""`footnote bench`: Footnote at 1k / 5k / 20k / 100k chunks, beside qdrant-client local mode and naive llama-index.

For every size a corpus of about that many chunks is made from a base folder (the seeds, or a library such as
the news set), and every engine runs the way a user runs it, each in its own process:
- `footnote ingest FOLDER` (chunks/s from the ingest report), then the same command again (unchanged re-ingest,
  whole command wall time);
- `footnote serve --no-ingest`: start to /readyz, REST search and ask p50/p95 once the warm-up is done, the
  server's peak RSS; the store's size on disk;
- for Edge, the HNSW recall@10 of the dense search against exact search.
The naive llama-index pipeline (VectorStoreIndex over qdrant-client local mode, the same model through
llama-index's HuggingFace embedding) runs in its own process too (benchmarks/naive.py): build time, in-process
retrieval p50/p95, peak RSS and disk. It needs the bench extra: `pip install -e ".[bench]"`.

Progress goes to stderr; the table to stdout; every figure to the JSON file.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.load import free_port, stop
from ingest.chunk import chunk_document
from ingest.load import load_paths
from rag.config import Settings
from rag.evaluate import load_questions
from rag.retrieval.embeddings import embedder_from_settings

SIZES = (1_000, 5_000, 20_000, 100_000)
ENGINES = ("edge", "local", "naive")
LOCAL_MAX = 20_000  # qdrant-client local mode warns past 20k points and is linear in them
NAIVE_MAX = 20_000
WARM_TIMEOUT_S = 900

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


@dataclass(frozen=True)
class Plan:
    """What one `footnote bench` run measures."""

    base: Path
    questions: list[str]
    sizes: Sequence[int] = SIZES
    engines: Sequence[str] = ENGINES
    local_max: int = LOCAL_MAX
    naive_max: int = NAIVE_MAX
    rounds: int = 50


def say(msg: str) -> None:
    """One progress line on stderr."""
    print(f"bench {time.strftime('%H:%M:%S')}: {msg}", file=sys.stderr, flush=True)


def pcts(ms: Sequence[float]) -> dict[str, float]:
    """p50 / p95 of timings in ms."""
    s = sorted(ms)
    pick = lambda q: s[min(len(s) - 1, round(q * (len(s) - 1)))]  # noqa: E731
    return {"p50_ms": round(pick(0.5), 2), "p95_ms": round(pick(0.95), 2), "n": len(s)}


def timed(fn: Callable[[str], Any], questions: Sequence[str], rounds: int) -> dict[str, float]:
    """Latency of fn over the questions in turn, after a warm-up pass over the first few."""
    for q in questions[:3]:
        fn(q)
    ms = []
    for i in range(rounds):
        t = time.perf_counter()
        fn(questions[i % len(questions)])
        ms.append((time.perf_counter() - t) * 1000)
    return pcts(ms)


def disk_mb(path: Path) -> float:
    """Disk space used under path, in MB: allocated blocks, not apparent sizes (Qdrant Edge's WAL files are
    sparse: they claim 32 MB each and hold a few)."""
    total = sum(f.stat().st_blocks * 512 for f in path.rglob("*") if f.is_file()) if path.exists() else 0
    return round(total / 1e6, 1)


def peak_rss_mb(pid: int) -> float | None:
    """A live process's peak resident set (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


# -- the corpus ------------------------------------------------------------------------------------------------
def _variant(text: str, k: int) -> str:
    """Copy k of an article: its paragraphs rotated by k, so chunk boundaries and texts differ between copies."""
    paras = [p for p in text.split("\n\n") if p.strip()]
    if k == 0 or len(paras) < 2:
        return text
    r = k % len(paras)
    return "\n\n".join(paras[r:] + paras[:r])


def make_corpus(base: Path, folder: Path, chunks: int, chunks_per_doc: float) -> int:
    """Files in folder made from base's articles until about `chunks` chunks; returns the file count."""
    folder.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in base.iterdir() if p.is_file() and p.suffix in {".txt", ".md"})
    if not files:
        raise SystemExit(f"error: no .txt or .md articles in {base} (--corpus)")
    wanted = max(1, round(chunks / max(chunks_per_doc, 1e-9)))
    for i in range(wanted):
        src = files[i % len(files)]
        k = i // len(files)
        name = f"c{k:03d}_{src.name}" if k else src.name
        (folder / name).write_text(_variant(src.read_text(encoding="utf-8"), k), encoding="utf-8")
    return wanted


def chunks_per_doc(settings: Settings, base: Path) -> float:
    """Average chunks per article of the base folder, with the configured chunker and embedder's tokenizer."""
    embedder = embedder_from_settings(settings)
    docs, _ = load_paths([base])
    n = sum(len(chunk_document(d, max_tokens=settings.chunk_tokens, count_tokens=embedder.count_tokens)) for d in docs)
    return n / max(1, len(docs))


# -- one Footnote engine at one size ---------------------------------------------------------------------------
def _env(store: Path, engine: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTNOTE_")}
    env.update(
        {"FOOTNOTE_QDRANT_PATH": str(store), "FOOTNOTE_QDRANT_ENGINE": engine, "FOOTNOTE_ANSWERER": "extractive"}
    )
    return env


def _cli(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ui.cli", *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"footnote {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[-800:]}")
    return wall, proc.stdout


def bench_footnote(engine: str, folder: Path, store: Path, plan: Plan, log_dir: Path) -> dict[str, Any]:
    """Ingest, re-ingest, serve, search, ask, RSS, disk for one engine over one corpus."""
    env = _env(store, engine)
    say(f"{engine}: ingest {folder.name}")
    wall, out = _cli(["ingest", str(folder), "--json"], env)
    report = json.loads(out.strip().splitlines()[-1])
    row: dict[str, Any] = {
        "engine": engine,
        "chunks": report["points"],
        "ingest_s": report["seconds"],
        "ingest_wall_s": round(wall, 1),
        "ingest_chunks_per_s": round(report["chunks_embedded"] / max(report["seconds"], 1e-9), 1),
    }
    say(f"{engine}: {report['points']} chunks in {report['seconds']:.0f} s; re-ingest unchanged")
    wall, out = _cli(["ingest", str(folder), "--json"], env)
    again = json.loads(out.strip().splitlines()[-1])
    row["reingest_wall_s"] = round(wall, 2)
    row["reingest_embedded"] = again["chunks_embedded"]
    row.update(_serve(env, plan, log_dir / f"serve-{engine}-{folder.name}.log"))
    # The first start follows a long ingest (the disk still writing it back, caches cold for the store's files);
    # later starts are what a restart costs.
    again = log_dir / f"serve-{engine}-{folder.name}-again.log"
    row["start_to_ready_later_s"] = [_start_only(env, again) for _ in range(3)]
    row["disk_mb"] = disk_mb(store)
    if engine == "edge":
        say("edge: HNSW recall against exact search")
        row["hnsw_recall_at_10"] = hnsw_recall(env, plan.questions)
    return row


def _launch(env: dict[str, str], err: Any) -> tuple[subprocess.Popen[bytes], str, float]:
    """`footnote serve --no-ingest` on a free port: the process, its base URL and when it was started."""
    port = free_port()
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", "--no-ingest", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=err,
    )
    return proc, f"http://127.0.0.1:{port}", t


def _until_ready(proc: subprocess.Popen[bytes], base: str, t: float) -> float | None:
    """Seconds from t to /readyz answering 200 (None if the server exits or takes over 300 s)."""
    while time.perf_counter() - t < 300 and proc.poll() is None:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return time.perf_counter() - t
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    return None


def _start_only(env: dict[str, str], log: Path) -> float | None:
    """Seconds from `footnote serve --no-ingest` to ready, for a start on its own."""
    with log.open("a") as err:
        proc, base, t = _launch(env, err)
        try:
            ready = _until_ready(proc, base, t)
            return None if ready is None else round(ready, 2)
        finally:
            stop(proc, timeout=30)


def _serve(env: dict[str, str], plan: Plan, log: Path) -> dict[str, Any]:
    with log.open("w") as err:
        proc, base, t = _launch(env, err)
        try:
            ready = _until_ready(proc, base, t)
            if ready is None:
                return {"error": f"serve not ready (exit {proc.poll()}); see {log}"}
            say(f"ready in {ready:.1f} s; waiting for the sentence warm-up to finish")
            warm_t = time.perf_counter()
            while time.perf_counter() - warm_t < WARM_TIMEOUT_S:
                if httpx.get(f"{base}/readyz", timeout=5).json().get("warm_up") != "running":
                    break
                time.sleep(0.5)
            with httpx.Client(timeout=120) as http:
                search = timed(
                    lambda q: http.get(f"{base}/v1/search", params={"q": q}).raise_for_status(),
                    plan.questions,
                    plan.rounds,
                )
                ask = timed(
                    lambda q: http.post(f"{base}/v1/ask", json={"question": q}).raise_for_status(),
                    plan.questions,
                    plan.rounds,
                )
            return {
                "start_to_ready_s": round(ready, 2),
                "search_rest": search,
                "ask_rest": ask,
                "server_peak_rss_mb": peak_rss_mb(proc.pid),
            }
        finally:
            stop(proc, timeout=30)


def hnsw_recall(env: dict[str, str], questions: Sequence[str], k: int = 10) -> float | None:
    """Mean overlap of the dense top-k from the HNSW index with exact search's, over the questions."""
    code = (
        "import json,sys\n"
        "from rag.config import Settings\n"
        "from rag.retrieval.embeddings import embedder_from_settings\n"
        "from rag.retrieval.store import open_store\n"
        "s = Settings(); e = embedder_from_settings(s)\n"
        "st = open_store(s, model=e.model, dim=e.dim)\n"
        f"k = {k}; qs = json.loads(sys.stdin.read()); got = []\n"
        "for q in qs:\n"
        "    v = e.embed_query(q)\n"
        "    a = {h.id for h in st.dense_search(v, limit=k)}\n"
        "    b = {h.id for h in st.dense_search(v, limit=k, exact=True)}\n"
        "    got.append(len(a & b) / max(1, len(b)))\n"
        "st.close(); print(sum(got) / len(got))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, input=json.dumps(list(questions)), capture_output=True, text=True
    )
    if proc.returncode != 0:
        say(f"recall failed: {proc.stderr.strip()[-400:]}")
        return None
    return round(float(proc.stdout.strip().splitlines()[-1]), 4)


def bench_naive(folder: Path, store: Path, plan: Plan) -> dict[str, Any]:
    """The naive llama-index pipeline in its own process (benchmarks/naive.py)."""
    say(f"naive llama-index: index {folder.name}")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.naive", str(folder), str(store), str(plan.rounds)],
        input=json.dumps(plan.questions),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        return {"engine": "naive", "error": proc.stderr.strip()[-800:]}
    return {"engine": "naive", **json.loads(proc.stdout.strip().splitlines()[-1])}


# -- the run ---------------------------------------------------------------------------------------------------
def run_plan(settings: Settings, plan: Plan, work: Path) -> list[dict[str, Any]]:
    """Every engine at every size; rows of figures."""
    per_doc = chunks_per_doc(settings, plan.base)
    say(f"{plan.base}: {per_doc:.1f} chunks per article")
    rows: list[dict[str, Any]] = []
    for size in sorted(plan.sizes):
        folder = work / f"corpus-{size}"
        files = make_corpus(plan.base, folder, size, per_doc)
        say(f"size {size}: {files} files")
        for engine in plan.engines:
            if (engine == "local" and size > plan.local_max) or (engine == "naive" and size > plan.naive_max):
                continue
            store = work / f"store-{engine}-{size}"
            try:
                row = (
                    bench_naive(folder, store, plan)
                    if engine == "naive"
                    else bench_footnote(engine, folder, store, plan, work)
                )
            except RuntimeError as exc:
                row = {"engine": engine, "error": str(exc)}
            row["size"] = size
            rows.append(row)
            say(f"{engine} at {size}: {json.dumps(row)}")
            shutil.rmtree(store, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def _fmt(r: dict[str, Any] | None) -> str:
    return f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f}" if r else "–"


def _ready(r: dict[str, Any]) -> str:
    later = [x for x in r.get("start_to_ready_later_s") or [] if x is not None]
    first = r.get("start_to_ready_s", "–")
    return f"{first} / {'–'.join(str(x) for x in (min(later), max(later)))}" if later else str(first)


def table(rows: Sequence[dict[str, Any]]) -> str:
    """The README's benchmark table."""
    head = (
        "| size | engine | chunks | ingest chunks/s | unchanged re-ingest (s) | start to ready (s), first / later "
        "| REST search p50 / p95 (ms) | REST ask p50 / p95 (ms) | peak RSS (MB) | disk (MB) | HNSW recall@10 |"
    )
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['size']} | {r['engine']} | error: {r['error'][:80]} |" + " |" * 8)
            continue
        naive = r["engine"] == "naive"
        row = "| {size} | {engine} | {chunks} | {rate} | {re} | {ready} | {search} | {ask} | {rss} | {disk} | {rec} |"
        lines.append(
            row.format(
                size=f"{r['size']:,}",
                engine="naive llama-index (in process)" if naive else r["engine"],
                chunks=f"{r.get('chunks', '–'):,}" if isinstance(r.get("chunks"), int) else "–",
                rate=r.get("ingest_chunks_per_s", "–"),
                re=r.get("reingest_wall_s", "–"),
                ready=_ready(r),
                search=_fmt(r.get("search_rest") or r.get("search_in_process")),
                ask=_fmt(r.get("ask_rest")),
                rss=r.get("server_peak_rss_mb") or r.get("peak_rss_mb") or "–",
                disk=r.get("disk_mb", "–"),
                rec=r.get("hnsw_recall_at_10", "–"),
            )
        )
    return "\n".join(lines)


def questions_from(path: Path | None) -> list[str]:
    """The questions to time: a question file's, or a built-in list about the seeds."""
    if path is None:
        return list(QUESTIONS)
    return [q.question for q in load_questions(path)][:200]


def run_bench(
    settings: Settings,
    *,
    out: Path,
    corpus: Path | None,
    questions: Path | None,
    sizes: Sequence[int],
    engines: Sequence[str],
    rounds: int,
) -> int:
    """Run the plan; print the table; write JSON to out."""
    base = corpus or settings.seeds_dir
    if not base.is_dir():
        print(f"error: corpus folder {base} not found (--corpus, or FOOTNOTE_SEEDS_DIR)", file=sys.stderr)
        return 2
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown:
        print(f"error: unknown engine {', '.join(unknown)} (--engines takes {', '.join(ENGINES)})", file=sys.stderr)
        return 2
    try:
        qs = questions_from(questions)
    except ValueError as exc:
        print(f"error: {exc} (--questions)", file=sys.stderr)
        return 2
    plan = Plan(base=base, questions=qs, sizes=sizes, engines=engines, rounds=rounds)
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}",
        "corpus": str(base),
        "questions": len(qs),
        "rounds": rounds,
        "embedding": f"{settings.embedding}",
    }
    with tempfile.TemporaryDirectory(prefix="footnote-bench-") as tmp:
        results["rows"] = run_plan(settings, plan, Path(tmp))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"Footnote bench on {results['machine']}; corpus {base}; {len(qs)} questions, {rounds} rounds\n")
    print(table(results["rows"]))
    print(f"\nwrote {out}", file=sys.stderr)
    return 0
