"""Answerers write text with [n] markers, n numbering the request's candidate passages (1-based)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from rag.cite import sentences_of
from rag.question import Analysis
from rag.retrieval.corpus import CorpusStats
from rag.types import Passage, Turn


@dataclass(frozen=True)
class AnswerRequest:
    """Everything an answerer may use: the analysed question, the ranked candidates and the corpus statistics."""

    analysis: Analysis
    candidates: Sequence[Passage]  # ranked; markers number these; the first top_k are the ones shown
    top_k: int
    history: Sequence[Turn] = ()
    corpus: CorpusStats | None = None
    query_vector: Sequence[float] | None = None
    contributed_weight: float = 1.0
    upload_names: tuple[str, ...] = ()  # names the question gives that only uploads mention (uploads weigh fully)
    article: str | None = None  # the one document the question points at ("per the Omni piece"), if any
    articles: tuple[str, ...] = ()  # the documents a question sets side by side, each answered on its own
    side_words: tuple[str, ...] = ()  # ... and the words that named them (where to look, not what to find)
    # A source's whole text as passages in document order (summaries, bylines); None when the store cannot say.
    document: Callable[[str], list[Passage]] | None = None

    @property
    def shown(self) -> Sequence[Passage]:
        """The passages an LLM is given and a reader sees first."""
        return self.candidates[: self.top_k]

    @cached_property
    def candidate_texts(self) -> tuple[str, ...]:
        """Each candidate's text once (chunks of one document may repeat in the ranking)."""
        return tuple(dict.fromkeys(p.text for p in self.candidates))

    @cached_property
    def quoted_sources(self) -> frozenset[str]:
        """The candidates' sources whose sentences the last answer of the conversation quoted (found once)."""
        return frozenset(quoted_sources(self.candidates, self.history))


def quoted_sources(passages: Sequence[Passage], history: Sequence[Turn]) -> list[str]:
    """The sources, in the passages' order, whose sentences the conversation's last answer quoted."""
    last = next((t.content for t in reversed(history) if t.role == "assistant"), "")
    if not last:
        return []
    return list(dict.fromkeys(p.source for p in passages if any(s.text in last for s in sentences_of(p))))


@dataclass(frozen=True)
class Notice:
    """Something the reader should know about this answer; answerer names who answers from here on."""

    text: str
    answerer: str | None = None
    set_aside: tuple[Passage, ...] = ()


@dataclass(frozen=True)
class Refusal:
    """The answerer found no part of the question answered by the candidates."""

    missing: str = ""


@dataclass(frozen=True)
class Numbering:
    """The markers that follow number only the first `count` candidates (an LLM sees just the shown ones)."""

    count: int


AnswerEvent = str | Notice | Refusal | Numbering


class Answerer(Protocol):
    """Writes an answer from numbered candidates; raises LLMUnavailable when it cannot."""

    name: str

    def condense(self, analysis: Analysis, history: Sequence[Turn]) -> str:
        """The follow-up question made to stand alone (for retrieval)."""
        ...

    def stream(self, request: AnswerRequest) -> Iterator[AnswerEvent]:
        """Text deltas with [n] after each claim, and notices; a Refusal when nothing is answered."""
        ...
