"""Answerers write text with [n] markers, n numbering the passages they were given (1-based)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from rag.types import Passage, Turn


class Answerer(Protocol):
    """Writes an answer from numbered passages; raises LLMUnavailable when it cannot."""

    name: str

    def stream(self, question: str, passages: Sequence[Passage], history: Sequence[Turn]) -> Iterator[str]:
        """Text deltas of the answer, with [n] after each claim."""
        ...
