"""What a reader returns: the extracted text and, for paged formats, where each page starts."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Extracted:
    """Text to chunk and store; page_starts[i] is the 1-based line where page i + 1 begins (empty: no pages)."""

    text: str
    page_starts: tuple[int, ...] = ()


def with_file(data: bytes, suffix: str, read: Callable[[Path], T]) -> T:
    """Run a path-based reader (llama-index's readers take paths) on bytes, through a private temporary file."""
    with tempfile.TemporaryDirectory(prefix="footnote-read-") as tmp:
        path = Path(tmp) / f"document{suffix}"
        path.write_bytes(data)
        return read(path)
