"""Bounded load test of a Footnote server: POST /v1/ask and GET /v1/search under N concurrent clients.

Usage (from the project root)::

    .venv/bin/python benchmarks/load.py [--url URL] [--duration 30] [--clients 8 32] [--json OUT]

Without --url the script starts its own server, ``footnote serve --host 127.0.0.1 --port <free>``, on a
throwaway embedded Qdrant store (it ingests seeds/ on first start) with the extractive answerer and
FOOTNOTE_MAX_PENDING=256, times start-to-ready (until GET /readyz answers 200), and stops it at the end.

For every client count and endpoint, N asyncio clients (one httpx.AsyncClient, one connection each) send
requests back to back for --duration seconds; no request starts after the deadline, and the ones in flight
finish (or time out). Questions cycle through real ones from tests/eval/dev.jsonl and tests/eval/footnote-tune.jsonl
(mostly answerable, a few the articles cannot answer). Per cell: requests/s (completed / wall time), latency
percentiles of the 2xx answers, and errors (non-2xx statuses by error type, or exception names).

The load generator shares the machine with the server, so every number is for both together on this box;
the table header names the CPU count and the JSON records the CPU seconds each side used per cell.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
EVAL_FILES = (ROOT / "tests/eval/dev.jsonl", ROOT / "tests/eval/footnote-tune.jsonl")
ENDPOINTS = ("ask", "search")
ANSWERABLE_PER_FILE = 4
UNANSWERABLE_PER_FILE = 1
READY_TIMEOUT = 300.0


# -- questions ----------------------------------------------------------------------------------------------


def load_questions(files: Sequence[Path] = EVAL_FILES) -> list[str]:
    """About ten real questions: the first few answerable and one unanswerable from each eval file."""
    questions: list[str] = []
    for path in files:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        questions += [r["question"] for r in rows if r.get("answerable", True)][:ANSWERABLE_PER_FILE]
        questions += [r["question"] for r in rows if not r.get("answerable", True)][:UNANSWERABLE_PER_FILE]
    if not questions:
        raise SystemExit(f"no questions found in {', '.join(str(p) for p in files)}")
    return questions


# -- the server under test ----------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(proc: subprocess.Popen[Any], timeout: float = 15) -> None:
    """Terminate a server process; kill it when it does not stop in time."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def footnote_command() -> list[str]:
    """The `footnote` console script next to this interpreter, else `python -m ui.cli`."""
    script = Path(sys.executable).parent / "footnote"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ui.cli"]


