"""Summaries: an article's key sentences, in document order, one paragraph per article (the extractive answerer's
summary questions: "Summarize the Omni piece", "the FAQ section", "what the articles say about chips")."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from rag.answer import AnswerRequest
from rag.answer.evidence import (
    Evidence,
    Scored,
    bare_name,
    candidate_sentences,
    leans,
    overlap,
    part_weights,
    proper_names,
)
from rag.answer.quotes import rehome, render, unit_vector
from rag.answer.sections import line_of, section_asked
from rag.cite import sentences_of
from rag.names import has_name
from rag.retrieval import sparse
from rag.types import Passage

SUMMARY_SENTENCES = 10
SUMMARY_PER_ARTICLE = 3  # when summarizing several articles
TOPIC_SHARE = 0.6  # a summary of what the articles say about a topic keeps those that say this much of the most
SUMMARY_DIVERSITY = 0.75  # how much a key sentence's likeness to those already taken counts against it
LEAD_BONUS = 0.3  # a summary starts from an article's lead when it names what the article is about
LEAD_WITHIN = 2  # ... the first of its first two sentences that names something
NEW_NAME_BONUS = 0.25  # a key sentence gains this for each name no sentence already taken gives ...
NEW_NAMES_COUNTED = 3  # ... up to this many
_QA = re.compile(r"^\s*[QA]:\s")


class KeySentences:
    """The summary side of the extractive answerer: what it needs of the answerer is declared here."""

    _embed: Callable[[Sequence[str]], list[list[float]]] | None

    def _sentence_vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        raise NotImplementedError

    @staticmethod
    def _continuation(e: Evidence, candidates: Sequence[Passage], *, past_question: bool = False) -> Evidence | None:
        raise NotImplementedError

    def summarize(self, request: AnswerRequest) -> str:
        """Key sentences of the asked article(s), in document order, one paragraph per article."""
        # The article asked about is the one the retrieved passages point to most, not just the first hit.
        weight: dict[str, float] = {}
        named = [n for n in request.analysis.parts[0].names if n in request.analysis.parts[0].text]
        contributed = {p.source for p in request.candidates if p.trust == "contributed"}
        for p in request.candidates:
            if not p.flags:
                # curated articles first, as everywhere: an upload leads only when it answers clearly better
                share = request.contributed_weight if p.source in contributed else 1.0
                weight[p.source] = weight.get(p.source, 0.0) + p.score * share
        # An article named in the request ("the article about Qwen2.5-Omni-7B") is the one that mentions it.
        mentions = {p.source for p in request.candidates if named and all(has_name(n, p) for n in named)}
        if mentions and not request.analysis.all_articles:
            weight = {s: w for s, w in weight.items() if s in mentions}
        sources = sorted(weight, key=lambda s: -weight[s])
        if request.analysis.all_articles:  # "the articles": the curated ones, when there are any
            sources = sorted(s for s in sources if s not in contributed) or sorted(sources)
        else:
            sources = sources[:1]
        if request.article is not None:
            sources = [request.article]
        elif request.articles:  # "summarize the Qwen-VL article and the Omni piece"
            sources = list(request.articles)
        qv = unit_vector(request.query_vector) if request.query_vector is not None and self._embed else None
        # "the main points about chips in ...": a summary with a topic ranks by the topic as much as by centrality.
        part = request.analysis.parts[0]
        topic = part_weights(part, request.corpus.idf if request.corpus else (lambda t: 1.0)) if part.terms else {}
        if topic and len(sources) > 1 and not request.articles:
            # "what the articles say about chip exports": the articles that discuss it, not every article
            said = {src: _most_said(topic, src, request.candidates) for src in sources}
            most = max(said.values())
            sources = [s for s in sources if said[s] >= most * TOPIC_SHARE] if most > 0 else sources
        per_doc = SUMMARY_PER_ARTICLE if len(sources) > 1 else SUMMARY_SENTENCES
        if topic and request.analysis.article and self._embed is not None:
            # "the main points about chips in the piece on Qwen's popularity": the question's meaning is mostly
            # the article's name; the topic's own words ("chips") say what to pick from it.
            asked = set(part.terms)
            words = [w for w in sparse.words(part.text) if set(sparse.terms(w)) & asked]
            if words:
                qv = self._sentence_vectors([" ".join(dict.fromkeys(words))])[0]
        paragraphs = []
        for src in sources:
            section = None
            if len(sources) == 1:  # "summarize the FAQ section": the section its heading names, alone
                names = {t for n in part.names for t in sparse.terms(n)}
                own = [p for p in request.candidates if p.source == src]
                section = section_asked(set(part.terms), names, own, part.text)
            picks = self._key_sentences(src, request.candidates, per_doc, qv, {} if section else topic, section)
            if picks:
                paragraphs.append(render(picks))
        return "\n\n".join(paragraphs)

    def _key_sentences(
        self,
        source: str,
        candidates: Sequence[Passage],
        n: int,
        qv: np.ndarray | None,
        topic: dict[str, float],
        section: tuple[int, int] | None = None,
    ) -> list[Evidence]:
        found: list[Scored] = []
        seen: set[str] = set()
        for i, p in enumerate(candidates):
            if p.source == source and not p.flags:
                for s in candidate_sentences(i + 1, p.text):
                    if section and not section[0] <= line_of(p, s.sentence.start) <= section[1]:
                        continue
                    if (s.lead or not leans(s.sentence.text)) and s.sentence.text not in seen:
                        seen.add(s.sentence.text)
                        found.append(s)
        if not found:
            return []
        order = sorted(found, key=lambda s: (candidates[s.passage_no - 1].chunk_index, s.sentence.start))
        if self._embed is None:
            return [Evidence(s.passage_no, s.sentence, 1.0, 1.0, 1.0, True, s.lead) for s in order[:n]]
        vecs = self._sentence_vectors([s.sentence.text for s in order])
        centroid = unit_vector(np.mean(np.stack(vecs), axis=0))
        scores = []
        # the lead: the first of the opening sentences that names what the article is about ("As major tech
        # companies scramble ..., the stakes couldn't be higher. Alibaba Cloud has ... launched ... Qwen2.5-Omni-7B")
        lead = next((pos for pos, s in enumerate(order[:LEAD_WITHIN]) if proper_names(s.sentence.text)), None)
        close = _conclusion(order, candidates)
        for pos, (s, v) in enumerate(zip(order, vecs, strict=True)):
            if topic:
                score = (
                    0.3 * float(v @ centroid)
                    + overlap(topic, s.sentence.text)
                    + 0.5 * float(v @ qv if qv is not None else 0)
                )
            else:
                score = float(v @ centroid) + (LEAD_BONUS if pos in (lead, close) else 0.0)
            scores.append((score, pos, s))
        # Key points, not one point said six ways: each next pick is discounted by its likeness to those taken.
        top: list[tuple[float, int, Scored]] = []
        left = list(scores)
        # ... and what a reader checks a summary for are the things it names: a pick naming things the others do not
        # yet name gains (centroid sentences say "the AI race" and name nothing: Baidu, Huawei, Blackwell are details)
        named = [{bare_name(n) for n in proper_names(s.sentence.text)} for s in order]
        covered: set[str] = set()
        while left and len(top) < n:

            def gain(x: tuple[float, int, Scored], covered: set[str] = covered) -> float:
                like = max((float(vecs[x[1]] @ vecs[t[1]]) for t in top), default=0.0)
                new = min(NEW_NAMES_COUNTED, len(named[x[1]] - covered))
                return x[0] - SUMMARY_DIVERSITY * like + NEW_NAME_BONUS * new

            best = max(left, key=gain)
            top.append(best)
            covered |= named[best[1]]
            left.remove(best)
        picked = [
            Evidence(s.passage_no, s.sentence, sc, sc, 1.0, True, s.lead)
            for sc, _, s in sorted(top, key=lambda x: x[1])
        ]
        # A pick that another pick brings along as its lead is quoted there, not twice.
        led = [e.lead.text for e in picked if e.lead is not None]
        picked = [e for e in picked if not any(e.sentence.text in t for t in led)]
        texts = {e.sentence.text for e in picked}
        out: list[Evidence] = []
        for e in picked:  # a key sentence brings the one that continues its thought ("They have ...")
            out.append(e)
            follow = self._continuation(e, candidates)
            if follow is not None and leans(follow.sentence.text) and follow.sentence.text not in texts:
                texts.add(follow.sentence.text)
                out.append(follow)
        return rehome(out, candidates)


def _most_said(topic: dict[str, float], source: str, candidates: Sequence[Passage]) -> float:
    """The largest share of a topic's terms one sentence of the source holds."""
    return max(
        (overlap(topic, s.text) for p in candidates if p.source == source and not p.flags for s in sentences_of(p)),
        default=0.0,
    )


def _conclusion(order: Sequence[Scored], candidates: Sequence[Passage]) -> int | None:
    """Where the article's closing paragraph starts: the first sentence of its last paragraph of two sentences or
    more ("The rapid evolution of AI in China presents both opportunities and challenges. It's a wake-up call ..."),
    not a line of its FAQ nor a one-line sign-off ("Subscribe to get the latest posts ...")."""
    lines = [
        (candidates[s.passage_no - 1].source, line_of(candidates[s.passage_no - 1], s.sentence.start)) for s in order
    ]
    counts: dict[tuple[str, int], int] = {}
    for at in lines:
        counts[at] = counts.get(at, 0) + 1
    for pos in range(len(order) - 1, -1, -1):
        if counts[lines[pos]] >= 2 and (pos == 0 or lines[pos - 1] != lines[pos]):
            return None if _QA.match(order[pos].sentence.text) else pos
    return None
