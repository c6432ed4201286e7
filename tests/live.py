"""A live Footnote server on 127.0.0.1 (uvicorn in a thread) for API, gradio_client and browser tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from tests.servers import free_port, wait_http
from ui.server import create_app
from ui.service import Service


@contextmanager
def live_server(service: Service) -> Iterator[str]:
    """Serve create_app(service) on a free port; yields the base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(service), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/healthz", timeout=60)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=15)
