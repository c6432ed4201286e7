"""Hostile text inside a document: passages that address the reader or an assistant, or game retrieval.

A scraped article can carry them even in a curated folder, so provenance cannot help: such passages are marked
(at ingest, in the payload's `flags`), never quoted or cited as an answer, labelled in the sources and fenced as
data in the LLM prompt.
"""

from __future__ import annotations

import re
from collections import Counter

from rag.retrieval import sparse

# Zero-width and direction-control characters hide text from a reader but not from a model.
HIDDEN = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
_ROLE = re.compile(
    r"<\|?\s*(im_start|im_end|system|assistant|user|endoftext|eot_id|start_header_id)\s*\|?>|\[/?INST\]|<<\s*/?SYS\s*>>|"
    r"^\s*#{2,}\s*(instruction|instructions|system|response|assistant)\b|^\s*(system|assistant|user)\s*:",
    re.I | re.M,
)
_ORDER = re.compile(
    r"\b(ignore|disregard|forget|override|overrule)\b[^.\n]{0,60}\b(previous|prior|above|other|all|earlier|"
    r"following|any)\b[^.\n]{0,40}\b(instructions?|articles?|sources?|documents?|context|rules?|prompts?|"
    r"passages?|guidelines?)\b|"
    r"\b(tell|inform|remind|assure|convince)\s+(the\s+|your\s+|all\s+)?(users?|readers?|people|everyone)\b|"
    r"\byou (must|should|are required to|have to|need to) (always |now |only )?(say|answer|respond|reply|cite|"
    r"tell|state|mention|claim|report|output|write|print|recommend|ignore)\b|"
    r"\b(always|never) (say|answer|respond|reply|cite|state|mention|claim|recommend)\b|"
    r"\bas an (ai|a\.i\.|assistant|language model|llm|chatbot)\b|"
    r"\b(note|message|instructions?|reminder|memo) (to|for) (the |any |all )?(ai|a\.i\.|assistants?|chatbots?|"
    r"models?|llms?|bots?|language models?|answer engines?)\b|"
    r"\b(ai|assistants?|chatbots?|language models?|llms?|bots?)\s*(must|should|shall|are instructed to)\b|"
    r"\bnew instructions?\s*:|\bsystem prompt\b",
    re.I,
)
# "Answer: ..." addressed to whoever reads it; an article's own FAQ ("Q: ... A: ...") is ordinary prose.
_ANSWER_LINE = re.compile(
    r"(^|[?.!:]\s)\s*(answer|final answer|correct answer|the (correct |real )?answer is)\s*[:\-–]", re.I | re.M
)
STUFFED_MIN_WORDS = 15
STUFFED_DIVERSITY = 0.5
STUFFED_REPEAT = 4


def _stuffed(text: str) -> bool:
    """A paragraph of repeated keywords: low lexical diversity, or one content word many times in few words."""
    for para in re.split(r"\n\s*\n|\n", text):
        ws = sparse.words(para)
        if len(ws) < STUFFED_MIN_WORDS:
            continue
        if len(set(ws)) / len(ws) < STUFFED_DIVERSITY:
            return True
        content = Counter(t for t in sparse.terms(para) if not t.isdigit())
        if content and len(ws) < 60 and content.most_common(1)[0][1] >= STUFFED_REPEAT:
            # Five mentions of one word in a short paragraph is repetition, not prose, unless sentences carry it.
            sentences = max(1, len(re.findall(r"[.!?](\s|$)", para)))
            if content.most_common(1)[0][1] >= STUFFED_REPEAT + sentences:
                return True
    return False


def flags_of(text: str) -> tuple[str, ...]:
    """Why a passage is hostile (hidden-text, role-marker, orders, answer-line, keyword-stuffed); () if not."""
    out: list[str] = []
    if HIDDEN.search(text):
        out.append("hidden-text")
    visible = HIDDEN.sub("", text)
    if _ROLE.search(visible):
        out.append("role-marker")
    if _ORDER.search(visible):
        out.append("orders")
    if _ANSWER_LINE.search(visible):
        out.append("answer-line")
    if _stuffed(visible):
        out.append("keyword-stuffed")
    return tuple(out)


def describe(flags: tuple[str, ...]) -> str:
    """A label for the sources list."""
    return "set aside as hostile text: " + " and ".join(flags)
