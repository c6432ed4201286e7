"""One question's flow: condense -> retrieve -> gate -> answer -> verify. Every face uses Chat."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence

from rag.answer import Answerer
from rag.answer.extractive import Candidate, ExtractiveAnswerer, render
from rag.answer.openai_chat import REFUSAL_TOKEN, OpenAIAnswerer
from rag.cite import cite
from rag.config import Settings
from rag.corpus import CorpusStats
from rag.embeddings import Embedder, embedder_from_settings
from rag.errors import BadQuestion, LLMUnavailable
from rag.gate import Gate, names_only_uploads_know
from rag.query import condense, is_follow_up
from rag.retrieve import Retriever
from rag.store import Store
from rag.types import Answer, AnswerDelta, Passage, Turn

log = logging.getLogger(__name__)

CANDIDATE_POOL = 12
REFUSAL = "The articles don't say. The closest passages are listed below as closest matches."
_WORD_CHUNK = re.compile(r"\S+\s*")


class Chat:
    """Answers questions from the store with footnotes; thread-safe only behind the caller's lock."""

    def __init__(
        self,
        *,
        retriever: Retriever,
        answerer: Answerer | None = None,
        top_k: int = 5,
        min_dense: float = 0.2,
        max_question_chars: int = 2000,
    ) -> None:
        self.retriever = retriever
        self.extractive = ExtractiveAnswerer(
            retriever.embedder.embed_documents,
            idf=lambda t: self.corpus().idf(t),
            contributed_weight=retriever.contributed_weight,
        )
        self.answerer: Answerer = answerer or self.extractive
        self.top_k = top_k
        self.max_question_chars = max_question_chars
        self.gate = Gate(corpus=self.corpus, min_dense=min_dense)
        retriever.corpus = self.corpus
        self._corpus: CorpusStats | None = None
        self._corpus_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, *, store: Store | None = None, embedder: Embedder | None = None) -> Chat:
        """A Chat over the configured store, embedder and answerer."""
        embedder = embedder or embedder_from_settings(settings)
        store = store or Store.from_settings(settings, model=embedder.model, dim=embedder.dim)
        answerer = OpenAIAnswerer.from_settings(settings) if settings.use_openai() else None
        return cls(
            retriever=Retriever(store, embedder, contributed_weight=settings.contributed_weight),
            answerer=answerer,
            top_k=settings.top_k,
            min_dense=settings.min_dense_score,
            max_question_chars=settings.max_question_chars,
        )

    @property
    def answerer_name(self) -> str:
        """The active answerer, as Answer.answerer names it."""
        return self.answerer.name

    def corpus(self) -> CorpusStats:
        """Term statistics of the corpus (cached until invalidate())."""
        with self._corpus_lock:
            if self._corpus is None:
                fields = ["text", "source", "doc_sha256", "chunks", "trust"]
                payloads = (p for _, p in self.retriever.store.scroll_payloads(fields))
                self._corpus = CorpusStats.from_payloads(payloads)
            return self._corpus

    def invalidate(self) -> None:
        """Forget cached corpus facts after the store changed."""
        with self._corpus_lock:
            self._corpus = None

    def check_question(self, question: object) -> str:
        """The question, stripped; BadQuestion when it is not usable."""
        if not isinstance(question, str):
            raise BadQuestion("the question must be a string")
        q = question.strip()
        if not q:
            raise BadQuestion("the question is empty: type a question about the articles")
        if len(q) > self.max_question_chars:
            raise BadQuestion(
                f"the question is {len(q)} characters long; the limit is {self.max_question_chars} "
                "(FOOTNOTE_MAX_QUESTION_CHARS)"
            )
        return q

    def ask(self, question: str, history: Sequence[Turn] = (), *, top_k: int | None = None) -> Answer:
        """The final Answer (the stream, drained)."""
        answer: Answer | None = None
        for item in self.stream(question, history, top_k=top_k):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    def standalone(self, question: str, history: Sequence[Turn]) -> str:
        """The question rewritten to stand alone (a follow-up borrows from history)."""
        if not history or not is_follow_up(question):
            return question
        if isinstance(self.answerer, OpenAIAnswerer):
            try:
                return self.answerer.condense(question, history)
            except LLMUnavailable as exc:
                log.warning("condense fell back to the rule: %s", exc)
        return condense(question, history)

    def stream(
        self, question: str, history: Sequence[Turn] = (), *, top_k: int | None = None
    ) -> Iterator[AnswerDelta | Answer]:
        """Text deltas, then the final Answer (its text may differ: markers are renumbered and checked)."""
        t0 = time.perf_counter()
        q = self.check_question(question)
        k = top_k or self.top_k
        timings: dict[str, float] = {}
        query = self.standalone(q, history)
        t1 = time.perf_counter()
        timings["condense"] = (t1 - t0) * 1000
        # Curated articles take precedence over uploads, except on names only uploads mention.
        weight = 1.0 if names_only_uploads_know(query, self.corpus()) else self.retriever.contributed_weight
        # A wider pool than shown: the sentence that answers may sit in the 6th-best passage.
        retrieval = self.retriever.retrieve(query, top_k=max(k, CANDIDATE_POOL), contributed_weight=weight)
        timings.update(retrieval.timings_ms)
        pool = retrieval.passages
        passages = pool[:k]
        t2 = time.perf_counter()
        verdict = self.gate.before_answer(q, query, pool, retrieval.best_dense)
        if verdict.refuse:
            log.info("refused %r: %s", q[:80], verdict.reason)
            yield from self._refusal(passages, timings, t0, t2)
            return
        notice: str | None = None
        overruled: Passage | None = None
        name = self.answerer.name
        text = ""
        if self.answerer is not self.extractive:
            try:
                parts: list[str] = []
                for delta in self.answerer.stream(q, passages, history):
                    parts.append(delta)
                    yield AnswerDelta(delta)
                text = "".join(parts).strip()
                if REFUSAL_TOKEN in text:
                    yield from self._refusal(passages, timings, t0, t2, name=name)
                    return
                if not cite(text, passages).citations:
                    raise LLMUnavailable("the language model's answer cited no passage")
            except LLMUnavailable as exc:
                notice = f"{exc}; showing the extractive answer instead."
                name = self.extractive.name
                text = ""
                yield AnswerDelta("\n\n")  # the final Answer replaces what streamed so far
        if not text:
            ranked = self.extractive.rank(
                q, pool, context=query, query_vector=retrieval.query_vector, contributed_weight=weight
            )
            picked = self.extractive.compose(q, pool, ranked=ranked)
            text = render(picked)
            overruled = _overruled_upload(ranked, picked, pool)
            if overruled is not None:
                upload_notice = (
                    f"The uploaded document {overruled.source} matches this question more closely; the curated "
                    "articles take precedence (FOOTNOTE_CONTRIBUTED_WEIGHT); its passage is shown apart, unverified."
                )
                notice = f"{notice} {upload_notice}" if notice else upload_notice
            verdict = self.gate.after_answer(q, [c.sentence.text for c in picked])
            if verdict.refuse or not text:
                yield from self._refusal(passages, timings, t0, t2, name=name, notice=notice)
                return
            for m in _WORD_CHUNK.finditer(text) if notice is None else ():
                yield AnswerDelta(m.group(0))
        cited = cite(text, pool if name == self.extractive.name else passages)
        shown = list(passages)
        for c in cited.citations:  # a cited passage from deeper in the pool is shown too
            extra = next((p for p in pool if p.source == c.source and p.start_line <= c.start_line <= p.end_line), None)
            if extra is not None and extra not in shown:
                shown.append(extra)
        if cited.unsupported:
            flag = "Not supported by the cited passage: " + " | ".join(s[:120] for s in cited.unsupported)
            notice = f"{notice} {flag}" if notice else flag
        timings["answer"] = (time.perf_counter() - t2) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        yield Answer(
            answer=cited.text,
            refused=False,
            citations=cited.citations,
            passages=tuple(shown),
            answerer=name,
            notice=notice,
            timings_ms=timings,
            set_aside=(overruled,) if overruled is not None else (),
        )

    def _refusal(
        self,
        passages: Sequence[Passage],
        timings: dict[str, float],
        t0: float,
        t2: float,
        *,
        name: str | None = None,
        notice: str | None = None,
    ) -> Iterator[AnswerDelta | Answer]:
        yield AnswerDelta(REFUSAL)
        timings["answer"] = (time.perf_counter() - t2) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        yield Answer(
            answer=REFUSAL,
            refused=True,
            citations=(),
            passages=tuple(passages),
            answerer=name or self.answerer.name,
            notice=notice,
            timings_ms=timings,
        )


def _overruled_upload(
    ranked: Sequence[Candidate], picked: Sequence[Candidate], pool: Sequence[Passage]
) -> Passage | None:
    """The uploaded passage that would have led the answer had curated articles not taken precedence."""
    if not picked or pool[picked[0].passage_no - 1].trust == "contributed":
        return None
    lead = picked[0].score
    for c in ranked:
        passage = pool[c.passage_no - 1]
        if passage.trust == "contributed" and c.raw_score > lead:
            return passage
    return None
