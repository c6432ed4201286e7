"""What the corpus holds, term by term: document frequencies for weighting and the refusal gate."""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rag.retrieval import sparse

# An article named by its place in the library's list (rag.articles_named.article_references)
_PLACE = re.compile(r"#(-?\d+)")
# A word not at a sentence's start (after a lowercase word or a comma), possessive dropped.
_MID_SENTENCE_WORD = re.compile(r"(?<=[a-z,;:] )([A-Za-z][\w\-]*)(?:['’]s)?\b")
EVERYWHERE_SHARE = 0.95  # a name this share of the curated documents carry tells none of them apart ...
EVERYWHERE_MIN_DOCS = 3  # ... once there are this many
# The writer speaking for themself ("since I first reported ... in my article"), outside what others are quoted saying
_FIRST_PERSON = re.compile(r"\b(?:I|my|me|myself)\b")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"\n]*\"")
FIRST_PERSON_MIN = 2
# A capitalized word opening a sentence or a line, possessive dropped ("Baidu is ...", "Kai Wang’s insights")
# ... and whether a capitalized word follows it, as a name's first word ("Kai Wang", not "Let us know")
_OPENING_WORD = re.compile(r"(?:^|(?<=[.!?])[\"”’)]?\s+)([A-Z][a-z][a-z\-]*)(?:['’]s)?\b(?=([ \t]+[A-Z])?)", re.M)
# A run of capitalized words, small words allowed inside ("Frequently Asked Questions", "Department of Commerce").
_TITLE_RUN = re.compile(r"\b[A-Z][a-z]+(?:[ \t]+(?:(?:of|and|the|for|on|in|to|about|&)[ \t]+)?[A-Z][a-z]+)+")
_SMALL = frozenset({"of", "and", "the", "for", "on", "in", "to", "about", "&"})


# A name as people write it: capitalized words, digits and inner hyphens, up to three words ("Llama 2", "GPT-4V").
_NAME_RUN = re.compile(r"\b[A-Z0-9][\w.\-]*(?:[ \t]+[A-Z0-9][\w.\-]*){0,2}")


def squash(name: str) -> str:
    """A name without case, spaces or punctuation: "Llama 2", "Llama-2" and "llama2" are one name."""
    return re.sub(r"[\W_]+", "", name).lower()


def name_pieces(name: str) -> list[str]:
    """The names a pair is made of ("China-US": "China", "US"); one piece for any other name."""
    return [p for p in re.split(r"[-–/]", name) if p]


@functools.lru_cache(maxsize=8192)
def name_forms(text: str) -> frozenset[str]:
    """The squashed forms of the names in a text, each run and its leading words ("Hugging Face" gives
    "huggingface" and "hugging")."""
    out: set[str] = set()
    for m in _NAME_RUN.finditer(text):
        words = m.group(0).split()
        for k in range(1, len(words) + 1):
            form = squash("".join(words[:k]))
            if len(form) > 1:
                out.add(form)
    return frozenset(out)


@functools.lru_cache(maxsize=8192)
def compound_names(text: str) -> tuple[str, ...]:
    """The names of a text that are written as one with digits, hyphens or spaces inside, and a user may type
    otherwise ("Llama 2": "llama2"; "Qwen2-VL": "qwen2 vl"; "Hugging Face"), with their leading words."""
    out: list[str] = []
    for m in _NAME_RUN.finditer(text):
        words = [w.rstrip(".-") for w in m.group(0).split()]
        out += [" ".join(words[:k]) for k in range(1, len(words) + 1)]
    return tuple(n for n in out if re.search(r"[\s\-]|\d", n) and re.search(r"[A-Za-z]", n))


@functools.lru_cache(maxsize=8192)
def acronyms(text: str) -> frozenset[str]:
    """Lowercased initials of the capitalized phrases in a text ("Frequently Asked Questions" gives "faq"), so a
    question's acronym finds the phrase it stands for."""
    out: set[str] = set()
    for m in _TITLE_RUN.finditer(text):
        words = m.group(0).split()
        caps = [i for i, w in enumerate(words) if w not in _SMALL]
        for a in range(len(caps)):
            for b in range(a + 2, min(a + 6, len(caps) + 1)):
                span = words[caps[a] : caps[b - 1] + 1]
                out.add("".join(w[0] for w in span if w not in _SMALL).lower())
                out.add("".join(w[0] for w in span).lower())
    return frozenset(out)


