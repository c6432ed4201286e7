"""Text -> BM25 sparse vector. Qdrant applies IDF (Modifier.IDF); this side gives saturated term frequency."""

from __future__ import annotations

import re
import zlib
from collections import Counter
from functools import lru_cache

import Stemmer

from rag.retrieval.stopwords import GLASGOW

# Words with inner hyphens/dots stay whole ("qwen2.5-omni-7b") and also count as their parts.
_WORD = re.compile(r"[0-9A-Za-z\u00C0-\u024F]+(?:[.\-'’][0-9A-Za-z\u00C0-\u024F]+)*")
_PARTS = re.compile(r"[0-9A-Za-z\u00C0-\u024F]+")
K1 = 1.2
B = 0.75
AVG_DOC_TOKENS = 90.0  # chunks are ~180 word pieces, ~90 content terms after stopwords


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


# Numbers and concrete nouns carry answers here ("ten times larger", "top ten", "Blackwell-based systems").
_KEEP = frozenset(
    """one two three four five six seven eight nine ten eleven twelve fifteen twenty forty fifty sixty
    hundred first third last next top bottom front side system bill fire interest thick thin mill full empty move
    part""".split()
)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The Glasgow IR stopword list (as scikit-learn ships it), numbers kept."""
    return (GLASGOW - _KEEP) | _EXTRA


_EXTRA = frozenset({"vs", "versus", "s", "t"})


def words(text: str) -> list[str]:
    """Lowercased words of text, possessives removed; compounds kept whole."""
    out = []
    for m in _WORD.finditer(text.replace("’", "'")):
        w = m.group(0).lower()
        if w.endswith("'s"):
            w = w[:-2]
        out.append(w)
    return out


def terms(text: str) -> list[str]:
    """Stemmed content terms: stopwords dropped; a compound yields itself and its parts."""
    stem = _stemmer().stemWord
    sw = stopwords()
    out: list[str] = []
    for w in words(text):
        parts = _PARTS.findall(w)
        if len(parts) > 1:
            out.append(w)
        for p in parts:
            if p not in sw:
                out.append(stem(p))
    return out


@lru_cache(maxsize=20_000)
def term_set(text: str) -> frozenset[str]:
    """The distinct terms of a text, cached: answerers test the same passages and sentences many times."""
    return frozenset(terms(text))


def term_id(term: str) -> int:
    """A stable 32-bit index for a term (Qdrant sparse indices are uint32)."""
    return zlib.crc32(term.encode("utf-8"))


def _merge(counts: dict[int, float]) -> tuple[list[int], list[float]]:
    idx = sorted(counts)
    return idx, [counts[i] for i in idx]


def document_vector(text: str) -> tuple[list[int], list[float]]:
    """BM25 document side: tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen))."""
    ts = terms(text)
    norm = K1 * (1 - B + B * len(ts) / AVG_DOC_TOKENS)
    counts: dict[int, float] = {}
    for t, tf in Counter(ts).items():
        i = term_id(t)
        counts[i] = counts.get(i, 0.0) + tf * (K1 + 1) / (tf + norm)
    return _merge(counts)


def query_weights(text: str) -> dict[str, float]:
    """Each word of the query weighs 1; a compound splits its weight between itself and its parts."""
    stem = _stemmer().stemWord
    sw = stopwords()
    weights: dict[str, float] = {}
    for w in words(text):
        parts = [stem(p) for p in _PARTS.findall(w) if p not in sw]
        if len(_PARTS.findall(w)) > 1:
            share = 0.5 / max(1, len(parts))
            weights[w] = max(weights.get(w, 0.0), 0.5)
            for p in parts:
                weights[p] = max(weights.get(p, 0.0), share)
        elif parts:
            weights[parts[0]] = 1.0
    return weights


def query_vector(text: str, extra: dict[str, float] | None = None) -> tuple[list[int], list[float]]:
    """BM25 query side: each distinct term once (compounds shared out), and any extra terms with their weights;
    Qdrant multiplies by its IDF."""
    counts: dict[int, float] = {}
    for t, w in {**(extra or {}), **query_weights(text)}.items():
        i = term_id(t)
        counts[i] = max(counts.get(i, 0.0), w)
    return _merge(counts)


# English verbs whose past forms the stemmer does not bring home ("spun off": "spin-off"; "sold": "sell"). Not
# "found" (to found), "left" (a side), "bound", "born" or "fed". For judging a sentence against a question only:
# the index keeps the words as written.
_IRREGULAR = """arise arose arisen|beat beat beaten|become became|begin began begun|
blow blew blown|break broke broken|bring brought|build built|buy bought|catch caught|choose chose chosen|come came|
deal dealt|draw drew drawn|drive drove driven|fall fell fallen|feel felt|fight fought|flee fled|fly flew
flown|forbid forbade forbidden|forget forgot forgotten|freeze froze frozen|give gave given|go went gone|grow grew
grown|hang hung|hear heard|hide hid hidden|hold held|keep kept|know knew known|lay laid|lead led|lend lent|lose lost|
make made|mean meant|meet met|overcome overcame|pay paid|ride rode ridden|rise rose risen|run ran|say said|see saw
seen|seek sought|sell sold|send sent|shake shook shaken|shoot shot|show shown|shrink shrank shrunk|sink sank sunk|
speak spoke spoken|spend spent|spin spun|stand stood|steal stole stolen|stick stuck|strike struck stricken|strive
strove striven|swear swore sworn|swing swung|take took taken|teach taught|tear tore torn|tell told|think thought|
throw threw thrown|undergo underwent undergone|undertake undertook undertaken|understand understood|wear wore worn|
win won|withdraw withdrew withdrawn|write wrote written"""


@lru_cache(maxsize=1)
def _irregular() -> dict[str, str]:
    out: dict[str, str] = {}
    for forms in _IRREGULAR.replace("\n", " ").split("|"):
        base, *others = forms.split()
        home = _stemmer().stemWord(base)
        for form in others:
            stemmed = _stemmer().stemWord(form)
            if stemmed != home:
                out[stemmed] = home
    return out


PREFIX = 5  # "medicine"/"medical", "comparison"/"comparative": one word family the stemmer splits, by its start


def base_form(term: str) -> str:
    """A term's verb in its base form where the stemmer leaves an irregular past ("spun": "spin"), else the term."""
    return _irregular().get(term, term)