def server_env(qdrant_path: Path) -> dict[str, str]:
    """The parent's environment minus every Footnote/OpenAI setting, plus a private store and offline models."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTNOTE_")}
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    env.update(
        {
            "FOOTNOTE_QDRANT_PATH": str(qdrant_path),
            "FOOTNOTE_SEEDS_DIR": str(ROOT / "seeds"),
            "FOOTNOTE_ANSWERER": "extractive",
            "FOOTNOTE_MAX_PENDING": "256",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
        }
    )
    return env


@dataclass
class Server:
    """A `footnote serve` subprocess and what its start cost."""

    url: str
    proc: subprocess.Popen[bytes] | None = None
    start_to_ready_s: float | None = None
    log: Path | None = None

    def cpu_seconds(self) -> float | None:
        """User+system CPU seconds the server process has used so far (Linux /proc; None elsewhere)."""
        if self.proc is None:
            return None
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's output, for error messages."""
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def own_server() -> Iterator[Server]:
    """Start `footnote serve` on a free port over a temp store, wait for /readyz, stop it on exit."""
    workdir = Path(tempfile.mkdtemp(prefix="footnote-load-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = workdir / "server.log"
    cmd = [*footnote_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        t0 = time.perf_counter()
        # cwd is the temp dir so a developer's .env in the project root is not read by the server.
        proc = subprocess.Popen(
            cmd, cwd=workdir, env=server_env(workdir / "qdrant"), stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(url=url, proc=proc, log=log)
    try:
        server.start_to_ready_s = wait_ready(server, t0)
        yield server
    finally:
        stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def wait_ready(server: Server, t0: float) -> float:
    """Seconds from t0 until GET /readyz answers 200; exits with the server's log when it never does."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.proc is not None and server.proc.poll() is not None:
            raise SystemExit(f"the server exited with {server.proc.returncode}:\n{server.log_tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return time.perf_counter() - t0
        time.sleep(0.2)
    raise SystemExit(f"{server.url}/readyz not ready after {READY_TIMEOUT:.0f}s:\n{server.log_tail()}")


# -- one cell: an endpoint under N clients ------------------------------------------------------------------


@dataclass
class Sample:
    """One request: how long it took and how it went."""

    latency_s: float
    status: int  # 0 when no response came back
    error: str | None  # None for 2xx; else "503 overloaded", "ReadTimeout", ...


@dataclass
class Cell:
    """The results for one endpoint under one client count."""

    endpoint: str
    clients: int
    duration_s: float
    elapsed_s: float = 0.0
    requests: int = 0
    ok: int = 0
    errors: int = 0
    rps: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    mean_ms: float | None = None
    max_ms: float | None = None
    error_kinds: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    server_cpu_s: float | None = None
    loadgen_cpu_s: float | None = None


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = (len(sorted_values) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def error_kind(response: httpx.Response) -> str:
    """'<status> <error.type>' from Footnote's error shape, else just the status."""
    try:
        kind = response.json()["error"]["type"]
    except Exception:
        kind = None
    return f"{response.status_code} {kind}" if kind else str(response.status_code)


def build_request(client: httpx.AsyncClient | httpx.Client, endpoint: str, question: str) -> httpx.Request:
    """The HTTP request for one question."""
    if endpoint == "ask":
        return client.build_request("POST", "/v1/ask", json={"question": question})
    if endpoint == "search":
        return client.build_request("GET", "/v1/search", params={"q": question})
    raise ValueError(f"unknown endpoint {endpoint!r}")


async def one_client(
    client: httpx.AsyncClient, endpoint: str, questions: Sequence[str], offset: int, deadline: float
) -> list[Sample]:
    """Requests back to back until the deadline; each client starts at its own place in the question list."""
    samples: list[Sample] = []
    i = offset
    while time.perf_counter() < deadline:
        request = build_request(client, endpoint, questions[i % len(questions)])
        i += 1
        t0 = time.perf_counter()
        try:
            response = await client.send(request)
            await response.aread()
        except httpx.HTTPError as exc:
            samples.append(Sample(time.perf_counter() - t0, 0, type(exc).__name__))
            continue
        latency = time.perf_counter() - t0
        ok = 200 <= response.status_code < 300
        samples.append(Sample(latency, response.status_code, None if ok else error_kind(response)))
    return samples


async def run_cell(
    url: str, endpoint: str, clients: int, duration: float, questions: Sequence[str], timeout: float
) -> list[Sample]:
    """N clients for `duration` seconds over one connection pool sized to N."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as client:
        deadline = time.perf_counter() + duration
        per_client = await asyncio.gather(
            *(one_client(client, endpoint, questions, k, deadline) for k in range(clients))
        )
    return [s for samples in per_client for s in samples]


def summarize(cell: Cell, samples: Sequence[Sample]) -> Cell:
    """Fill a Cell's counts, rate and percentiles from its samples."""
    cell.requests = len(samples)
    good = sorted(s.latency_s * 1000 for s in samples if s.error is None)
    cell.ok = len(good)
    cell.errors = cell.requests - cell.ok
    cell.rps = cell.requests / cell.elapsed_s if cell.elapsed_s else 0.0
    if good:
        cell.p50_ms, cell.p95_ms, cell.p99_ms = (round(percentile(good, q), 1) for q in (50, 95, 99))
        cell.mean_ms = round(statistics.fmean(good), 1)
        cell.max_ms = round(good[-1], 1)
    cell.error_kinds = dict(Counter(s.error for s in samples if s.error is not None).most_common())
    cell.statuses = {str(k): v for k, v in sorted(Counter(s.status for s in samples).items())}
    return cell


def loadgen_cpu() -> float:
    """User+system CPU seconds this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(
    server: Server, endpoint: str, clients: int, duration: float, questions: Sequence[str], timeout: float
) -> Cell:
    """Run one cell and summarize it, with the CPU each side spent."""
    cell = Cell(endpoint=endpoint, clients=clients, duration_s=duration)
    server_cpu0, gen_cpu0, t0 = server.cpu_seconds(), loadgen_cpu(), time.perf_counter()
    samples = asyncio.run(run_cell(server.url, endpoint, clients, duration, questions, timeout))
    cell.elapsed_s = round(time.perf_counter() - t0, 2)
    server_cpu1 = server.cpu_seconds()
    if server_cpu0 is not None and server_cpu1 is not None:
        cell.server_cpu_s = round(server_cpu1 - server_cpu0, 1)
    cell.loadgen_cpu_s = round(loadgen_cpu() - gen_cpu0, 1)
    return summarize(cell, samples)


def warm_up(url: str, questions: Sequence[str], timeout: float) -> dict[str, list[float]]:
    """Every question once per endpoint before measuring, uncounted; their (cold) latencies in ms, by endpoint.

    The first request for a question is several times slower than the next ones (first-use costs in the
    model runtime for new input shapes, lazily built corpus statistics), so the cells measure a warm server.
    """
    cold: dict[str, list[float]] = {}
    with httpx.Client(base_url=url, timeout=timeout) as client:
        for endpoint in ENDPOINTS:
            cold[endpoint] = []
            for question in questions:
                t0 = time.perf_counter()
                r = client.send(build_request(client, endpoint, question))
                cold[endpoint].append(round((time.perf_counter() - t0) * 1000, 1))
                if r.status_code != 200:
                    raise SystemExit(f"warm-up {endpoint} got {r.status_code}: {r.text[:300]}")
    return cold


# -- report -------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
    }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def format_table(report: dict[str, Any]) -> str:
    """The markdown table, with a header that names the machine and the server."""
    m = report["machine"]
    srv = report["server"]
    ready = srv["start_to_ready_s"]
    warm = srv["warm_up_ms"]
    lines = [
        f"### Footnote load test: {m['cpus']} CPU cores ({m['processor']}, {m['platform']}, Python {m['python']})",
        "",
        "The server and the load generator share this machine. "
        + (
            f"Server: `footnote serve` started by this script, start-to-ready {ready:.1f} s "
            f"(embedder load + seeds ingest into an empty store), extractive answerer, FOOTNOTE_MAX_PENDING=256."
            if ready is not None
            else f"Server: {srv['url']} (started elsewhere)."
        ),
        f"Each cell: {report['duration_s']:g} s of back-to-back requests per client over {len(report['questions'])} "
        f"questions; latency over 2xx answers; errors are non-2xx or no response (timeout {report['timeout_s']:g} s).",
        "Before the cells every question was sent once per endpoint (uncounted warm-up; first requests are "
        f"slower: max ask {max(warm['ask'], default=0):.0f} ms, search {max(warm['search'], default=0):.0f} ms).",
        "",
        "| endpoint | clients | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | error kinds | "
        "server CPU s | loadgen CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for c in report["results"]:
        kinds = ", ".join(f"{k}: {v}" for k, v in c["error_kinds"].items()) or "-"
        server_cpu = "-" if c["server_cpu_s"] is None else f"{c['server_cpu_s']:.1f}"
        endpoint = "POST /v1/ask" if c["endpoint"] == "ask" else "GET /v1/search"
        lines.append(
            f"| {endpoint} | {c['clients']} | {c['requests']} | {c['rps']:.1f} | {_ms(c['p50_ms'])} | "
            f"{_ms(c['p95_ms'])} | {_ms(c['p99_ms'])} | {_ms(c['max_ms'])} | {c['errors']} | {kinds} | "
            f"{server_cpu} | {c['loadgen_cpu_s']:.1f} |"
        )
    return "\n".join(lines)


# -- main ---------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--url", help="an already running server (default: start `footnote serve` here)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per cell (default 30)")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32], help="client counts (default 8 32)")
    parser.add_argument("--endpoints", nargs="+", choices=ENDPOINTS, default=list(ENDPOINTS))
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request before it counts failed")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the results here")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.timeout <= 0 or any(n < 1 for n in args.clients):
        parser.error("--duration, --timeout and --clients must be positive")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start (or reach) the server, warm up, run every cell; the whole report."""
    questions = load_questions()
    with contextlib.ExitStack() as stack:
        if args.url:
            server = Server(url=args.url.rstrip("/"))
            wait_ready(server, time.perf_counter())
        else:
            print("starting footnote serve (embedder load + seeds ingest)…", file=sys.stderr, flush=True)
            server = stack.enter_context(own_server())
            print(f"ready in {server.start_to_ready_s:.1f} s at {server.url}", file=sys.stderr, flush=True)
        cold_ms = warm_up(server.url, questions, args.timeout)
        results: list[Cell] = []
        for clients in args.clients:
            for endpoint in args.endpoints:
                print(f"{endpoint} x {clients} clients for {args.duration:g} s…", file=sys.stderr, flush=True)
                cell = measure(server, endpoint, clients, args.duration, questions, args.timeout)
                results.append(cell)
                if server.proc is not None and server.proc.poll() is not None:
                    raise SystemExit(f"the server died during {endpoint} x {clients}:\n{server.log_tail()}")
        server_log = server.log_tail(50) if server.log else None
    return {
        "machine": machine(),
        "server": {
            "url": server.url,
            "started_by_script": server.proc is not None,
            "start_to_ready_s": None if server.start_to_ready_s is None else round(server.start_to_ready_s, 2),
            "warm_up_ms": cold_ms,  # the first request for each question, by endpoint, before the cells
            "log_tail": server_log,
        },
        "duration_s": args.duration,
        "timeout_s": args.timeout,
        "questions": questions,
        "results": [asdict(c) for c in results],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print the table, write JSON; non-zero when any request failed."""
    args = parse_args(argv)
    report = run(args)
    print(format_table(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"\nwrote {args.json}", file=sys.stderr)
    return 1 if any(c["errors"] for c in report["results"]) else 0


if __name__ == "__main__":
    sys.exit(main())