CURATED_ARTICLE = 0.8  # a curated article the words point to this nearly as well as an upload is the one meant


TITLE_WEIGHT = 2.0


EXTENDS_FROM = 5  # a stem this long or longer is extended by the terms that go on from it ...
EXTENSIONS = 3  # ... at most this many


@dataclass(frozen=True)
class CorpusStats:
    """Chunk-level document frequency of every term."""

    df: dict[str, int]
    n: int
    compounds: list[str] = field(default_factory=list)  # sorted, for prefix lookups
    incomplete: frozenset[str] = frozenset()  # sources whose points do not form one whole version
    curated: frozenset[str] | None = None  # terms of curated documents; None: every document is curated
    sources: tuple[tuple[str, str], ...] = ()  # (source, trust) of every document, by name
    doc_terms: dict[str, frozenset[str]] = field(default_factory=dict)  # each document's terms (its title's too)
    proper: frozenset[str] = frozenset()  # words written capitalized mid-sentence more often than not (names)
    acronyms: frozenset[str] = frozenset()  # initials of capitalized phrases ("faq"), see acronyms()
    forms: tuple[str, ...] = ()  # sorted squashed name forms ("llama2", "gpt4v"), see name_forms()
    title_terms: dict[str, frozenset[str]] = field(default_factory=dict)  # each document's title's terms
    spellings: dict[str, str] = field(default_factory=dict)  # a name's usual spelling, by its lowercase ("AI", "Baidu")
    compound_spellings: dict[str, str] = field(default_factory=dict)  # ... a compound name's, by squash(): "Llama 2"
    openers: dict[str, str] = field(default_factory=dict)  # words only ever seen capitalized opening a sentence
    rare: dict[str, str] = field(default_factory=dict)  # names written capitalized mid-sentence once, never lower case
    leads: dict[str, str] = field(default_factory=dict)  # openers seen followed by a capitalized word: "Kai" (Wang)
    first_person: frozenset[str] = frozenset()  # documents whose writer says "I" and "my" (an op-ed, a column)
    _everywhere: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)  # everywhere(), found once

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> CorpusStats:
        """Count terms over chunk texts."""
        return cls.from_payloads({"text": t} for t in texts)

    @classmethod
    def from_payloads(cls, payloads: Iterable[dict[str, Any]]) -> CorpusStats:
        """Count terms over chunk payloads, and find documents a killed ingest left half-written."""
        df: Counter[str] = Counter()
        n = 0
        points: Counter[str] = Counter()
        versions: dict[str, set[tuple[Any, Any]]] = {}
        curated: set[str] = set()
        contributed = False
        trust_of: dict[str, str] = {}
        terms_of: dict[str, set[str]] = {}
        titles_of: dict[str, set[str]] = {}
        capitalized: Counter[str] = Counter()
        spelled: Counter[str] = Counter()
        lower_parts: Counter[str] = Counter()
        lowercase: Counter[str] = Counter()
        initials: set[str] = set()
        forms: set[str] = set()
        compound: Counter[str] = Counter()
        opening: Counter[str] = Counter()
        leading: set[str] = set()
        said: Counter[str] = Counter()  # first-person words outside quotation marks, by document
        for p in payloads:
            n += 1
            text = str(p.get("text", ""))
            ts = set(sparse.terms(text))
            initials |= acronyms(text)
            forms |= name_forms(text)
            compound.update(compound_names(text))
            for m in _OPENING_WORD.finditer(text):
                opening[m.group(1)] += 1
                if m.group(2):
                    leading.add(m.group(1).lower())
            headline: dict[int, bool] = {}
            for m in _MID_SENTENCE_WORD.finditer(text):
                w = m.group(1)
                (capitalized if w[0].isupper() else lowercase)[w.lower()] += 1
                if not w[0].isupper():
                    if "-" in w:  # "open" in "open-source" is written in lower case too
                        lower_parts.update(w.lower().split("-"))
                    continue
                start = text.rfind("\n", 0, m.start()) + 1
                if start not in headline:  # a headline capitalizes every word ("Open Source Models Surge")
                    end = text.find("\n", start)
                    words = text[start : end if end >= 0 else len(text)].split()
                    headline[start] = sum(x[:1].isupper() for x in words) > len(words) / 2
                if not headline[start]:
                    spelled[w] += 1
            df.update(ts)
            if p.get("trust") == "contributed":
                contributed = True
            else:
                curated.update(ts)
            if "source" in p:
                src = str(p["source"])
                trust_of[src] = "contributed" if p.get("trust") == "contributed" else "curated"
                title = set(sparse.terms(str(p.get("title", ""))))
                terms_of.setdefault(src, set()).update(ts, title)
                said[src] += len(_FIRST_PERSON.findall(_QUOTED.sub(" ", text)))
                titles_of.setdefault(src, set()).update(title)
                points[src] += 1
                versions.setdefault(src, set()).add((p.get("doc_sha256"), p.get("chunks")))
        incomplete = frozenset(
            src for src, vs in versions.items() if len(vs) != 1 or next(iter(vs))[1] not in (None, points[src])
        )
        compounds = sorted(t for t in df if "-" in t or "." in t or "'" in t)
        proper = frozenset(w for w, c in capitalized.items() if c > lowercase[w])
        spellings: dict[str, str] = {}
        rare: dict[str, str] = {}  # ... and those written so once ("such as Qwen and Baichuan")
        for w, times in spelled.most_common():  # the most frequent spelling first; twice at least, never lower case
            if w.lower() in proper and not lowercase[w.lower()] and not lower_parts[w.lower()]:
                (spellings if times >= 2 else rare).setdefault(w.lower(), w)

        # A compound name is one whose every word is a name's: with a digit, or in capitals or a name (see proper)
        # that the articles never write in lower case, or hyphenated of such words ("Llama 2", "Qwen-VL"; not "While
        # Alibaba" at a sentence's start, nor "Open-Source", which is "open-source" too). Spelled as most often written.
        def named(word: str, *, hyphenated: bool = False) -> bool:
            bare = re.sub(r"['’]s$", "", word)
            low = bare.lower()
            if re.search(r"\d", bare):
                return True
            if "-" in bare:
                return all(named(piece, hyphenated=True) for piece in bare.split("-"))
            shouted = len(bare) > 1 and bare.isupper()  # "VL", "GPT"; but "WHAT IS" in a shouted headline is no name
            return (
                (hyphenated or shouted or low in proper)
                and bare[:1].isupper()
                and not lowercase[low]
                and not lower_parts[low]
            )

        compound_spellings: dict[str, str] = {}
        # ... or a name and capitalized words after it, written so twice at least ("Alibaba Cloud", though "cloud" is
        # a word of its own too)
        names = [
            name
            for name, times in compound.most_common()
            if all(named(word) for word in name.split())
            or (
                times >= 2
                and " " in name
                and named(name.split()[0])
                and all(w[:1].isupper() and not re.search(r"\d", w) for w in name.split())
            )
        ]
        for name in names:
            compound_spellings.setdefault(squash(name), name)
        for name in names:  # "qwen2.5 omni" is "Qwen2.5-Omni" (of "Qwen2.5-Omni-7B"), where no name is spelled so
            pieces = name.split("-")
            for k in range(2, len(pieces)):
                compound_spellings.setdefault(squash("-".join(pieces[:k])), "-".join(pieces[:k]))
        # "Baidu is not far behind ...": a name that only ever opens a sentence (whether it is a name or a word like
        # "Despite" the caller decides, see Chat.analyse)
        openers: dict[str, str] = {}
        for w, _ in opening.most_common():
            low = w.lower()
            if not lowercase[low] and not lower_parts[low] and low not in spellings:
                openers.setdefault(low, w)
        return cls(
            dict(df),
            n,
            compounds,
            incomplete,
            frozenset(curated) if contributed else None,
            tuple(sorted(trust_of.items())),
            {src: frozenset(ts) for src, ts in terms_of.items()},
            proper,
            frozenset(initials),
            tuple(sorted(forms)),
            {src: frozenset(ts) for src, ts in titles_of.items()},
            spellings,
            compound_spellings,
            openers,
            rare,
            {low: w for low, w in openers.items() if low in leading},
            frozenset(src for src, n in said.items() if n >= FIRST_PERSON_MIN),
        )

    def only_document(self, name: str) -> str | None:
        """The one whole document that mentions the name ("Qwen2.5-Omni-7B"), if exactly one does."""
        having = [src for src in self.doc_terms if self.mentions(src, name)]
        return having[0] if len(having) == 1 and having[0] not in self.incomplete else None

    def mentions(self, source: str, name: str) -> bool:
        """Whether a document mentions the name (every term of it, or a longer name it starts)."""
        terms = sparse.terms(name)
        have = self.doc_terms.get(source, frozenset())
        return bool(terms) and all(self._in(t, have) for t in terms)

    @staticmethod
    def _in(term: str, terms: frozenset[str]) -> bool:
        """Whether a term is among a document's, or starts a longer name there ("qwen2.5-omni": "qwen2.5-omni-7b")."""
        return term in terms or (bool(re.search(r"[\-.]", term)) and any(t.startswith(f"{term}-") for t in terms))

    def everywhere(self, name: str) -> bool:
        """Whether nearly every curated document names it ("AI", "China" in a library about China's AI): such a
        name tells no passage from another."""
        if name in self._everywhere:
            return self._everywhere[name]
        terms = sparse.terms(name)
        uploads = {src for src, trust in self.sources if trust == "contributed"}
        docs = [ts for src, ts in self.doc_terms.items() if src not in uploads]
        found = bool(terms) and len(docs) >= EVERYWHERE_MIN_DOCS
        found = found and sum(1 for ts in docs if all(t in ts for t in terms)) >= EVERYWHERE_SHARE * len(docs)
        self._everywhere[name] = found
        return found

    def has(self, term: str) -> bool:
        """Whether the term occurs anywhere, whole or as the start of a longer name (qwen2.5-omni-7b)."""
        if term in self.df or term in self.acronyms:
            return True
        i = bisect.bisect_left(self.compounds, term)
        return i < len(self.compounds) and self.compounds[i].startswith(term)

    def has_name_form(self, name: str) -> bool:
        """Whether the corpus writes the name in some spacing or hyphenation ("Llama2": "Llama 2"), whole or as the
        start of a longer name ("Qwen2.5": "Qwen2.5-Omni-7B")."""
        form = squash(name)
        if len(form) < 2:
            return False
        i = bisect.bisect_left(self.forms, form)
        if i < len(self.forms) and self.forms[i].startswith(form):
            return True
        # ... or as the end of one, from a hyphen on ("Omni-7B": "Qwen2.5-Omni-7B")
        tail = re.sub(r"[\W_]+", "-", name.lower()).strip("-")
        return "-" in tail and any(w.endswith(f"-{tail}") for w in self._hyphenated)

    @functools.cached_property
    def _hyphenated(self) -> tuple[str, ...]:
        """The corpus's hyphenated name forms, lowercased ("qwen2.5-omni-7b")."""
        return tuple(sorted({c.lower() for c in self.compound_spellings.values() if "-" in c}))

    def has_family(self, term: str, prefix: int = 5) -> bool:
        """Whether the term or a word of its family (same first five letters: "medicine", "medical") occurs."""
        if self.has(term):
            return True
        if len(term) < prefix:
            return False
        if not hasattr(self, "_sorted_terms"):
            object.__setattr__(self, "_sorted_terms", sorted(self.df))
        terms: list[str] = self._sorted_terms  # type: ignore[attr-defined]
        i = bisect.bisect_left(terms, term[:prefix])
        return i < len(terms) and terms[i].startswith(term[:prefix])

    def extensions(self, term: str, shortest: int = EXTENDS_FROM, most: int = EXTENSIONS) -> list[str]:
        """Terms that go on from a whole stem the stemmer left apart ("partner": "partnership"; "compar":
        "comparison"), the most frequent first; none for a short stem or one that starts too many words."""
        if len(term) < shortest or not term.isalpha():
            return []
        if not hasattr(self, "_sorted_terms"):
            object.__setattr__(self, "_sorted_terms", sorted(self.df))
        terms: list[str] = self._sorted_terms  # type: ignore[attr-defined]
        i = bisect.bisect_left(terms, term)
        found = []
        while i < len(terms) and terms[i].startswith(term):
            if terms[i] != term and terms[i].isalpha():
                found.append(terms[i])
            i += 1
        return sorted(found, key=lambda t: -self.df[t])[:most]

    def curated_has(self, term: str) -> bool:
        """Whether a curated document mentions the term (whole, or as the start of a longer name)."""
        if self.curated is None:
            return self.has(term)
        if term in self.curated:
            return True
        i = bisect.bisect_left(self.compounds, term)
        while i < len(self.compounds) and self.compounds[i].startswith(term):
            if self.compounds[i] in self.curated:
                return True
            i += 1
        return False

    def idf(self, term: str) -> float:
        """BM25's idf; unseen terms get the highest."""
        d = self.df.get(term, 0)
        return math.log(1 + (self.n - d + 0.5) / (d + 0.5))

    def _longer(self, term: str) -> list[str]:
        """Compound terms that go on from term ("qwen2.5-omni" -> "qwen2.5-omni-7b")."""
        out = []
        i = bisect.bisect_left(self.compounds, term + "-")
        while i < len(self.compounds) and self.compounds[i].startswith(term + "-"):
            out.append(self.compounds[i])
            i += 1
        return out

    def article(self, words: Sequence[str]) -> str | None:
        """The one document that words naming an article (site, author, title, topic) point to; None if unclear."""
        places = {int(m.group(1)) for w in words if (m := _PLACE.fullmatch(w))}
        if len(places) == 1 and self.sources:
            # "the first article" ("#1"), "the last piece" ("#-1"): by its place among the curated documents, by name
            place = places.pop()
            listed = [src for src, trust in self.sources if trust != "contributed" and src in self.doc_terms]
            return listed[place - 1 if place > 0 else -1] if len(listed) >= abs(place) else None
        terms = {t for w in words for t in sparse.terms(w)}
        if not terms or len(self.doc_terms) < 2:
            return None
        docs = len(self.doc_terms)
        # "the Qwen2.5-Omni piece" names the article about "Qwen2.5-Omni-7B": a longer form of a name is that name
        forms = {t: {t, *self._longer(t)} if ("-" in t or "." in t) else {t} for t in terms}
        ddf = {t: sum(1 for ts in self.doc_terms.values() if forms[t] & ts) for t in terms}
        weight = {t: math.log((docs + 1) / (d + 0.5)) for t, d in ddf.items() if 0 < d < docs}
        if not weight:
            return None
        # A word of its title says more than one of its text ("the open-source surge article")
        # (a curated one's: an upload's title is whatever its writer chose)
        uploads = {src for src, trust in self.sources if trust == "contributed"}
        titled = {
            src: frozenset() if src in uploads else self.title_terms.get(src, frozenset()) for src in self.doc_terms
        }
        scores = sorted(
            (
                (
                    sum(
                        w * (TITLE_WEIGHT if forms[t] & titled[src] else 1.0)
                        for t, w in weight.items()
                        if forms[t] & ts
                    ),
                    src,
                )
                for src, ts in self.doc_terms.items()
            ),
            reverse=True,
        )
        if scores[0][1] in uploads:
            # Curated articles take precedence: one the words point to nearly as well is the one meant.
            curated = next((sc for sc in scores if sc[1] not in uploads), None)
            if curated is not None and curated[0] > 0 and curated[0] >= scores[0][0] * CURATED_ARTICLE:
                return curated[1]
        best = scores[0]
        # ... and an upload that mentions the same words does not make a curated article unclear
        rivals = [sc for sc in scores[1:] if best[1] in uploads or sc[1] not in uploads]
        second = rivals[0] if rivals else (0.0, "")
        return best[1] if best[0] > 0 and best[0] > second[0] * 1.25 else None
