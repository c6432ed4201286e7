"""The command line as a user runs it: real subprocesses, real store, clear errors, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from qdrant_client import QdrantClient

from rag.retrieval.store import open_store
from tests.conftest import FOOTNOTE, ROOT, SEEDS, cli_env, make_settings


def run(args: list[str], qdrant: Path, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        FOOTNOTE + args, cwd=ROOT, env=cli_env(qdrant), capture_output=True, text=True, timeout=timeout
    )


def test_ingest_json_then_search_json(tmp_path: Path) -> None:
    q = tmp_path / "qdrant"
    first = run(["ingest", str(SEEDS), "--json"], q)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout.strip().splitlines()[-1])
    assert set(report) >= {
        "added",
        "updated",
        "deleted",
        "unchanged",
        "chunks_embedded",
        "points",
        "skipped",
        "seconds",
    }
    assert report["added"] == 5 and report["points"] == report["chunks_embedded"]
    found = run(["search", "How big is Llama 2 vs Qwen-VL?", "--json", "--top-k", "3"], q)
    assert found.returncode == 0, found.stderr
    passages = json.loads(found.stdout)["passages"]
    assert len(passages) == 3 and "000_238b3d5c562b5a75.txt" in {p["source"] for p in passages}
    assert any("ten times larger" in p["text"] for p in passages)


def test_dry_run_prints_the_plan_and_creates_no_store(tmp_path: Path) -> None:
    q = tmp_path / "qdrant"
    out = run(["ingest", str(SEEDS), "--dry-run", "--json"], q)
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout.strip().splitlines()[-1])
    assert plan["added"] == 5 and plan["dry_run"] is True and plan["chunks_embedded"] > 0
    assert not any(q.rglob("*.sqlite"))


def test_missing_path_is_exit_2_without_traceback(tmp_path: Path) -> None:
    out = run(["ingest", str(tmp_path / "nope")], tmp_path / "qdrant")
    assert out.returncode == 2
    assert "no such file or folder" in out.stderr and "Traceback" not in out.stderr


def test_bad_flag_is_a_usage_error(tmp_path: Path) -> None:
    out = run(["search", "x", "--top-k", "0"], tmp_path / "qdrant")
    assert out.returncode == 2 and "--top-k" in out.stderr and "Traceback" not in out.stderr
    out = run(["ingest", "--frobnicate"], tmp_path / "qdrant")
    assert out.returncode == 2 and "unrecognized" in out.stderr
    out = run(["ingest", str(SEEDS), "--trust", "gold"], tmp_path / "qdrant")
    assert out.returncode == 2 and "curated" in out.stderr and "Traceback" not in out.stderr


def test_search_before_ingest_says_to_ingest(tmp_path: Path) -> None:
    out = run(["search", "anything"], tmp_path / "qdrant")
    assert out.returncode == 1 and "footnote ingest" in out.stderr and "Traceback" not in out.stderr


def test_store_held_by_another_process_fails_fast_with_the_path(tmp_path: Path) -> None:
    q = tmp_path / "qdrant"
    holder = open_store(make_settings(q), model="all-MiniLM-L6-v2", dim=384)  # this test process holds it
    try:
        holder.ensure()
        out = run(["ingest", str(SEEDS)], q, timeout=60)
    finally:
        holder.close()
    assert out.returncode == 3
    assert str(q.resolve()) in out.stderr and "Stop that process" in out.stderr
    assert "--server" in out.stderr and "Traceback" not in out.stderr


def test_store_held_by_the_earlier_release_fails_fast_too(tmp_path: Path) -> None:
    q = tmp_path / "qdrant"
    q.mkdir()
    holder = QdrantClient(path=str(q))  # qdrant-client's local mode, as the earlier release held it
    try:
        out = run(["ingest", str(SEEDS)], q, timeout=60)
    finally:
        holder.close()
    assert out.returncode == 3
    assert str(q.resolve()) in out.stderr and "Stop that process" in out.stderr and "Traceback" not in out.stderr


def test_python_m_ingest_does_the_same(tmp_path: Path) -> None:
    q = tmp_path / "qdrant"
    out = subprocess.run(
        [sys.executable, "-m", "ingest", str(SEEDS), "--json", "--trust", "contributed"],
        cwd=ROOT,
        env=cli_env(q),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1])["added"] == 5
    store = open_store(make_settings(q), model="all-MiniLM-L6-v2", dim=384)
    try:
        trusts = [p.get("trust") for _, p in store.scroll_payloads(["trust"])]
    finally:
        store.close()
    assert trusts and set(trusts) == {"contributed"}


def test_ask_and_search_beside_a_running_server_are_answered_by_it(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import build_service
    from tests.live import live_server
    from ui.running import announce

    q = tmp_path / "qdrant"
    service = build_service(q, embedder)  # this process holds the embedded store, as `footnote serve` does
    try:
        with live_server(service) as url, announce(service.settings, url):
            asked = run(["ask", "How big is Llama 2 vs Qwen-VL?", "--json"], q, timeout=60)
            found = run(["search", "Blackwell", "--top-k", "2", "--json"], q, timeout=60)
            dry = run(["ingest", str(SEEDS), "--dry-run"], q, timeout=60)
    finally:
        service.close()
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["citations"][0]["source"] == "000_238b3d5c562b5a75.txt"
    assert f"held by the Footnote server at {url}" in asked.stderr
    assert found.returncode == 0 and len(json.loads(found.stdout)["passages"]) == 2, found.stderr
    # ingest needs the store itself: exit 3, naming the server to send files through
    assert dry.returncode == 3 and f"footnote ingest --server {url}" in dry.stderr and "Traceback" not in dry.stderr
    assert not (q / ".footnote-server.json").exists()  # the announcement goes with the server


def test_serve_warms_up_once_it_listens_and_a_taken_port_exits_with_a_reason(tmp_path: Path) -> None:
    import socket
    import time

    import httpx

    from tests.servers import free_port, wait_http

    q = tmp_path / "qdrant"
    assert run(["ingest", str(SEEDS)], q).returncode == 0
    port = free_port()
    proc = subprocess.Popen(
        [*FOOTNOTE, "serve", "--no-ingest", "--port", str(port)],
        cwd=ROOT,
        env=cli_env(q),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/readyz", timeout=120, proc=proc)
        states = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "done" not in states:
            states.append(httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()["warm_up"])
            time.sleep(0.1)
        assert states[-1] == "done" and "off" not in states[1:], states  # started by the listening server
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        second = subprocess.run(
            [*FOOTNOTE, "serve", "--no-ingest", "--port", str(busy)],
            cwd=ROOT,
            env=cli_env(q),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert second.returncode != 0 and "--port" in second.stderr and "Traceback" not in second.stderr, second.stderr
