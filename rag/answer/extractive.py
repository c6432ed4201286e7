"""The offline answerer: the passages' best-matching sentences, each followed by its [n]."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from rag import sparse
from rag.cite import Sentence, sentences_of
from rag.query import expand
from rag.text import sentence_spans
from rag.types import Passage, Turn

MAX_SENTENCES = 3
MIN_WORDS = 5
SAME_FILE_CUTOFF = 0.6
OTHER_FILE_CUTOFF = 1.0
DENSE_WEIGHT = 0.5
IMPLIED_WEIGHT = 0.8
CACHE_LIMIT = 50_000
_TERMINAL = re.compile(r"[.!\"”’)]$")
# Question words carry no content: "What did he say about X" asks about X.
FILLER = frozenset(
    sparse.terms(
        "what which who whom whose how why when where does did do say says said tell told mention mentioned "
        "according article articles call called name named describe explain give list kind kinds type types "
        "happen way ways thing things much many"
    )
)

Embed = Callable[[Sequence[str]], list[list[float]]]


@dataclass(frozen=True)
class Candidate:
    """A sentence of passage number passage_no and how well it answers."""

    passage_no: int
    sentence: Sentence
    score: float
    raw_score: float = 0.0  # before the provenance discount


def query_weights(question: str, context: str = "", idf: Callable[[str], float] | None = None) -> dict[str, float]:
    """Query terms and weights (times idf): the question's own 1 (filler 0.2), implied 0.5, earlier turns 0.3."""
    own = set(sparse.terms(question))
    implied = set(sparse.terms(expand(question))) - own
    earlier = set(sparse.terms(context)) - own - implied
    weights = {t: (0.2 if t in FILLER else 1.0) for t in own}
    weights.update({t: IMPLIED_WEIGHT for t in implied})
    weights.update({t: 0.3 for t in earlier if t not in FILLER})
    if idf is not None:
        weights = {t: w * idf(t) for t, w in weights.items()}
    return weights


def _is_answer_like(s: Sentence) -> bool:
    """Prose that states something: long enough, not a heading, not itself a question."""
    words = s.text.split()
    if s.text.rstrip('"”’) ').endswith("?") or s.text.startswith("Q:"):
        return False
    return len(words) >= MIN_WORDS and (bool(_TERMINAL.search(s.text)) or len(words) >= 12)


class ExtractiveAnswerer:
    """Deterministic, offline: quotes the passages, never invents."""

    name = "extractive"

    def __init__(
        self,
        embed: Embed | None = None,
        *,
        idf: Callable[[str], float] | None = None,
        contributed_weight: float = 1.0,
    ) -> None:
        self._embed = embed
        self._idf = idf
        self.contributed_weight = contributed_weight
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def _sentence_vectors(self, texts: list[str]) -> list[np.ndarray]:
        assert self._embed is not None
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            fresh = self._embed(missing)
            with self._lock:
                if len(self._vectors) > CACHE_LIMIT:
                    self._vectors.clear()
                for t, v in zip(missing, fresh, strict=True):
                    self._vectors[t] = np.asarray(v, dtype=np.float32)
        return [self._vectors[t] for t in texts]

    def warm(self, passages_text: Iterable[str], *, limit: int = 20_000, batch: int = 64) -> int:
        """Embed the sentences of a corpus ahead of questions (so first answers are fast); returns how many."""
        if self._embed is None:
            return 0
        todo: list[str] = []
        for text in passages_text:
            todo.extend(text[a:b] for a, b in sentence_spans(text))
            if len(todo) >= limit:
                break
        todo = [t for t in dict.fromkeys(todo[:limit]) if t not in self._vectors]
        for i in range(0, len(todo), batch):
            self._sentence_vectors(todo[i : i + batch])
        return len(todo)

    def rank(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        context: str = "",
        query_vector: Sequence[float] | None = None,
        max_passages: int = 12,
        contributed_weight: float | None = None,
    ) -> list[Candidate]:
        """Sentences of the top passages by term overlap and meaning, nudged toward better-ranked passages."""
        weights = query_weights(question, context, self._idf)
        total = sum(weights.values()) or 1.0
        found: list[tuple[int, Sentence, float]] = []
        for i, p in enumerate(passages[:max_passages]):
            for s in sentences_of(p):
                if _is_answer_like(s):
                    have = set(sparse.terms(s.text))
                    lexical = sum(w for t, w in weights.items() if t in have) / total
                    found.append((i + 1, s, lexical + 0.05 / (i + 1)))
        if self._embed is not None and query_vector is not None and found:
            q = np.asarray(query_vector, dtype=np.float32)
            vecs = self._sentence_vectors([s.text for _, s, _ in found])
            found = [
                (n, s, (1 - DENSE_WEIGHT) * score + DENSE_WEIGHT * float(v @ q))
                for (n, s, score), v in zip(found, vecs, strict=True)
            ]
        # The same provenance discount as retrieval: an upload's sentence must be far better to be the answer.
        discount = self.contributed_weight if contributed_weight is None else contributed_weight
        weight = {i + 1: discount if p.trust == "contributed" else 1.0 for i, p in enumerate(passages)}
        out = [Candidate(n, s, score * weight[n], score) for n, s, score in found]
        out.sort(key=lambda c: (-c.score, c.passage_no, c.sentence.start))
        return out

    def compose(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        context: str = "",
        query_vector: Sequence[float] | None = None,
        ranked: Sequence[Candidate] | None = None,
    ) -> list[Candidate]:
        """One to three sentences: the best, the one after it, others close to it from the same file."""
        if ranked is None:
            ranked = self.rank(question, passages, context=context, query_vector=query_vector)
        if not ranked:
            return []
        top = ranked[0]
        source = passages[top.passage_no - 1].source
        picked = [top]
        # The sentence after the best one usually finishes its thought ("For instance ...", "It can ...").
        follow = self._next_sentence(passages[top.passage_no - 1], top)
        if follow is not None:
            picked.append(follow)
        others = 0
        for c in ranked[1:]:
            if len(picked) >= MAX_SENTENCES or c.score < top.score * SAME_FILE_CUTOFF:
                break
            if any(c.sentence.text == p.sentence.text for p in picked):
                continue
            # Another file must be nearly as good: a footnote to a weak match costs trust.
            if passages[c.passage_no - 1].source != source:
                if others or c.score < top.score * OTHER_FILE_CUTOFF:
                    continue
                others += 1
            picked.append(c)
        return picked

    @staticmethod
    def _next_sentence(passage: Passage, after: Candidate) -> Candidate | None:
        sents = sentences_of(passage)
        for i, s in enumerate(sents[:-1]):
            if s.start == after.sentence.start:
                nxt = sents[i + 1]
                same_paragraph = "\n" not in passage.text[s.end : nxt.start]
                if same_paragraph and _is_answer_like(nxt):
                    return Candidate(after.passage_no, nxt, after.score, after.raw_score)
        return None

    def stream(self, question: str, passages: Sequence[Passage], history: Sequence[Turn]) -> Iterator[str]:
        """The whole answer at once (the chat layer streams it word by word)."""
        yield render(self.compose(question, passages))


_MARKER_LIKE = re.compile(r"\[(\d{1,3})\]")


def render(picked: Sequence[Candidate]) -> str:
    """Sentences joined, each followed by its passage marker; a document's own "[n]" becomes "(n)"."""
    return " ".join(f"{_MARKER_LIKE.sub(_parens, c.sentence.text)} [{c.passage_no}]" for c in picked)


def _parens(m: re.Match[str]) -> str:
    return f"({m.group(1)})"
