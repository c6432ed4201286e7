"""A running `footnote serve` and the embedded store it holds: found in milliseconds, without opening the store.

The embedded store admits one process (an exclusive lock on `<store>/.lock`, the lock qdrant-client's local mode
took, so a process of the earlier release counts too). `footnote serve` writes its URL beside that lock
(`<store>/.footnote-server.json`), so `footnote ask`/`search` can send the question to it instead of waiting to find
the store busy.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from rag.config import Settings

ANNOUNCEMENT = ".footnote-server.json"


def _announcement(settings: Settings) -> Path:
    return settings.qdrant_path / ANNOUNCEMENT


def store_held(settings: Settings) -> bool:
    """Whether another process holds the embedded store (False for a Qdrant server, or a store not made yet)."""
    if settings.qdrant_url:
        return False
    lock = settings.qdrant_path / ".lock"
    if not lock.exists():
        return False
    import portalocker  # qdrant-client's own locking library: the same lock, tried without waiting

    try:
        with open(lock, "r+") as f:
            portalocker.lock(f, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING)
            portalocker.unlock(f)
    except portalocker.exceptions.LockException:
        return True
    except OSError:
        return False
    return False


@contextmanager
def announce(settings: Settings, url: str) -> Iterator[None]:
    """While serving: the server's URL beside the embedded store's lock (nothing for a Qdrant server).

    A server stopped by a signal may leave the file behind (uvicorn re-raises SIGTERM after its shutdown); it is
    only used while the store is held, and only once the URL answers /healthz.
    """
    path = None if settings.qdrant_url else _announcement(settings)
    if path is not None:
        with suppress(OSError):
            path.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
    try:
        yield
    finally:
        if path is not None:
            with suppress(OSError):
                path.unlink()


def running_server(settings: Settings, *, timeout: float = 1.0) -> tuple[str | None, str]:
    """(URL of the server that announced itself for this store and answers /healthz, or None; why not)."""
    path = _announcement(settings)
    try:
        url = str(json.loads(path.read_text(encoding="utf-8"))["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, "no Footnote server announced itself for this store"
    import httpx

    try:
        httpx.get(f"{url}/healthz", timeout=timeout).raise_for_status()
    except httpx.HTTPError as exc:
        return None, f"the Footnote server announced at {url} does not answer ({type(exc).__name__})"
    return url, ""
