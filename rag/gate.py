"""The refusal gate: when the corpus does not answer, say so instead of quoting something near it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag import sparse
from rag.answer.extractive import FILLER
from rag.corpus import CorpusStats
from rag.types import Passage

_TOKEN = re.compile(r"[\w’'][\w.\-’']*")
_NUMERIC_Q = re.compile(
    r"\bhow (many|much|old|long|often)\b|\b(score|percentage|price|cost|salary|revenue|valuation)s?\b", re.I
)
_COUNTED = re.compile(r"\bhow (?:many|much)\s+([A-Za-z][\w\-]*)", re.I)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|trillion|dozen|half|twice|double|triple)\b",
    re.I,
)


@dataclass(frozen=True)
class Verdict:
    """Whether to refuse, and why (for logs and the eval report)."""

    refuse: bool
    reason: str = ""


def entities(question: str) -> list[str]:
    """Words that name something: with a digit, inner capitals, or capitalized mid-sentence."""
    out = []
    for i, m in enumerate(_TOKEN.finditer(question)):
        word = m.group(0).strip(".-")
        if not any(c.isupper() for c in word):
            continue
        if i == 0 and not (any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word)):
            continue
        w = sparse.words(word)
        if w and w[0] not in sparse.stopwords():
            out.append(word)
    return out


def _entity_terms(word: str) -> list[str]:
    ws = sparse.words(word)
    return sparse.terms(ws[0]) if ws else []


def names_only_uploads_know(question: str, stats: CorpusStats) -> list[str]:
    """Names in the question that contributed documents mention and curated ones never do."""
    out = []
    for ent in entities(question):
        ts = _entity_terms(ent)
        if ts and stats.has(ts[0]) and not stats.curated_has(ts[0]):
            out.append(ent)
    return out


class Gate:
    """Refuses when nothing is close, when a named thing is absent from the corpus, or when little matches."""

    def __init__(
        self, *, corpus: Callable[[], CorpusStats], min_dense: float = 0.2, min_coverage: float = 0.25
    ) -> None:
        self.corpus = corpus
        self.min_dense = min_dense
        self.min_coverage = min_coverage

    def before_answer(self, question: str, query: str, passages: Sequence[Passage], best_dense: float) -> Verdict:
        """Judge the retrieval for a question (query is its standalone form)."""
        if not passages:
            return Verdict(True, "no passages")
        if best_dense < self.min_dense:
            return Verdict(True, f"best dense score {best_dense:.2f} < {self.min_dense}")
        stats = self.corpus()
        for ent in entities(question):
            ts = _entity_terms(ent)
            if ts and not stats.has(ts[0]):
                return Verdict(True, f"'{ent}' does not occur in the corpus")
        counted = _COUNTED.search(question)
        if counted:
            # "How many parameters ..." needs the corpus to mention parameters at all.
            thing = [t for t in sparse.terms(counted.group(1)) if t not in FILLER]
            if thing and not any(stats.has(t) for t in thing):
                return Verdict(True, f"the corpus never mentions '{counted.group(1)}'")
        content = {t for t in sparse.terms(query) if t not in FILLER}
        if content:
            seen: set[str] = set()
            for p in passages[:3]:
                seen.update(sparse.terms(p.text))
            coverage = len(content & seen) / len(content)
            if coverage < self.min_coverage - 1e-9:
                return Verdict(True, f"only {coverage:.0%} of the question's terms occur in the best passages")
        return Verdict(False)

    def after_answer(self, question: str, answer_sentences: Sequence[str]) -> Verdict:
        """A question that asks for a number needs one, not in the question, in the answer's lead sentences."""
        if _NUMERIC_Q.search(question):
            asked = {m.group(0).lower() for m in _NUMBER.finditer(question)}
            lead = " ".join(answer_sentences[:2])
            found = {m.group(0).lower() for m in _NUMBER.finditer(lead)}
            if not (found - asked):
                return Verdict(True, "the question asks for a number and the passages give none")
        return Verdict(False)
