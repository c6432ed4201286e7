"""The refusal gate before answering: nothing close, a named thing absent from the corpus, or little that matches.

Whether each part's evidence holds the asked attribute is judged by the answerer (rag/answer/evidence.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rag.names import demonyms, has_name, name_terms, names, names_its_place, only_kind_asked, place_aliases
from rag.question import FILLER, Analysis, Part, relation_group
from rag.retrieval import sparse
from rag.retrieval.corpus import CorpusStats, name_forms, name_pieces, squash
from rag.types import Passage


@dataclass(frozen=True)
class Verdict:
    """Whether to refuse, and why (for logs and the eval report)."""

    refuse: bool
    reason: str = ""


def _name_term(name: str) -> str | None:
    ws = sparse.words(name)
    ts = sparse.terms(ws[0]) if ws else []
    return ts[0] if ts else None


def names_only_uploads_know(question: str, stats: CorpusStats) -> list[str]:
    """Names in the question that contributed documents mention and curated ones never do."""
    out = []
    for name in names(question):
        t = _name_term(name)
        if t and stats.has(t) and not stats.curated_has(t):
            out.append(name)
    return out


def known(name: str, stats: CorpusStats) -> bool:
    """Whether the corpus mentions a name: as written, in another spacing ("Llama2"), or, for a pair like
    "China-US", each of its names on its own (but "Qwen-Audio" is not "Qwen" and a lowercase "audio")."""
    if any(all(stats.has(t) for t in ways) for ways in name_terms(name)) or stats.has_name_form(name):
        return True
    if any(stats.has_name_form(a) for a in place_aliases(name)):
        return True  # "America": "the United States"
    pieces = name_pieces(name)
    return len(pieces) > 1 and all(
        p[0].isupper() and (squash(p) in stats.proper or (p.isupper() and stats.has_name_form(p))) for p in pieces
    )


CLAIM_TERMS = 2  # a yes/no claim with this many words besides names can be checked when it gets a name wrong


class Gate:
    """Refuses when nothing is close, when a named thing is absent from the corpus, or when little matches."""

    def __init__(self, *, min_dense: float = 0.17, min_coverage: float = 0.25, close_dense: float = 0.35) -> None:
        self.min_dense = min_dense
        self.min_coverage = min_coverage
        self.close_dense = close_dense

    def before_answer(
        self,
        analysis: Analysis,
        passages: Sequence[Passage],
        best_dense: float,
        stats: CorpusStats,
        *,
        floor: float | None = None,
    ) -> Verdict:
        """Judge the retrieval for an analysed question (floor: the library's own, see rag/calibrate.py)."""
        usable = [p for p in passages if not p.flags]
        if not usable:
            return Verdict(True, "no passages")
        least = max(self.min_dense, floor or 0.0)
        # A question about one of the articles, by its site, author or title, is about the corpus however far its
        # wording is from the passages; so is one about them all.
        about_an_article = bool(analysis.article) and stats.article(analysis.article) is not None
        # ... and one whose names only one document gives, and the best passages do ("who from King's College London
        # is quoted?": the quote passage is far in meaning from the question but names the college)
        if (
            best_dense < least
            and not analysis.all_articles
            and not about_an_article
            and not _names_only_one_document_gives(analysis, usable[:3], stats)
        ):
            return Verdict(True, f"best dense score {best_dense:.2f} < {least:.2f}")
        # Every part names something the corpus never mentions: nothing to quote. (One unknown part is
        # answered as "the articles don't say" beside the others.)
        unknown = []
        for part in analysis.parts:
            own = [n for n in part.names if n in part.text]
            missing = [
                n
                for n in [*own, *demonyms(part.text)]
                if not known(n, stats) and not names_its_place(n, stats.proper) and not only_kind_asked(n, part.text)
            ]
            # ("a Japanese sign?": the articles say whose instead, where the claim says more than the word)
            said = demonyms(part.text)
            claimed = {*own, *said} if claims_more(replace(part, terms=_without(part.terms, said))) else set(own)
            if missing and not (part.kind == "yes_no" and set(missing) <= claimed and claims_more(part)):
                # (a claim naming a thing the articles never mention, "Is it true that Qwen2-VL beat Anthropic's
                # Claude on several benchmarks?", is answered by what they say instead; see rag.answer.extractive)
                unknown.append(missing[0])
        if unknown and len(unknown) == len(analysis.parts):
            return Verdict(True, f"'{unknown[0]}' does not occur in the corpus")
        content = {t for t in sparse.terms(analysis.standalone) if t not in FILLER}
        # A passage that means nearly the question in other words ("the chatty picture-reading one": Qwen-VL-Chat) is
        # close however few of its words it shares; the answerer then judges each quote by meaning too.
        worded_otherwise = best_dense >= self.close_dense
        if content and analysis.kind != "summary" and not analysis.all_articles and not worded_otherwise:
            seen: set[str] = set()
            for p in usable[:3]:
                seen.update(sparse.terms(p.text))
            groups = {g for t in seen if (g := relation_group(t)) is not None}
            # A name in another spelling ("llama2" for "Llama 2") is there too.
            forms = frozenset().union(*(name_forms(p.text) for p in usable[:3]))
            # ... and a word of the same family ("comparison", "comparative"; see sparse.PREFIX)
            starts = {t[: sparse.PREFIX] for t in seen if len(t) >= sparse.PREFIX}
            found = {
                t
                for t in content
                if t in seen
                or relation_group(t) in groups - {None}
                or squash(t) in forms
                or (len(t) >= sparse.PREFIX and t[: sparse.PREFIX] in starts)
            }
            coverage = len(found) / len(content)
            if coverage < self.min_coverage - 1e-9:
                return Verdict(True, f"only {coverage:.0%} of the question's terms occur in the best passages")
        return Verdict(False)


def _names_only_one_document_gives(analysis: Analysis, best: Sequence[Passage], stats: CorpusStats) -> bool:
    """Whether the question names something, and every name it gives is one only one document mentions and the
    best passages give."""
    asked = [n for part in analysis.parts for n in part.names if n in part.text]
    return bool(asked) and all(stats.only_document(n) is not None and any(has_name(n, p) for p in best) for n in asked)


def _without(terms: Sequence[str], words: Sequence[str]) -> tuple[str, ...]:
    gone = {t for w in words for t in sparse.terms(w)}
    return tuple(t for t in terms if t not in gone)


def claims_more(part: Part) -> bool:
    """Whether a yes/no claim says more than its names ("Was it the Wall Street Journal that reported Chinese
    developers building on open-source foundations?": words of its own to check against what the articles say
    instead of a name they never mention; "Does Qwen-VL support Japanese?" says too little but the names)."""
    named = {t for n in part.names for t in sparse.terms(n)}
    if len({t for t in part.terms if t not in named and t not in FILLER}) >= CLAIM_TERMS:
        return True
    # ... and where someone is, or works, is a relation of its own: "Grace Isford is at Sequoia, isn't she?", "Xin Sun
    # teaches at Oxford, right?" (the articles name their firm, college or lab instead); so is who made a thing:
    # "Qwen2.5-Omni was released by Tencent, wasn't it?" (they name its maker)
    return bool(_AFFILIATION.search(part.text) or _MAKER.search(part.text))


_AFFILIATION = re.compile(
    r"\b[A-Z][a-z]+\s+[A-Z][a-z]+\s+(?:is|was|works?|worked|teach(?:es)?|taught|lectures?|lectured)\b"
    r"(?:\s+(?:a|an|the|[a-z]+))*?\s+(?:at|for|with)\s+(?:the\s+)?[A-Z]"
)
_MAKER = re.compile(
    r"\b(?:released|made|built|developed|created|launched|unveiled|owned|backed|funded|published|written)\s+by\s+"
    r"(?:the\s+)?(?-i:[A-Z])|"
    r"^\s*(?:did|does|is|was)\s+(?:it\s+)?(?-i:[A-Z])[\w\-]*\s+(?:that\s+)?(?:release|make|build|develop|create|launch|"
    r"unveil|own|fund|publish|write|made|built|developed|created|launched|released)\b",
    re.I,
)
