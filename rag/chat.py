"""One question's flow: analyse -> retrieve -> gate -> answer -> check markers -> one stream = the final answer."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from rag.answer import Answerer, AnswerRequest, Notice, Numbering, Refusal, quoted_sources
from rag.answer.evidence import leans, leaves_open, unknown_word
from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.openai_chat import FallbackAnswerer, OpenAIAnswerer
from rag.calibrate import MIN_DOCUMENTS, library_floor
from rag.casual import written_out
from rag.cite import MarkerStream, cite
from rag.config import Settings
from rag.errors import BadQuestion
from rag.gate import Gate, names_only_uploads_know
from rag.in_place import fronted
from rag.indirect import direct
from rag.names import (
    Abbreviations,
    Respeller,
    camel_spellings,
    is_product_name,
    owners_only,
    product_articles,
    restore_case,
)
from rag.preamble import split_message, unnumbered
from rag.question import FILLER, Analysis, analyse, last_answer, related_starts, relation_groups
from rag.retrieval import sparse
from rag.retrieval.corpus import CorpusStats
from rag.retrieval.embeddings import Embedder, embedder_from_settings
from rag.retrieval.retrieve import Retriever
from rag.retrieval.store import Store, open_store
from rag.text import sentence_spans
from rag.types import Answer, AnswerDelta, Passage, Turn

log = logging.getLogger(__name__)

CANDIDATE_POOL = 12
RESTATED_PASSAGES = 2  # passages of the last answer a question that re-asks it reads, ...
RESTATED_AT = 3  # ... placed after this many of its own best
SUMMARY_DOCUMENTS = 8
NEIGHBOUR_PASSAGES = 12  # of the best passages, those opening mid-thought bring the chunk before ...
# An article named by its genre alone, one written in the first person: "in the op-ed", "the columnist"
_FIRST_PERSON_GENRE = re.compile(
    r"\b(?:the|this|that)\s+(?:op-?ed|opinion\s+(?:piece|column)|column|columnist|op-?ed(?:'s)?\s+(?:author|writer))\b",
    re.I,
)
NEIGHBOUR_MAX_CHUNKS = 5_000  # ... (and those ending inside a list, the chunk after), in a corpus up to this size
REFUSAL = "The articles don't say. The closest passages are listed below as closest matches."


def _borrowing_known_words(analysis: Analysis, stats: CorpusStats) -> Analysis:
    """A follow-up borrowing from earlier turns only words that can say where to look: the words of what those turns
    named, words the corpus uses, and verbs the articles say otherwise ("quoted": "said"); not "podcast" or
    "daughter" from "I heard the name Tiezhen Wang on a podcast my daughter sent ...".)"""
    named = {t for p in analysis.parts for n in p.names for t in sparse.terms(n)}
    return replace(
        analysis,
        parts=tuple(
            replace(p, subject=tuple(t for t in p.subject if t in named or stats.has(t) or relation_groups(t)))
            for p in analysis.parts
        ),
    )


@dataclass(frozen=True)
class _Spelled:
    """How a corpus spells its names, found once per corpus statistics (Chat._spellings)."""

    spellings: dict[str, str]  # by lowercase
    known: frozenset[str]  # those (lowercased) no English word spells
    camel: dict[str, str]  # those with a capital inside ("DeepSeek"), which a user may type as two words
    respell: Respeller  # names typed a letter or two off
    expand: Abbreviations  # names typed as the capitals that shorten them ("NVDA")


COVERING_DEPTH = 8  # "which articles mention X": the articles among this many best passages ...
COVERING_SHARE = 0.6  # ... that mention every name it asks about, or (with none) this share of its words by idf ...
COVERING_MAX = 3  # ... at most this many, each answered on its own


_COUNTS = frozenset(sparse.terms("two three four five both each several couple"))


def covering(analysis: Analysis, pool: Sequence[Passage], corpus: CorpusStats) -> tuple[str, ...]:
    """The articles that cover a question's subject, best first, when it asks what each says."""
    usable = [p for p in pool[:COVERING_DEPTH] if not p.flags and p.source not in corpus.incomplete]
    if any(p.trust == "curated" for p in usable):
        usable = [p for p in usable if p.trust == "curated"]  # an upload never adds an article to what they answer
    if not usable:
        return ()
    asked = list(dict.fromkeys(n for part in analysis.parts for n in part.names))
    owners = owners_only(tuple(asked), analysis.standalone)
    asked = [n for n in asked if n not in owners]  # "Meta's Llama 2": Llama 2's
    # with no name, what the question is about: its words the articles use, but not those that name the articles
    # ("two of the articles", "each": how many articles are asked about, not what they are about)
    words = {t for part in analysis.parts for t in part.terms if t not in FILLER and t not in _COUNTS and corpus.has(t)}

    def covers(source: str) -> bool:
        if asked:
            return all(corpus.mentions(source, n) for n in asked)
        terms = corpus.doc_terms.get(source, frozenset())
        held = sum(corpus.idf(t) for t in words if t in terms)
        return bool(words) and held >= COVERING_SHARE * sum(corpus.idf(t) for t in words)

    found = [s for s in dict.fromkeys(p.source for p in usable) if covers(s)]
    return tuple(found[:COVERING_MAX]) if len(found) > 1 else ()


