"""One stored document read back whole: its text rebuilt from its chunks, the text every line span refers to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rag.types import Trust


@dataclass(frozen=True)
class DocumentText:
    """A document as the store holds it: title, trust, chunk count and the text its chunks were cut from."""

    source: str
    title: str
    trust: Trust
    chunks: int
    text: str

    @property
    def lines(self) -> list[str]:
        """The text's lines; line n (1-based) is lines[n - 1], as in every citation's line span."""
        return self.text.split("\n")

    def public(self) -> dict[str, Any]:
        """The JSON shape of GET /v1/documents/{source}."""
        return {
            "source": self.source,
            "title": self.title,
            "trust": self.trust,
            "chunks": self.chunks,
            "lines": [{"n": i, "text": line} for i, line in enumerate(self.lines, 1)],
        }


def rebuild_text(payloads: Sequence[dict[str, Any]]) -> str:
    """The document's text from its chunks' payloads (chunk order).

    Chunks are verbatim slices (text == document[char_start:char_end]) and together hold every sentence, so what
    lies between them is whitespace: it is rebuilt as spaces, then the newlines the line spans require (so a lost
    indent shows as an invisible trailing space). Every chunk then sits at its own offsets and on its own lines; only
    whitespace after the last sentence is not kept.
    """
    out: list[str] = []
    pos, line = 0, 1  # the rebuilt text's length and the line its end is on
    for p in sorted(payloads, key=lambda p: int(p.get("char_start", 0))):
        start, end, text = int(p["char_start"]), int(p["char_end"]), str(p["text"])
        if end <= pos:
            continue  # inside what earlier chunks already gave
        if start > pos:
            newlines = max(0, int(p.get("start_line", line)) - line)
            gap = start - pos
            out.append(" " * max(0, gap - newlines) + "\n" * min(newlines, gap))
            line += min(newlines, gap)
            pos = start
        piece = text[pos - start :]  # the overlap with the chunk before is the same text: skip it
        out.append(piece)
        line += piece.count("\n")
        pos = end
    return "".join(out)


def document_text(source: str, payloads: Sequence[dict[str, Any]]) -> DocumentText:
    """A DocumentText from one source's payloads (at least one)."""
    first = payloads[0]
    return DocumentText(
        source=source,
        title=str(first.get("title", source)),
        trust="contributed" if first.get("trust") == "contributed" else "curated",
        chunks=len(payloads),
        text=rebuild_text(payloads),
    )
