"""The offline answerer: for each part of the question, the sentences that hold what was asked, each with its [n]."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace

import numpy as np

from rag.answer import AnswerEvent, AnswerRequest, Notice, Refusal
from rag.answer.acceptance import (
    FOCUS_NEEDED,
    RELATION_DENSE,
    SITE_LINE,
    holds_relation,
    names_in,
    new_items,
    only_kind,
    product_articles_of,
    rejection,
)
from rag.answer.claims import SUM, as_written, corrects, unheard_of, unstated_sums
from rag.answer.evidence import (
    CONTRAST,
    Evidence,
    Scored,
    bare_name,
    candidate_sentences,
    describes,
    explicit_comparison,
    is_answer_like,
    is_byline,
    is_furniture,
    is_heading,
    is_question,
    judge,
    leans,
    list_items,
    overlap,
    part_weights,
    proper_names,
    runs_on,
    typed_names,
    with_previous,
)
from rag.answer.quotes import rehome, render, render_lines, unit_vector
from rag.answer.summaries import KeySentences
from rag.cite import Sentence, sentences_of
from rag.gate import claims_more
from rag.names import has_name, names_its_place
from rag.question import Analysis, Part, is_named_kind
from rag.retrieval import sparse
from rag.text import sentence_spans
from rag.types import Passage, Turn

MAX_PASSAGES = 12
MAX_PER_PART = 4
SAME_CUTOFF = 0.5  # a further sentence must score this share of the best one
OTHER_FILE_CUTOFF = 0.8  # a sentence from another article must come close to the best one ...
ADDS_MIN = 0.2  # ... and bring this share of the part's term weight the others lack
LIST_MAX = 10
LIST_PER_SOURCE = 3
LIST_PREDICATE = 0.5  # the share (by weight) of what a list's items did that another article's quote must hold
LIST_CUTOFF = 0.2  # a list takes quotes down to this share of the best one's score
IDEAS_CUTOFF = 0.55  # ... a list of ideas, from another article than the best quote's
SIDE_MAX = 2  # quotes per article set side by side
CLOSING_WORDS = 6  # an article's closing sentence is prose this long at least (not "Comments", "Share This Article")
LIST_RUN = 6  # sentences that go on with a quote: a colon's labelled lines, or leaning ones after a list's item
DENSE_WEIGHT = 0.5
OTHER_THAN_TOP = 0.9  # a sentence from another article than the retrieval's best
RANK_NUDGE = 0.05  # what the retrieval rank of a sentence's passage adds to its score (divided by that rank)
OTHER_THAN_BEFORE = 0.7  # a follow-up's quote from another article than the last answer's
OTHER_ARTICLE = 0.35  # a question about one article takes its answer from that article
CACHE_LIMIT = 50_000

Embed = Callable[[Sequence[str]], list[list[float]]]


_COMPARING = r"(?:characteri[sz]e|contrast|describe|compare|portray|frame|explain|see|say|view|present)s?\b"


def _compares_it(text: str, name: str) -> bool:
    """Whether the name is who makes a comparison the question asks about ("How does Forbes contrast ...")."""
    return bool(re.search(rf"\b{re.escape(name)}['’]?s?\s+(?:\w+\s+)?{_COMPARING}", text))


class ExtractiveAnswerer(KeySentences):
    """Deterministic, offline: quotes the candidates, never invents."""

    name = "extractive"

    def __init__(self, embed: Embed | None = None) -> None:
        self._embed = embed
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    # -- vectors ---------------------------------------------------------------------------------------------
    def _sentence_vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        assert self._embed is not None
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            fresh = self._embed(missing)
            with self._lock:
                if len(self._vectors) > CACHE_LIMIT:
                    self._vectors.clear()
                for t, v in zip(missing, fresh, strict=True):
                    self._vectors[t] = unit_vector(v)
        return [self._vectors[t] for t in texts]

    def warm(self, passages_text: Iterable[str], *, limit: int = 20_000, batch: int = 64) -> int:
        """Embed the sentences of a corpus ahead of questions (so first answers are fast); returns how many."""
        if self._embed is None:
            return 0
        todo: list[str] = []
        for text in passages_text:
            sentences = [Sentence(text[a:b], a, b) for a, b in sentence_spans(text)]
            todo.extend(s.text for s in sentences)  # each sentence, and each leaning one as rank() reads it in context
            todo.extend(with_previous(text, s) for s in sentences[1:] if leans(s.text))
            if len(todo) >= limit:
                break
        todo = [t for t in dict.fromkeys(todo[:limit]) if t not in self._vectors]
        for i in range(0, len(todo), batch):
            self._sentence_vectors(todo[i : i + batch])
        return len(todo)

    # -- the Answerer protocol -------------------------------------------------------------------------------
    def condense(self, analysis: Analysis, history: Sequence[Turn]) -> str:
        """The rule-based standalone form (question analysis already resolved the subject)."""
        return analysis.standalone

    def stream(self, request: AnswerRequest) -> Iterator[AnswerEvent]:
        """The whole answer at once (the chat layer checks it and streams it sentence by sentence)."""
        if request.analysis.kind == "summary":
            text = self.summarize(request)
            yield text if text else Refusal(_missing(request.analysis.parts[0]))
            return
        paragraphs: list[str] = []
        missing: list[str] = []
        quoted: set[tuple[int, int]] = set()
        set_aside: Passage | None = None
        curated_answer = False
        for i, part in enumerate(request.analysis.parts):
            if request.articles:
                # Articles set side by side: each answers the part from its own text, a paragraph each.
                per_article = [self._pick_in(part, request, src) for src in request.articles]
                picked = [e for side in per_article for e in side]
            else:
                unheard = unheard_of(part, request)
                unstated = unstated_sums(part, request)
                if unheard:
                    # "Is it true that Qwen2-VL beat Anthropic's Claude ...?": what the claim says besides the names the
                    # articles never mention, answered from them; that they never mention Claude is said first
                    gone = {t for n in unheard for t in sparse.terms(n)}
                    part = replace(
                        part,
                        names=tuple(n for n in part.names if n not in unheard),
                        terms=tuple(t for t in part.terms if t not in gone),
                    )
                ranked = self.rank(part, request)
                if curated_answer and request.contributed_weight < 1.0:
                    # an upload never adds a part to what the curated articles answer (unless it alone knows the
                    # names asked: then uploads weigh in fully)
                    ranked = [e for e in ranked if request.candidates[e.passage_no - 1].trust != "contributed"]
                picked = self._curated_first(part, ranked, request)
                # (not whoever makes the comparison: "How does Forbes characterize X compared to Y?")
                sides = [n for n in request.analysis.compared if n in part.text and not _compares_it(part.text, n)]
                if part.kind == "compare" and sides and not any(names_in(n, e.quote) for e in picked for n in sides):
                    # "How does that compare with what Baidu is spending?": quotes that name no side asked about
                    # compare nothing asked
                    picked = []
                if unstated and not (picked and SUM.search(picked[0].quote)):
                    # "Is it true Alibaba pledged $100 billion?": answered by the sum the articles give instead
                    # ("$53 billion"), or not at all
                    picked = []
                if unheard and not corrects(picked, request.analysis.question, request.corpus):
                    picked = []  # what stands in the place of the unheard name is what the articles say instead
                misnamed: list[str] = []
                if not picked and not unheard and not unstated:
                    # "Did Google strike a deal with Alibaba to offer its model in China?": the articles know Google,
                    # but the deal they tell is Meta's
                    misnamed, picked = self._misnamed(part, request)
                per_article = [picked]
                if i == 0:
                    set_aside = _overruled_upload(ranked, picked, request.candidates)
            if not picked:
                missing.append(_missing(part))
                paragraphs.append(f"The articles don't say {_missing(part)}.")
                continue
            curated_answer = curated_answer or any(
                request.candidates[e.passage_no - 1].trust != "contributed" for e in picked
            )
            if not request.articles and (unheard or unstated):
                paragraphs.append(f"The articles don't mention {_joined([*as_written(part, unheard), *unstated])}.")
            elif not request.articles and misnamed:
                paragraphs.append(f"The articles don't say this of {_joined(as_written(part, misnamed))}.")
            for side in per_article:
                fresh = [e for e in side if (e.passage_no, e.sentence.start) not in quoted]
                quoted.update((e.passage_no, e.sentence.start) for e in side)
                if fresh:
                    paragraphs.append(render_lines(fresh) if part.headings else render(fresh))
        if not missing or len(missing) < len(request.analysis.parts):
            if set_aside is not None:
                yield Notice(
                    f"The uploaded document {set_aside.source} matches this question more closely; the curated "
                    "articles take precedence (FOOTNOTE_CONTRIBUTED_WEIGHT); its passage is shown apart, unverified.",
                    set_aside=(set_aside,),
                )
            yield "\n\n".join(p for p in paragraphs if p)
            return
        yield Refusal("; ".join(missing))

    def _curated_first(self, part: Part, ranked: Sequence[Evidence], request: AnswerRequest) -> list[Evidence]:
        """The part's quotes. Where uploads weigh in fully because the question names what only they know ("trace
        the VLM lineage: ... what did Qwen2-VL beat?"), a part that names none of it is answered from the curated
        articles when they answer it."""
        if not request.upload_names or any(n in part.text for n in request.upload_names):
            return self.pick(part, ranked, request)
        curated = [e for e in ranked if request.candidates[e.passage_no - 1].trust != "contributed"]
        return (self.pick(part, curated, request) if len(curated) < len(ranked) else []) or self.pick(
            part, ranked, request
        )

    def _misnamed(self, part: Part, request: AnswerRequest) -> tuple[list[str], list[Evidence]]:
        """A yes/no claim no quote holds, answered without one of its names, when a quote then holds the rest and
        names something else in its place: (the name left out, the quotes); ([], []) when none does."""
        own = [n for n in part.names if n in part.text]
        if part.kind != "yes_no" or len(own) < 2 or not claims_more(part):
            return [], []
        for name in own:
            gone = set(sparse.terms(name))
            without = replace(
                part,
                names=tuple(n for n in part.names if n != name),
                terms=tuple(t for t in part.terms if t not in gone),
            )
            picked = self.pick(without, self.rank(without, request), request)
            if corrects(picked, request.analysis.question, request.corpus) and not any(name in e.quote for e in picked):
                return [name], picked
        return [], []

    def _pick_in(self, part: Part, request: AnswerRequest, source: str) -> list[Evidence]:
        """The part answered from one article's own sentences alone; the words that name the articles set side by
        side say where to look, not what to find."""
        within = replace(request, article=source)
        naming = request.side_words
        if naming:
            gone = {t for w in naming for t in sparse.terms(w)}
            part = replace(
                part,
                # each side is described on its own: "how do A and B differ" asks what each says
                kind="what" if part.kind == "compare" else part.kind,
                terms=tuple(t for t in part.terms if t not in gone),
                focus=tuple(t for t in part.focus if t not in gone),
                names=tuple(n for n in part.names if n not in naming),
            )
        ranked = [e for e in self.rank(part, within) if request.candidates[e.passage_no - 1].source == source]
        return self.pick(part, ranked, within)[:SIDE_MAX]

    # -- evidence --------------------------------------------------------------------------------------------
    def _part_vector(self, part: Part, request: AnswerRequest) -> np.ndarray | None:
        if self._embed is None:
            return None
        if len(request.analysis.parts) == 1 and request.query_vector is not None:
            return unit_vector(request.query_vector)
        subject = " ".join(n for n in part.names if n not in part.text)
        return self._sentence_vectors([f"{part.text} {subject}".strip()])[0]

    def _asked_in_article(self, part: Part, request: AnswerRequest) -> np.ndarray | None:
        """What a question asks of the article it names, without the words that name it ("What should the West focus
        on, per the author of the Qwen2-VL piece?": the West's focus, not Qwen2-VL), when that article is found."""
        if self._embed is None or part.kind == "list" or not request.analysis.article:
            return None
        if request.article is None and not request.articles:
            return None
        naming = {w.lower() for w in request.analysis.article}
        rest = " ".join(w for w in part.text.split() if w.strip(",.?!;:’'").lower() not in naming)
        return self._sentence_vectors([rest])[0] if rest.strip() and rest != part.text else None

    def rank(self, part: Part, request: AnswerRequest) -> list[Evidence]:
        """Every answer-like sentence of the (unflagged) candidates, judged for this part, best first."""
        idf = request.corpus.idf if request.corpus is not None else (lambda t: 1.0)
        weights = part_weights(part, idf)
        scored: list[Scored] = []
        gathers = part.kind == "list" and request.analysis.all_articles  # reads every article it was given
        best = {(p.source, p.chunk_index) for p in request.candidates[:MAX_PASSAGES]}
        goes_on = request.quoted_sources if request.analysis.follow_up else frozenset()  # the article it goes on in
        # A question about one curated article ("Gist of the Qwen2-VL article?", then "What did it beat?") is answered
        # from it or not at all: an upload that says more of the asked words is not that article.
        article_curated = request.article is not None and any(
            p.source == request.article and p.trust == "curated" for p in request.candidates
        )
        # The article that alone names a product is about it: any sentence there may go on about it unnamed
        # ("Mobilizing AI on edge devices, such as mobile phones" in the one article on Qwen2.5-Omni-7B), and all of
        # it is read. A name that only says which article is meant ("per the Qwen2-VL piece") is not asked about.
        about = product_articles_of(part, request)
        for i, p in enumerate(request.candidates):
            # Hostile text is never quoted; past the best passages only a named article, every article for a list
            # across them, or the chunk before a best passage (where its opening sentence has its antecedent).
            antecedent = (p.source, p.chunk_index + 1) in best
            if (
                (article_curated and p.trust == "contributed")
                or p.flags
                or (
                    i >= MAX_PASSAGES
                    and p.source != request.article
                    and not gathers
                    and not antecedent
                    and p.source not in goes_on
                    and p.source not in about
                )
            ):
                continue
            scored.extend(candidate_sentences(i + 1, p.text, faq_questions=part.kind != "list"))
        if part.headings:
            scored = self._heading_lines(request)  # "What are the subheadings?": those lines, and no others
        if part.author:
            scored.extend(self._bylines(request))
        if part.publisher:
            scored.extend(self._site_lines(request))
        if not scored:
            return []
        qv = self._part_vector(part, request)
        if qv is not None:
            # The sentence's own meaning: its lead is context, and would blur it.
            vecs = self._sentence_vectors([s.sentence.text for s in scored])
            scored = [replace(s, dense=float(v @ qv)) for s, v in zip(scored, vecs, strict=True)]
            # ... and one that leans on the sentence before ("For instance, it ..."), with that one, for ranking only
            # (see judge()).
            leaning = [i for i, s in enumerate(scored) if leans(s.sentence.text)]
            texts = [
                with_previous(request.candidates[scored[i].passage_no - 1].text, scored[i].sentence) for i in leaning
            ]
            for i, c in zip(leaning, self._sentence_vectors(texts), strict=True):
                scored[i] = replace(scored[i], context_dense=float(c @ qv))
            rv = self._asked_in_article(part, request)
            if rv is not None:
                scored = [
                    replace(s, context_dense=max(s.context_dense, float(v @ rv)))
                    for s, v in zip(scored, vecs, strict=True)
                ]
        # A follow-up asks for something new, unless it asks about the previous answer itself.
        said = (
            "" if request.analysis.restates else " ".join(t.content for t in request.history if t.role == "assistant")
        )
        # A follow-up goes on in the article the last answer quoted, unless another one answers clearly better.
        previous = request.quoted_sources if request.analysis.follow_up else frozenset()
        # The retrieval's best article leads: another must answer clearly better (a library holds many near-alike
        # articles; the best match on the whole question is the likelier one).
        top = next((p.source for p in request.candidates if not p.flags), None)
        gathers_all = part.kind == "list" or request.analysis.all_articles or request.analysis.kind == "summary"
        weight = {
            i + 1: (request.contributed_weight if p.trust == "contributed" else 1.0)
            * (OTHER_THAN_TOP if not gathers_all and p.source != top else 1.0)
            * (OTHER_ARTICLE if request.article is not None and p.source != request.article else 1.0)
            * (OTHER_THAN_BEFORE if previous and p.source not in previous else 1.0)
            for i, p in enumerate(request.candidates)
        }
        # the part's names each article gives (a sentence there may say "their latest model" for one)
        own_names = [n for n in part.names if n in part.text]
        named_in = (
            {
                src: [n for n in own_names if any(has_name(n, p) for p in request.candidates if p.source == src)]
                for src in {p.source for p in request.candidates}
            }
            if own_names
            else {}
        )
        out = [
            judge(
                part,
                request.analysis.question if len(request.analysis.parts) == 1 else part.text,
                s,
                weights,
                rank_nudge=RANK_NUDGE / s.passage_no,
                said_before=bool(said) and s.sentence.text in said,
                trust_weight=weight[s.passage_no],
                dense_weight=DENSE_WEIGHT if qv is not None else 0.0,
                proper=request.corpus.proper if request.corpus is not None else frozenset(),
                named_nearby=named_in.get(request.candidates[s.passage_no - 1].source, ()),
                about=request.candidates[s.passage_no - 1].source in about,
            )
            for s in scored
        ]
        out.sort(key=lambda e: (-e.score, e.passage_no, e.sentence.start))
        # Chunks overlap: one sentence, judged once (its best-ranked passage) ... but a sentence that leans on the
        # one before is quoted from the chunk that has that one too.
        with_lead = {e.sentence.text for e in out if e.lead is not None}
        seen: set[str] = set()
        unique = []
        for e in out:
            if e.lead is None and e.sentence.text in with_lead and leans(e.sentence.text):
                continue
            if e.sentence.text not in seen:
                seen.add(e.sentence.text)
                unique.append(e)
        return unique

    def _bylines(self, request: AnswerRequest) -> list[Scored]:
        """Name-shaped lines at the head of a document: the answer to "who wrote ...?"."""
        out: list[Scored] = []
        for i, p in enumerate(request.candidates):
            if p.chunk_index != 0 or p.flags:
                continue
            for a, b in sentence_spans(p.text)[:4]:
                line = p.text[a:b]
                if is_byline(line) and line.strip() != p.title.strip():
                    out.append(Scored(i + 1, Sentence(line, a, b), None, 0.0))
        return out

    def _heading_lines(self, request: AnswerRequest) -> list[Scored]:
        """The section headings of the article asked about (the named one, else the best passage's), in the order
        written: not its title, nor the byline at its head."""
        usable = [p for p in request.candidates if not p.flags]
        source = request.article or (usable[0].source if usable else None)
        out: list[Scored] = []
        seen: set[str] = set()
        ordered = sorted(
            (i for i, p in enumerate(request.candidates) if p.source == source and not p.flags),
            key=lambda i: request.candidates[i].chunk_index,
        )
        for i in ordered:
            p = request.candidates[i]
            for n, m in enumerate(re.finditer(r"[^\n]+", p.text)):
                line = m.group(0).strip()
                at_head = p.chunk_index == 0 and n < 4
                if line in seen or line == p.title.strip() or (at_head and is_byline(line)) or not is_heading(line):
                    continue
                seen.add(line)
                out.append(Scored(i + 1, Sentence(m.group(0), m.start(), m.end()), None, 0.0))
        return out

    def _site_lines(self, request: AnswerRequest) -> list[Scored]:
        """Lines that name the site an article ran on ("Discover more from Archyworldys", "Published by ..."): the
        answer to "which website published ...?"."""
        out: list[Scored] = []
        for i, p in enumerate(request.candidates):
            if p.flags:
                continue
            for m in re.finditer(r"[^\n]+", p.text):
                if SITE_LINE.match(m.group(0).strip()):
                    out.append(Scored(i + 1, Sentence(m.group(0), m.start(), m.end()), None, 0.0))
        return out

    def acceptable(self, part: Part, e: Evidence, request: AnswerRequest) -> bool:
        """Whether a quote answers the part: it holds the asked attribute and enough of what was asked about."""
        return self.rejection(part, e, request) is None

    @staticmethod
    def rejection(part: Part, e: Evidence, request: AnswerRequest) -> str | None:
        """Why a quote does not answer the part, or None if it does (see acceptance.rejection)."""
        return rejection(part, e, request)

    def pick(self, part: Part, ranked: Sequence[Evidence], request: AnswerRequest) -> list[Evidence]:
        """The quotes that answer the part: the best acceptable one, what finishes its thought, what it lacks."""
        if (
            part.kind in FOCUS_NEEDED
            and part.focus
            and request.corpus is not None
            and not any(request.corpus.has_family(t) for t in part.focus)
        ):
            return []  # the counted or measured thing ("revenue", "employees") is never mentioned: nothing answers it
        if part.closing and request.article is not None:
            # how the article ends: its last sentence of prose (not a heading, nor the page's furniture)
            body = [
                e
                for e in ranked
                if request.candidates[e.passage_no - 1].source == request.article
                and len(e.sentence.text.split()) >= CLOSING_WORDS
                and not is_heading(e.sentence.text)
                and not is_furniture(e.sentence.text)
            ]
            if body:
                return [max(body, key=lambda e: (request.candidates[e.passage_no - 1].chunk_index, e.sentence.start))]
        if part.headings:
            # the headings, as the article orders them (each is its own answer: no words of the question to hold)
            return sorted(ranked, key=lambda e: (request.candidates[e.passage_no - 1].chunk_index, e.sentence.start))
        ok = [e for e in ranked if self.acceptable(part, e, request)]
        if part.items_named and only_kind(part):
            # "Which people are mentioned?": a sentence with the word "people" and no person in it answers nothing
            ok = [e for e in ok if new_items(part, e, request)]
        if not ok:
            return []
        if part.kind == "list" or (request.analysis.all_articles and part.kind in ("who", "what", "list")):
            proper = request.corpus.proper if request.corpus is not None else frozenset()
            gathered: list[Evidence] = []
            # From one named article, the list's items are all that article's: no cap per source.
            # A list of named things takes every quote that adds a name, up to the list's length.
            cap = LIST_MAX if request.article is not None or part.items_named else LIST_PER_SOURCE
            for e in self._across_files(
                ok,
                request.candidates,
                part.text,
                proper,
                cap,
                people=part.items_people,
                kinds=part.kinds,
                named_items=part.items_named or part.kind != "list",
                predicate=self._predicate(part, request),
            ):
                if _already_quoted(e, gathered):
                    continue
                gathered.append(e)
                # "... across numerous industries. For example, ... They can also ...": the items follow.
                for more in self._goes_on(e, request.candidates, leaning=True):
                    if _already_quoted(more, gathered):
                        break
                    gathered.append(more)
            return rehome(gathered, request.candidates)
        best = ok[0]
        picked = [best]
        follow = self._continuation(best, request.candidates)
        if follow is not None and CONTRAST.match(follow.sentence.text) and not _DOWNSIDES.search(part.text):
            # "However, one cannot ignore the pitfalls": the next thought, not the rest of this one, unless the
            # downside is what was asked ("How could AI on phones cause problems?": "However, ... concerns")
            follow = None
        if follow is not None:
            picked.append(follow)
            if runs_on(best.sentence.text, follow.sentence.text):  # "... implications:" with the lines it introduces
                picked.extend(self._goes_on(follow, request.candidates, leaning=False))
            elif part.kind == "why":
                # a reason is argued over the rest of the paragraph: "While this is commendable, there's a fine
                # line ... Is it merely a play for market share? The narrative of altruism can easily serve as a
                # veneer for profit-driven motives ..."
                nxt = self._continuation(follow, request.candidates, past_question=True)
                if nxt is not None and not CONTRAST.match(nxt.sentence.text):
                    picked.append(nxt)
        weights = part_weights(part, request.corpus.idf if request.corpus else (lambda t: 1.0))
        source = request.candidates[best.passage_no - 1].source
        for e in ok[1:]:
            if len(picked) >= MAX_PER_PART or e.score < best.score * SAME_CUTOFF:
                break
            if any(e.sentence.text == p.sentence.text for p in picked):
                continue
            # Near the best in the same article: it adds detail. Another article must add what is missing.
            quoted = {p.sentence.text for p in picked} | {p.lead.text for p in picked if p.lead}
            if e.lead is not None and e.lead.text in quoted:
                e = replace(e, lead=None)
            if e.sentence.text in quoted:
                continue
            have = " ".join(p.sentence.text for p in picked)
            gain = overlap(weights, f"{have} {e.sentence.text}") - overlap(weights, have)
            passage = request.candidates[e.passage_no - 1]
            if passage.trust == "contributed" and request.candidates[best.passage_no - 1].trust != "contributed":
                continue  # an upload never extends an answer the curated articles give
            if part.kind == "compare" and explicit_comparison(best.quote) and not explicit_comparison(e.quote):
                continue  # "ten times larger than ..." answers; "an updated version" beside it only blurs it
            same = passage.source == source
            if same or (gain >= ADDS_MIN and e.score >= best.score * OTHER_FILE_CUTOFF):
                picked.append(e)
        return rehome(picked, request.candidates)

    @staticmethod
    def _predicate(part: Part, request: AnswerRequest) -> Callable[[str], bool] | None:
        """What a list's items must have done, when the question says ("Which US companies have dominated AI
        headlines?": dominated headlines), as a test of a quote; None for a list of whatever is mentioned."""
        if request.analysis.all_articles or request.corpus is None:
            return None
        name_terms = {t for n in part.names for t in sparse.terms(n)}
        # (the kind the list is of, with the words before it, not every plural it says: "headlines" are what US
        # companies dominated; "different" in "all the different Qwen models" says which models, not what they did)
        last = max((i for i, g in enumerate(part.gathers) if is_named_kind(g)), default=-1)
        kinds = set(part.gathers[: last + 1]) if part.items_named else set(part.gathers)
        said = set(part.focus) | kinds | name_terms | set(part.subject)
        relation = [t for t in part.terms if t not in said and request.corpus.has(t)]
        if not relation:
            return None
        idf = request.corpus.idf
        # ... or, for a list of ideas, a quote that names them ("The emergence of Qwen2-VL ... has far-reaching
        # implications:" with the lines it introduces, asked for "the implications for global AI competition")
        ideas = set() if part.items_named else set(part.gathers)

        def did_it(quote: str) -> bool:
            return holds_relation(relation, quote, idf, LIST_PREDICATE) or bool(ideas & set(sparse.terms(quote)))

        return did_it

    @staticmethod
    def _across_files(
        ok: Sequence[Evidence],
        candidates: Sequence[Passage],
        question: str,
        proper: frozenset[str],
        per_source: int,
        *,
        people: bool = False,
        kinds: Sequence[str] = (),
        named_items: bool = True,
        predicate: Callable[[str], bool] | None = None,
    ) -> list[Evidence]:
        """Quotes from every source that answers, best first per source, for questions that gather items: a quote
        whose names the ones before already gave adds nothing to a list and is passed over. A list of people takes
        the quotes that name a person as one (speaking, or by a job)."""
        best = ok[0].score
        curated_leads = candidates[ok[0].passage_no - 1].trust != "contributed"
        taken: dict[str, int] = {}
        out: list[Evidence] = []
        named: set[str] = {n.lower() for n in proper_names(question, proper)}
        asked = set(sparse.words(question))
        # "Which Chinese AI models ...": "Chinese AI", "China" are the question's own, not the list's items
        capitals = re.findall(r"\b[A-Z][\w\-’']*", question)

        def own(item: str) -> bool:
            ws = sparse.words(item)
            return set(ws) <= asked | sparse.stopwords() or any(names_its_place(w, ws) for w in capitals)

        by_kind = list(ok)
        typed_ids: set[int] = set()
        if kinds and not people:
            # The articles call some names things of the asked kind ("the R1 model"): the list is of those ...
            names_of = [list_items(e.sentence.text, proper) for e in ok]
            found = {n for ns in names_of for n in ns if not own(n)}
            typed = typed_names(found, kinds, list(dict.fromkeys(p.text for p in candidates)))
            # ... and come first; then any other sentence that names something new, as before.
            first = [bool(typed and {bare_name(n) for n in ns} & typed) for ns in names_of]
            typed_ids = {id(e) for e, f in zip(ok, first, strict=True) if f}
            by_kind = [e for e, f in zip(ok, first, strict=True) if f] + [
                e for e, f in zip(ok, first, strict=True) if not f
            ]
        for e in by_kind:
            src = candidates[e.passage_no - 1].source
            cutoff = LIST_CUTOFF if named_items or src == candidates[ok[0].passage_no - 1].source else IDEAS_CUTOFF
            if id(e) in typed_ids:
                cutoff = 0.0  # a sentence naming a thing of the asked kind names an item, however it ranks
            if taken.get(src, 0) >= per_source or e.score < best * cutoff:
                continue
            if curated_leads and candidates[e.passage_no - 1].trust == "contributed":
                continue  # an upload never extends a list the curated articles give
            if (
                predicate is not None
                and src != candidates[ok[0].passage_no - 1].source
                and e.dense < RELATION_DENSE
                and not predicate(e.quote)
            ):
                continue  # "Which companies is Alibaba partnering with?": another article's companies, not partners
            names_here = list_items(e.sentence.text, proper, people=people)
            if kinds and not people:
                # "Which Chinese tech companies ...?": "China’s", "AI" and "U.S." are none of them
                names_here = [n for n in names_here if not own(n) and not describes(n)]
            items = {n.lower() for n in names_here}
            # "Isford pointed out" after "Grace Isford, partner at Lux Capital": the same person again
            fresh = {i for i in items - named if not any(n.endswith(f" {i}") for n in named)}
            # (a list of ideas is not: "concerns regarding privacy" adds one though it names nothing new)
            if (named_items and out and items and not fresh) or (people and not fresh):
                continue
            named |= items
            taken[src] = taken.get(src, 0) + 1
            out.append(e)
            if len(out) >= LIST_MAX:
                break
        # one paragraph reads by source: group each source's quotes together, sources in order of their best
        order = list(dict.fromkeys(candidates[e.passage_no - 1].source for e in out))
        return sorted(out, key=lambda e: order.index(candidates[e.passage_no - 1].source))

    def _goes_on(self, e: Evidence, candidates: Sequence[Passage], *, leaning: bool) -> list[Evidence]:
        """The sentences after e that go on with it: the labelled lines a colon introduces, and (leaning) sentences
        that lean on the one before ("For example, ...", "They can also ...")."""
        out: list[Evidence] = []
        last, follow = e, self._continuation(e, candidates)
        while follow is not None and len(out) < LIST_RUN:
            if not runs_on(last.sentence.text, follow.sentence.text) and not (leaning and leans(follow.sentence.text)):
                break
            out.append(follow)
            last, follow = follow, self._continuation(follow, candidates)
        return out

    @staticmethod
    def _continuation(e: Evidence, candidates: Sequence[Passage], *, past_question: bool = False) -> Evidence | None:
        """The next sentence of the same paragraph: it usually finishes the thought ("For instance, it can ...");
        past_question: the one after a question the writer asks and answers ("Is it merely a strategic play? The
        narrative of altruism can easily serve as a veneer ...")."""
        passage = candidates[e.passage_no - 1]
        sents = sentences_of(passage)
        for i, s in enumerate(sents):
            if s.start != e.sentence.start:
                continue
            if i + 1 < len(sents):
                nxt = sents[i + 1]
                same_paragraph = "\n" not in passage.text[s.end : nxt.start] or runs_on(s.text, nxt.text)
                if past_question and same_paragraph and is_question(nxt.text):
                    if i + 2 >= len(sents):  # the question ends the chunk: what answers it opens the next
                        asked = Evidence(e.passage_no, nxt, e.score, e.raw_score, e.support, True)
                        return ExtractiveAnswerer._continuation(asked, candidates)
                    if "\n" not in passage.text[nxt.end : sents[i + 2].start]:
                        nxt = sents[i + 2]
                if same_paragraph and is_answer_like(nxt):
                    return Evidence(e.passage_no, nxt, e.score, e.raw_score, e.support, True)
                return None
            # The last sentence of its chunk: the thought may go on in the next chunk, on the same line.
            # Chunks overlap by a sentence: in the next one, take what follows this sentence.
            for j, p in enumerate(candidates):
                if p.source == passage.source and p.chunk_index == passage.chunk_index + 1:
                    theirs = sentences_of(p)
                    at = next((k for k, t in enumerate(theirs) if t.text == s.text), -1)
                    nxt_sent = theirs[at + 1] if at + 1 < len(theirs) else None
                    if (
                        past_question
                        and at >= 0
                        and nxt_sent is not None
                        and is_question(nxt_sent.text)
                        and at + 2 < len(theirs)
                        and "\n" not in p.text[theirs[at].end : theirs[at + 2].start]
                    ):
                        at, nxt_sent = at + 1, theirs[at + 2]
                    if at < 0 and p.start_line != passage.end_line:
                        return None
                    gap = p.text[theirs[at].end if at >= 0 else 0 : nxt_sent.start] if nxt_sent else "\n"
                    run_on = nxt_sent is not None and runs_on(s.text, nxt_sent.text)
                    if nxt_sent is not None and ("\n" not in gap or run_on) and is_answer_like(nxt_sent):
                        return Evidence(j + 1, nxt_sent, e.score, e.raw_score, e.support, True)
            return None
        return None


_DOWNSIDES = re.compile(
    r"\b(?:problems?|risks?|risky|concerns?|downsides?|dangers?|dangerous|drawbacks?|worr\w*|harms?|harmful|pitfalls?|"
    r"challenges?|criticism|critic\w*|skeptic\w*|sceptic\w*|negatives?|threats?|disadvantages?|wrong)\b",
    re.I,
)


def _already_quoted(e: Evidence, quoted: Sequence[Evidence]) -> bool:
    """Whether the quote, or the sentence it leans on, is already part of the answer."""
    texts = {q.sentence.text for q in quoted} | {q.lead.text for q in quoted if q.lead is not None}
    return e.sentence.text in texts or (e.lead is not None and e.lead.text in texts)


def _joined(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _missing(part: Part) -> str:
    """What a part asked, quoted, for "The articles don't say ..."."""
    text = part.text.strip().rstrip("?").strip()
    return f"“{text}”" if text else "that"


def _overruled_upload(
    ranked: Sequence[Evidence], picked: Sequence[Evidence], candidates: Sequence[Passage]
) -> Passage | None:
    """The uploaded passage that would have led the answer had curated articles not taken precedence."""
    if not picked or candidates[picked[0].passage_no - 1].trust == "contributed":
        return None
    lead = picked[0].score
    for e in ranked:
        passage = candidates[e.passage_no - 1]
        if passage.trust == "contributed" and e.raw_score > lead:
            return passage
    return None
