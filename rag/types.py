"""Domain data: plain frozen dataclasses shared by every face."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Role = Literal["user", "assistant"]
# Provenance: "curated" documents come from the operator's folders; "contributed" ones were uploaded by users.
Trust = Literal["curated", "contributed"]
TRUST_LEVELS: tuple[Trust, ...] = ("curated", "contributed")


@dataclass(frozen=True)
class Turn:
    """One earlier message of a conversation."""

    role: Role
    content: str


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk of one source file, with where it lies in that file."""

    source: str
    title: str
    chunk_index: int
    start_line: int
    end_line: int
    char_start: int
    char_end: int
    text: str
    score: float
    dense_score: float = 0.0
    sparse_score: float = 0.0
    trust: Trust = "curated"
    # Why the passage is hostile text (rag/hostile.py): never quoted or cited, labelled in the sources.
    flags: tuple[str, ...] = ()
    # Paged sources (PDF): (page, the page's first line) for each page the passage's lines are on.
    pages: tuple[tuple[int, int], ...] = ()

    @property
    def page(self) -> int | None:
        """The page the passage begins on (None for sources without pages)."""
        return self.pages[0][0] if self.pages else None

    def page_at(self, line: int) -> tuple[int, int] | None:
        """(page, line within that page) of a file line inside the passage; None for sources without pages."""
        on = [p for p in self.pages if p[1] <= line] or list(self.pages[:1])
        if not on:
            return None
        page, first = on[-1]
        return page, max(1, line - first + 1)

    def public(self) -> dict[str, Any]:
        """The JSON shape shown to users."""
        return {
            "source": self.source,
            "title": self.title,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "page": self.page,
            "score": round(self.score, 6),
            "text": self.text,
            "trust": self.trust,
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class Citation:
    """Footnote [n]: a verbatim quote from a source file and the lines it lies on."""

    n: int
    source: str
    title: str
    start_line: int
    end_line: int
    quote: str
    score: float
    trust: Trust = "curated"
    # Paged sources (PDF): the page the quote begins on, the page it ends on, and its first and last lines
    # counted within those pages ("p. 3, lines 12-14"); start_line/end_line stay lines of the extracted text.
    page: int | None = None
    page_end: int | None = None
    page_lines: tuple[int, int] | None = None

    def public(self) -> dict[str, Any]:
        """The JSON shape shown to users."""
        d = asdict(self)
        d["score"] = round(self.score, 6)
        d["page_lines"] = list(self.page_lines) if self.page_lines else None
        return d


@dataclass(frozen=True)
class Answer:
    """What every face shows: text with [n] markers, its citations and the passages behind it."""

    answer: str
    refused: bool
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    answerer: str
    notice: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    # Uploaded passages that matched more closely but gave way to curated articles (shown apart, not cited).
    set_aside: tuple[Passage, ...] = ()
    # The ranked retrieval behind the answer (deeper than passages), so eval never retrieves twice.
    pool: tuple[Passage, ...] = ()

    def public(self) -> dict[str, Any]:
        """The Answer JSON of `footnote ask --json` and POST /v1/ask."""
        return {
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.public() for c in self.citations],
            "passages": [p.public() for p in self.passages],
            "answerer": self.answerer,
            "notice": self.notice,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "set_aside": [p.public() for p in self.set_aside],
        }


@dataclass(frozen=True)
class AnswerDelta:
    """A piece of answer text while it streams."""

    text: str
