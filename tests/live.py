"""A live Footnote server on 127.0.0.1 (uvicorn in a thread) for API, gradio_client and browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ui.server import create_app, serve_in_thread
from ui.service import Service


@contextmanager
def live_server(service: Service) -> Iterator[str]:
    """Serve create_app(service) on a free port; yields the base URL."""
    with serve_in_thread(create_app(service)) as base:
        yield base
