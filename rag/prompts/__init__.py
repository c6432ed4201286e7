"""Prompt files, read once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=8)
def load(name: str) -> str:
    """The text of rag/prompts/<name>.txt."""
    return (Path(__file__).parent / f"{name}.txt").read_text(encoding="utf-8")
