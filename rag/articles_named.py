"""How a question names one of the articles: by its site, author, title, topic or what it says ("per the
Archyworldys article", "according to Manuel", "the Omni piece", "the article saying China often outpaces ..."), by
whom it quotes ("the article with Tiezhen Wang"), or by its place in the library's list ("the first article")."""

from __future__ import annotations

import re
from collections.abc import Sequence

_ARTICLE_NOUN = (
    r"(?:article|articles|piece|pieces|op-?ed|story|stories|report|post|column|essay|write-?up|commentary|editorial)"
)
_ASKING = r"(?:what|which|who|whom|whose|how|when|where|why)"
# Who wrote one ("the Qwen2.5-Omni commentator", "the Qwen2-VL author") names the article as well
_WRITER_NOUN = r"(?:author|writer|commentator|columnist)"
WRITER_OF = re.compile(rf"\b(?:{_WRITER_NOUN}|commentary|editorial|essay|column|write-?up)\b", re.I)  # not verbs
# What an article does with what it says
_ARTICLE_VERBS = (
    r"says?|said|claims?|argues?|reports?|describes?|mentions?|suggests?|raises?|raised|discuss(?:es|ed)?|covers?|"
    r"covered|talks?|talked|explains?|explained|gives?|gave|offers?|offered|provides?|provided|names?|named|lists?|"
    r"listed|quotes?|quoted|cites?|cited|address(?:es|ed)?|notes?|noted|highlights?|highlighted|warns?|warned|"
    r"predicts?|predicted|includes?|included|states?|stated|touch(?:es|ed)?|contrasts?|contrasted|compares?|"
    r"compared|agrees?|agreed|disagrees?|differs?"
)
_REF_PATTERNS = [
    re.compile(
        rf"\b(?:the|this|that)\s+((?:(?!(?:the|this|that|of|which|what|who|how)\b|[\-–—]+\s)[\w\-.’'“”\"]+\s+){{1,4}}?)"
        rf"(?:{_ARTICLE_NOUN}|{_WRITER_NOUN})\b",
        re.I,
    ),
    re.compile(
        # (what it is about, not the next question: "Which model is the Omni article about and what ...?")
        rf"\b{_ARTICLE_NOUN}\s+(?:about|on|by|from|covering)\s+(?!(?:and|or|but)\b)"
        rf"([\w\-.’'“”\"]+(?:\s+(?!{_ARTICLE_NOUN}\b|{_ASKING}\b)[\w\-.’'“”\"]+){{0,8}}?)"
        # ... up to what the article does: "Does the article on Qwen2.5-Omni raise any concerns about privacy?"
        rf"(?=\s*[,?.;]|\s*$|\s+(?:(?:both|also|each|all)\s+)?(?:{_ARTICLE_VERBS})\b)",
        re.I,
    ),
    # "the article with Tiezhen Wang": by whom it quotes (not "the piece with insights on ...")
    re.compile(rf"\b(?i:{_ARTICLE_NOUN})\s+(?i:with|featuring|quoting)\s+([A-Z][\w\-’']+(?:\s+[A-Z][\w\-’']+){{0,2}})"),
    re.compile(
        r"\b(?:according to|per|says|said)\s+((?:[A-Z][\w\-’']+\s*){1,3})"
        r"(?=[,?.;]|$|\s+(?:and|what|how|is|are|does|did)\b)"
    ),
    re.compile(rf"\b([A-Z][\w\-’']+(?:\s+[A-Z][\w\-’']+){{0,2}})[’']s\s+(?:\w+\s+)?{_ARTICLE_NOUN}\b"),
    # by what it says: "the article saying China often outpaces American counterparts"
    re.compile(
        # (not the asked verb: "what does the article say about ...", "which article says ...")
        rf"\b{_ARTICLE_NOUN}\s+(?:saying|claiming|arguing|reporting|(?:that|which)\s+(?:says|claims|argues|reports))"
        r"\s+(?!about\b)(?:that\s+)?([\w\-.’'“”\"]+(?:\s+[\w\-.’'“”\"]+){1,14}?)(?=\s*[,?.;]|\s*$)",
        re.I,
    ),
]


_ANOTHER = re.compile(r"\b(?:earlier|previous|prior|older|original|first|other)\b", re.I)
# "the first article", "the last piece": one of the library by its place in the list of documents (by name, as
# GET /v1/documents and the seeds folder list them), as the words "#1", "#-1" (see CorpusStats.article); not "the
# first article on China catching up" (one it describes), nor "the article from last week"
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1, "final": -1}
ORDINALS |= {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}
_ORDINAL = re.compile(
    rf"\b(?:the|that|this)\s+({'|'.join(ORDINALS)})\s+{_ARTICLE_NOUN}\b(?!\s+(?:on|about|by|from|in|of|that|which|where|when)\b)",
    re.I,
)


# "the Qwen2.5-Omni one", "the one about Qwen's popularity" (not "one of the articles", "which one")
_ONE = re.compile(r"\b(?!(?:which|each|any|every|no|this|that|only|just)\s)(\S+\s+)one\b(?!\s+(?:of|another)\b)", re.I)


def place_words(question: str) -> list[str]:
    """The words that give an article's place in the library ("last" of "the last article"): where to look, not
    words to find."""
    return [m.group(1) for m in _ORDINAL.finditer(question)]


def article_references(question: str) -> list[tuple[str, ...]]:
    """Each place the question names an article (its site, author, title or topic), as that place's words, in the
    order written: "the Qwen-VL article and the Omni commentary" names two, and so do "the first article and the
    Qwen2.5-Omni one", where "one" stands for an article, as it does once the question has named one."""
    if re.search(rf"\b{_ARTICLE_NOUN}\b", question, re.I):
        question = _ONE.sub(r"\1piece", question)
    ordinals = list(_ORDINAL.finditer(question))
    found: list[tuple[int, tuple[str, ...]]] = [(m.start(1), (f"#{ORDINALS[m.group(1).lower()]}",)) for m in ordinals]
    for pattern in _REF_PATTERNS:
        for m in pattern.finditer(question):
            if any(o.start() <= m.start(1) < o.end() for o in ordinals):
                continue  # "the last article": its place, not a word of its title
            if _ANOTHER.search(m.group(1)):
                continue  # "the author's earlier article" is one the articles mention, not one of them
            words = (re.sub(r"['’]s$", "", w).strip(".") for w in re.findall(r"[\w\-.’']+", m.group(1)))
            kept = tuple(w for w in words if w and w.lower() not in ("the", "a", "an", "of"))
            if kept and re.match(r"\s*(?:articles|pieces|stories)\b", question[m.end(1) :], re.I):
                # "the Qwen-VL and Qwen2.5-Omni articles": one place that names two
                at = m.start(1)
                for side in " ".join(kept).split(" and "):
                    if side.strip():
                        found.append((at, tuple(side.split())))
                        at += 1
            elif kept:
                found.append((m.start(1), kept))
    return list(dict.fromkeys(words for _, words in sorted(found)))


def article_reference(question: str, places: Sequence[tuple[str, ...]] | None = None) -> list[str]:
    """The words of the question that name an article (its site, author, title or topic), not what is asked
    (places: its article_references(), when already found)."""
    found = article_references(question) if places is None else places
    return list(dict.fromkeys(w for words in found for w in words))
