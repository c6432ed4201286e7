"""App replicas on one Qdrant server agree: two `footnote serve` processes, one store version kept in Qdrant."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import ROOT, SEEDS
from tests.qdrant_server import qdrant_server
from tests.servers import free_port, wait_http

NOTE = (
    "Zorblax-9 is a language model released by the fictional Quorra Labs in 2031. "
    "Zorblax-9 has 42 billion parameters and was trained on a cluster in Reykjavik."
)
QUESTION = "How many parameters does Zorblax-9 have?"


@contextmanager
def serve(qdrant_url: str, *, ingest: bool, log: Path) -> Iterator[str]:
    """One `footnote serve` process on the Qdrant server; yields its base URL once /readyz says ready."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTNOTE_")}
    env.update(
        {
            "FOOTNOTE_QDRANT_URL": qdrant_url,
            "FOOTNOTE_ANSWERER": "extractive",
            "FOOTNOTE_SEEDS_DIR": str(SEEDS),
            "FOOTNOTE_UPLOAD_TRUST": "contributed",
        }
    )
    args = [sys.executable, "-m", "ui.cli", "serve", "--port", str(port)] + ([] if ingest else ["--no-ingest"])
    with log.open("w") as err:
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        base = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_http(f"{base}/readyz", timeout=180, proc=proc)
            except (RuntimeError, TimeoutError) as exc:
                raise AssertionError(f"serve not ready: {exc}\n{log.read_text()}") from None
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def ask(base: str) -> dict:  # type: ignore[type-arg]
    r = httpx.post(f"{base}/v1/ask", json={"question": QUESTION}, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_a_document_uploaded_through_one_replica_is_answered_by_the_other(tmp_path: Path) -> None:
    with (
        qdrant_server(tmp_path / "qdrant", free_port()) as url,
        serve(url, ingest=True, log=tmp_path / "a.log") as a,
        serve(url, ingest=False, log=tmp_path / "b.log") as b,
    ):
        assert ask(a)["refused"] and ask(b)["refused"]  # both have built their corpus statistics
        up = httpx.post(f"{a}/v1/documents", json={"source": "zorblax.txt", "text": NOTE}, timeout=120)
        assert up.status_code in (200, 201), up.text
        for base in (a, b):
            answer = ask(base)
            assert not answer["refused"] and "42 billion" in answer["answer"], (base, answer)
            assert answer["citations"][0]["source"] == "zorblax.txt"
        assert httpx.delete(f"{b}/v1/documents/zorblax.txt", timeout=60).status_code == 200
        assert ask(a)["refused"] and ask(b)["refused"]