def refusal_text(missing: str = "") -> str:
    """The refusal, naming what was asked when it is known."""
    if not missing:
        return REFUSAL
    return f"The articles don't say {missing}. The closest passages are listed below as closest matches."


class Chat:
    """Answers questions from the store with footnotes; thread-safe only behind the caller's lock."""

    def __init__(
        self,
        *,
        retriever: Retriever,
        answerer: Answerer | None = None,
        extractive: ExtractiveAnswerer | None = None,
        gate: Gate | None = None,
        top_k: int = 5,
        max_question_chars: int = 2000,
        calibrate_gate: bool = True,
    ) -> None:
        self.retriever = retriever
        self.extractive = extractive or ExtractiveAnswerer(retriever.embedder.embed_queries)
        self.answerer: Answerer = answerer or self.extractive
        self.gate = gate or Gate()
        self.top_k = top_k
        self.max_question_chars = max_question_chars
        self.calibrate_gate = calibrate_gate
        self._corpus: CorpusStats | None = None
        self._corpus_version = ""
        self._corpus_lock = threading.Lock()
        self._floor: tuple[int, float | None] | None = None  # (points when measured, floor)
        self._spelled: tuple[CorpusStats, _Spelled] | None = None  # the statistics and how they spell names

    @classmethod
    def from_settings(cls, settings: Settings, *, store: Store | None = None, embedder: Embedder | None = None) -> Chat:
        """A Chat over the configured store, embedder and answerer."""
        embedder = embedder or embedder_from_settings(settings)
        store = store or open_store(settings, model=embedder.model, dim=embedder.dim)
        extractive = ExtractiveAnswerer(embedder.embed_queries)
        answerer: Answerer = extractive
        if settings.use_openai():
            answerer = FallbackAnswerer(OpenAIAnswerer.from_settings(settings), extractive)
        return cls(
            retriever=Retriever(store, embedder, contributed_weight=settings.contributed_weight),
            extractive=extractive,
            answerer=answerer,
            gate=Gate(min_dense=settings.min_dense_score),
            top_k=settings.top_k,
            max_question_chars=settings.max_question_chars,
            calibrate_gate=settings.calibrate_gate,
        )

    @property
    def answerer_name(self) -> str:
        """The active answerer, as Answer.answerer names it."""
        return self.answerer.name

    def corpus(self) -> CorpusStats:
        """Term statistics of the corpus, built once per store version: a write by this process or by another
        replica on the same Qdrant server moves the version, and the next question rebuilds them."""
        version = self.retriever.store.version()
        with self._corpus_lock:
            if self._corpus is None or self._corpus_version != version:
                fields = ["text", "source", "title", "doc_sha256", "chunks", "trust"]
                payloads = (p for _, p in self.retriever.store.scroll_payloads(fields))
                self._corpus = CorpusStats.from_payloads(payloads)
                self._corpus_version = version
            return self._corpus

    def floor(self, corpus: CorpusStats) -> float | None:
        """The library's own refusal floor (rag/calibrate.py), measured again when the library grew or shrank 5%."""
        if not self.calibrate_gate or len(corpus.doc_terms) < MIN_DOCUMENTS:
            return None
        with self._corpus_lock:
            if self._floor is None or abs(self._floor[0] - corpus.n) > 0.05 * max(1, self._floor[0]):
                points = self.retriever.store.scroll_vectors(["source", "text"])
                self._floor = (corpus.n, library_floor(points, self.retriever.embedder.embed_queries))
            return self._floor[1]

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

    def search(self, query: str, *, top_k: int | None = None) -> list[Passage]:
        """Hybrid retrieval for a query, as `footnote search` and /v1/search show it (as an answer retrieves: a word
        the corpus never uses is searched as the words news text uses for it)."""
        k = top_k or self.top_k
        return self.retriever.retrieve(query, top_k=k, corpus=self.corpus(), related=related_starts).passages

    def analyse(self, question: str, history: Sequence[Turn] = (), corpus: CorpusStats | None = None) -> Analysis:
        """The question analysed, a follow-up made to stand alone by the answerer. Chat shorthand is read written out
        ("whats", "acc to") and names typed otherwise as the articles spell them ("kai wang": Kai Wang; "qwen2 vl":
        Qwen2-VL)."""
        stats = corpus or self.corpus()
        # (known: "Baichuan developer company" opens with one of the corpus's names)
        spelled = self._spellings(stats)
        spellings, known = spelled.spellings, spelled.known

        def unheard(word: str) -> bool:
            return not any(stats.has(t) for t in sparse.terms(word)) and unknown_word(word)

        def unseen(word: str) -> bool:  # ("US" is the word "us" to the index, which it leaves out, not unseen)
            terms = sparse.terms(word)
            return bool(terms) and not any(stats.has(t) for t in terms)

        def read(text: str) -> str:
            typed = fronted(written_out(text))
            cased = restore_case(typed, spellings, stats.compound_spellings, stats.leads, spelled.camel)
            # "Tiezen Wang": Tiezhen Wang; "NVDA chips": Nvidia chips
            return spelled.respell(spelled.expand(cased, unseen), unheard)

        # "I heard the name Tiezhen Wang on a podcast ... Who is this person?": what a message tells is an earlier
        # turn of the conversation, and what it asks a follow-up to it (rag.preamble)
        # (an earlier message is one turn still, its asides left out: "My grandson mentioned Meta's Llama 2. Is it
        # bigger ...?" is what the next question's "it" goes back to)
        turns = [
            Turn("user", read(" ".join(split_message(direct(unnumbered(t.content)))).strip()))
            if t.role == "user"
            else t
            for t in history
        ]
        # "A customer wants to know who Tiezhen Wang is.": the question a request holds (rag.indirect)
        # ("(a) According to ..., how much ...? (b) ...": numbered sub-questions, each asked as a sentence)
        told, asked = split_message(direct(unnumbered(question)), earlier=bool(turns))
        if told:
            turns.append(Turn("user", read(told)))
        analysis = analyse(read(asked), turns, known)
        if analysis.follow_up:
            analysis = _borrowing_known_words(analysis, stats)
            analysis = replace(analysis, standalone=self.answerer.condense(analysis, turns))
        return replace(analysis, message=question) if told else analysis

    def _spellings(self, stats: CorpusStats) -> _Spelled:
        """How the corpus spells its names, with the names that only ever open a sentence and are no English word
        ("Baidu"; not "Despite"), and which of them (lowercased) no English word spells, found once per corpus
        statistics."""
        if self._spelled is None or self._spelled[0] is not stats:
            openers = {low: w for low, w in stats.openers.items() if unknown_word(w)}
            rare = {low: w for low, w in stats.rare.items() if unknown_word(w)}  # "Baichuan", written so once
            # "the omni model": a word of a product's name that no English word spells is that name's ("Omni", of
            # Qwen2.5-Omni-7B; not "Chat", of Qwen-VL-Chat)
            pieces = {
                w.lower(): w
                for name in stats.compound_spellings.values()
                if is_product_name(name)
                for w in re.findall(r"[A-Za-z]{4,}", name)
                if unknown_word(w)
            }
            spellings = {**pieces, **openers, **rare, **stats.spellings}
            known = frozenset(low for low, w in spellings.items() if unknown_word(w))
            spelled = _Spelled(
                spellings,
                known,
                camel_spellings(spellings),
                Respeller(spellings.values()),
                Abbreviations([*spellings.values(), *stats.rare.values(), *stats.compound_spellings.values()]),
            )
            self._spelled = (stats, spelled)
        return self._spelled[1]

    def ask(self, question: str, history: Sequence[Turn] = (), *, top_k: int | None = None) -> Answer:
        """The final Answer (the stream, drained)."""
        answer: Answer | None = None
        for item in self.stream(question, history, top_k=top_k):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    def _candidates(
        self,
        analysis: Analysis,
        pool: list[Passage],
        corpus: CorpusStats,
        article: str | None,
        articles: Sequence[str] = (),
        history: Sequence[Turn] = (),
    ) -> list[Passage]:
        """The pool, plus whole articles for a summary or the named article(s), and article heads for "who wrote"."""
        wanted: list[tuple[str, bool]] = []  # (source, whole document?)
        if article is not None or articles:
            wanted = [(a, True) for a in ([article] if article is not None else articles)]
        elif analysis.kind == "summary":
            sources = [s for s, trust in corpus.sources if trust == "curated"] if analysis.all_articles else []
            if not sources:
                sources = [p.source for p in pool if not p.flags][:1]
            wanted = [(s, True) for s in sources[:SUMMARY_DOCUMENTS]]
        elif (
            analysis.all_articles
            and any(part.kind == "list" for part in analysis.parts)
            and len(curated := [s for s, trust in corpus.sources if trust == "curated"]) <= SUMMARY_DOCUMENTS
        ):
            # "Which companies are mentioned across the articles?": the items are wherever a few articles name them
            # (a library is too large to read whole: there the retrieved passages stand for it).
            wanted = [(s, True) for s in curated]
        elif any(part.author for part in analysis.parts):
            wanted = [(s, False) for s in dict.fromkeys(p.source for p in pool[:3])]
        elif any(part.publisher for part in analysis.parts):  # the site's name is in a line at the foot, often
            wanted = [(s, True) for s in dict.fromkeys(p.source for p in pool[:3] if not p.flags)]
        if not wanted and analysis.follow_up and corpus.n <= NEIGHBOUR_MAX_CHUNKS:
            # "Where did they put it for people to download?" goes on in the article the last answer quoted, which
            # may name the thing only once: it is read whole (see NEIGHBOUR_MAX_CHUNKS for why not in a library)
            quoted = quoted_sources([p for p in pool if not p.flags], history)
            wanted = [(s, True) for s in quoted[:1]]
        if not wanted and corpus.n <= NEIGHBOUR_MAX_CHUNKS:
            # "What inputs can Qwen2.5-Omni-7B handle?": the one article that names the product is about it, and may
            # call it "a multimodal AI" where it says so; it is read whole (not in a library, as above)
            named = (n for part in analysis.parts for n in part.names if n in part.text and n not in analysis.article)
            wanted = [(s, True) for s in sorted(product_articles(named, corpus))]
        if not wanted:
            return pool + self._neighbours(pool, corpus)
        have = {(p.source, p.chunk_index) for p in pool}
        extra: list[Passage] = []
        for source, whole in wanted:
            for p in self.retriever.document(source):
                if (whole or p.chunk_index == 0) and (p.source, p.chunk_index) not in have:
                    extra.append(p)
        if analysis.kind == "summary" or article is not None or articles:
            # A summary or a named article is read whole, in the order asked: it leads the candidates.
            docs = [p for s, _ in wanted for p in [*pool, *extra] if p.source == s]
            return docs + [p for p in pool if p not in docs]
        return pool + extra + self._neighbours(pool + extra, corpus)

    def _neighbours(self, pool: list[Passage], corpus: CorpusStats) -> list[Passage]:
        """The chunk before each of the best passages that opens mid-thought ("For instance, ..."), and the chunk
        after each that ends inside a list ("... implications:"): chunks overlap by a sentence, so there a quote
        comes with what it leans on, or with the rest of its list. (Not in a large library: the embedded store scans
        every point for a filtered read, ~0.5 s at 20k chunks; the answer then quotes another sentence.)"""
        if corpus.n > NEIGHBOUR_MAX_CHUNKS:
            return []
        have = {(p.source, p.chunk_index) for p in pool}
        wanted: list[tuple[str, int]] = []
        for p in pool[:NEIGHBOUR_PASSAGES]:
            if p.flags:
                continue
            spans = sentence_spans(p.text)
            if p.chunk_index > 0 and spans and leans(p.text[spans[0][0] : spans[0][1]]):
                wanted.append((p.source, p.chunk_index - 1))
            if leaves_open(p.text):
                wanted.append((p.source, p.chunk_index + 1))
        wanted = [w for w in dict.fromkeys(wanted) if w not in have]
        return [p for p in self.retriever.chunks(wanted) if (p.source, p.chunk_index) not in have]

    def stream(
        self, question: str, history: Sequence[Turn] = (), *, top_k: int | None = None
    ) -> Iterator[AnswerDelta | Answer]:
        """Checked text deltas, then the final Answer, whose text is exactly the deltas joined."""
        t0 = time.perf_counter()
        q = self.check_question(question)
        k = top_k or self.top_k
        timings: dict[str, float] = {}
        corpus = self.corpus()
        analysis = self.analyse(q, history, corpus)
        t1 = time.perf_counter()
        timings["analyse"] = (t1 - t0) * 1000
        # Curated articles take precedence over uploads, except on names only uploads mention.
        upload_names = tuple(names_only_uploads_know(analysis.standalone, corpus))
        weight = 1.0 if upload_names else self.retriever.contributed_weight
        # A wider pool than shown: the sentence that answers may sit in the 6th-best passage.
        retrieval = self.retriever.retrieve(
            analysis.standalone,
            top_k=max(k, CANDIDATE_POOL),
            corpus=corpus,
            contributed_weight=weight,
            related=related_starts,
        )
        timings.update(retrieval.timings_ms)
        pool = retrieval.passages
        if analysis.restates and (said := last_answer(history)[:300]):
            # "And which phone company?" re-asks the last question: its answer often sits in the sentence that
            # answered the last one ("... Apple for AI integration into iPhones or partnerships with BMW"), which
            # the new wording may not retrieve: the last answer's passages join the best ones.
            have = {(p.source, p.chunk_index) for p in pool}
            again = self.retriever.retrieve(said, top_k=RESTATED_PASSAGES, corpus=corpus, contributed_weight=weight)
            extra = [p for p in again.passages if (p.source, p.chunk_index) not in have][:RESTATED_PASSAGES]
            pool = pool[:RESTATED_AT] + extra + pool[RESTATED_AT:]
        t2 = time.perf_counter()
        verdict = self.gate.before_answer(analysis, pool, retrieval.best_dense, corpus, floor=self.floor(corpus))
        name = self.answerer.name
        if verdict.refuse:
            log.info("refused %r: %s", q[:80], verdict.reason)
            yield from self._refusal(pool, k, timings, t0, t2, name=name)
            return
        # "across the articles about X" gathers from all of them: no single article to keep to.
        article = corpus.article(analysis.article) if analysis.article and not analysis.all_articles else None
        if article is None and not analysis.all_articles and _FIRST_PERSON_GENRE.search(analysis.standalone):
            # "the op-ed", "the column": the one article whose writer speaks in the first person
            curated = {s for s, trust in corpus.sources if trust == "curated"}
            mine = [s for s in corpus.first_person if s in curated]
            article = mine[0] if len(mine) == 1 else None
        if article in corpus.incomplete:
            article = None  # a half-written document is not read (the next ingest completes it)
        # "How do the Qwen-VL article and the Omni commentary treat ...?": two articles, each answered on its own;
        # a name compared is a side where one article alone mentions it ("Qwen-VL vs Qwen2.5-Omni-7B")
        resolved = [(words, corpus.article(words)) for words in analysis.sides]
        resolved += [((n,), corpus.only_document(n)) for n in analysis.compared]
        found = [(words, a) for words, a in resolved if a is not None and a not in corpus.incomplete]
        sides = tuple(dict.fromkeys(a for _, a in found))
        articles = sides if len(sides) > 1 and not analysis.all_articles else ()
        if not articles and article is None and analysis.in_several and analysis.kind != "summary":
            articles = covering(analysis, pool, corpus)  # "DeepSeek pops up in two of the pieces: what do they say?"
        if articles:
            article = None
        candidates = self._candidates(analysis, pool, corpus, article, articles, history)
        request = AnswerRequest(
            article=article,
            articles=articles,
            side_words=tuple(dict.fromkeys(w for words, _ in found for w in words)) if articles else (),
            analysis=analysis,
            candidates=candidates,
            top_k=k,
            history=history,
            corpus=corpus,
            query_vector=retrieval.query_vector,
            contributed_weight=weight,
            upload_names=upload_names,
        )
        checker = MarkerStream(candidates)
        notices: list[str] = []
        set_aside: tuple[Passage, ...] = ()
        for event in self.answerer.stream(request):
            if isinstance(event, Numbering):
                checker.limit = event.count
            elif isinstance(event, Notice):
                notices.append(event.text)
                name = event.answerer or name
                set_aside += event.set_aside
            elif isinstance(event, Refusal):
                notice = " ".join(notices) or None
                yield from self._refusal(pool, k, timings, t0, t2, name=name, notice=notice, missing=event.missing)
                return
            elif piece := checker.feed(event):
                yield AnswerDelta(piece)
        if piece := checker.close():
            yield AnswerDelta(piece)
        if not checker.order:
            # Nothing citable came out (an answerer that cited nothing): a refusal, not an unchecked claim.
            notices.append("The answer cited no passage.")
            notice = " ".join(notices)
            yield from self._refusal(pool, k, timings, t0, t2, name=name, notice=notice, prefix=checker.text)
            return
        text = checker.text
        cited = cite(text, checker.cited)
        shown = list(pool[:k])
        for p in checker.cited:  # a cited passage from deeper in the pool is shown too
            if p not in shown:
                shown.append(p)
        if cited.unsupported:
            notices.append("Not supported by the cited passage: " + " | ".join(s[:120] for s in cited.unsupported))
        timings["answer"] = (time.perf_counter() - t2) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        yield Answer(
            answer=text,
            refused=False,
            citations=cited.citations,
            passages=tuple(shown),
            answerer=name,
            notice=" ".join(notices) or None,
            timings_ms=timings,
            set_aside=set_aside,
            pool=tuple(pool),
        )

    def _refusal(
        self,
        pool: Sequence[Passage],
        k: int,
        timings: dict[str, float],
        t0: float,
        t2: float,
        *,
        name: str,
        notice: str | None = None,
        missing: str = "",
        prefix: str = "",
    ) -> Iterator[AnswerDelta | Answer]:
        text = refusal_text(missing)
        yield AnswerDelta(f"\n\n{text}" if prefix else text)
        timings["answer"] = (time.perf_counter() - t2) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        yield Answer(
            answer=f"{prefix}\n\n{text}" if prefix else text,
            refused=True,
            citations=(),
            passages=tuple(pool[:k]),
            answerer=name,
            notice=notice,
            timings_ms=timings,
            pool=tuple(pool),
        )
