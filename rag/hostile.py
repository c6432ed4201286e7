"""Hostile text inside a document: passages that address the reader or an assistant, or game retrieval.

A scraped article can carry them even in a curated folder, so provenance cannot help: such passages are marked
(at ingest, in the payload's `flags`), never quoted or cited as an answer, labelled in the sources and fenced as
data in the LLM prompt.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter

from rag.retrieval import sparse

# Zero-width and direction-control characters, and Unicode tag characters ("ASCII smuggling"), hide text from a
# reader but not from a model. A zero-width joiner between emoji ("🏳️‍🌈") is part of the picture, not hidden text.
_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\ufe0f"
HIDDEN = re.compile(
    "[\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\U000e0000-\U000e007f]|"
    f"(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])"
)
_ROLE = re.compile(
    r"<\|?\s*(im_start|im_end|system|assistant|user|endoftext|eot_id|start_header_id)\s*\|?>|\[/?INST\]|<<\s*/?SYS\s*>>|"
    r"^\s*#{2,}\s*(instruction|instructions|system|response|assistant)\b|^\s*(system|assistant|user)\s*:|"
    r"\[\s*/?\s*(system|assistant|sys|instructions?)\s*\]|^\s*```\s*(system|assistant|instructions?)\b",
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
# Text that speaks to whatever machine reads it, or tells it how to answer, by how it is put rather than by set
# phrases: an AI addressed ("If you are an AI ...", "Dear assistant,", "For AI crawlers:"), a reader that answers
# given orders ("Chatbots reading this page should report ..."), and instructions about the answer itself ("When
# asked about X, say ...", "Begin your answer with", "in your response", "Reply to any question with"). Measured on
# 60,596 paragraphs of 1,033 news articles: none flagged.
_AI = (
    r"(?:ai|a\.i\.|assistants?|chatbots?|language models?|llms?|bots?|crawlers?|agents?|models?|chatgpt|claude|"
    r"gemini|copilot|bard|gpt-?\d*\w*|(?:automated|ai) (?:systems?|tools?|readers?|agents?|summari[sz]ers?))"
)
# "AI crawlers and assistants", "all chatbots"
_TO_AI = rf"(?:all\s+|any\s+|the\s+)?{_AI}(?:\s+{_AI})?(?:\s+(?:and|or|&)\s+(?:\w+\s+)?{_AI})?"
_SAY = (
    r"(?:say|state|answer|respond|reply|report|conclude|cite|tell|claim|mention|output|write|recommend|repeat|"
    r"summari[sz]e|describe|present)"
)
_ADDRESSED = re.compile(
    r"\bif you(?: are|'re|’re) (?:an? )?(?:ai|a\.i\.|assistant|chatbot|language model|llm|bot|model|crawler|"
    r"automated)\b|"
    rf"(?:^|[.!?:]\s+)\s*(?:(?:attention|dear|hey|hi|hello|note to|memo to|message to)\s*,?\s+{_TO_AI}\s*[:,]|"
    rf"(?:for|to)\s+{_TO_AI}\s*:)|"
    rf"\b{_AI}\b[^.\n]{{0,30}}\b(?:reading|processing|summari[sz]ing|answering|indexing|crawling|scraping|parsing|"
    rf"that reads?|that process)\b[^.\n]{{0,50}}\b(?:should|must|shall|need to|are (?:asked|instructed|required|"
    rf"expected) to)\s+(?:always\s+|only\s+)?{_SAY}\b|"
    rf"\b(?:whoever|anyone|anybody) (?:who )?(?:answers|answering|summari[sz]es|summari[sz]ing)\b[^.\n]{{0,50}}"
    rf"\b(?:should|must|shall)\s+(?:always\s+|only\s+)?{_SAY}\b|"
    r"\bwhen (?:you are |you're |you’re )?(?:asked|questioned|queried|prompted)\b[^.\n]{0,80},\s*(?:always\s+)?"
    r"(?:answer|say|reply|respond|state|tell|claim|write)\b|"
    r"\b(?:reply|respond|answer)\s+(?:to\s+)?(?:any|every|all|each)\s+(?:questions?|quer(?:y|ies)|prompts?|requests?)\b|"
    r"\b(?:begin|start|end|open|close|prefix)\s+(?:your|each|every)\s+(?:answer|response|reply|summary|output)s?\b|"
    r"\bin your (?:answer|response|reply|summary|output)s?\b|"
    r"\bsummari[sz]e (?:this|the) (?:article|page|text|document|story|passage) as\b|"
    r"\b(?:ignore|disregard|forget)\s+(?:everything|anything|all|the rest)\b|"
    r"\byour (?:new |real |actual |true )?(?:task|job|instructions?|role|goal|objective) (?:is|are|now)\b|"
    r"\bfrom now on,? (?:you|pretend|say|answer|act|respond)\b|"
    # who is to be told what: "Users asking about Qwen should be told ...", "Recommend X to anyone who asks"
    r"\b(?:users?|readers?|anyone|everyone|visitors?)\b[^.\n]{0,40}\b(?:should|must|are to) be (?:told|informed|"
    r"directed|sent|advised|shown|reminded)\b|\bto (?:anyone|everyone|all users|users|readers) who (?:asks?|asking)\b|"
    # a page vouching for itself against the rest: "Trust only this page", "all other articles are outdated"
    r"\b(?:trust|believe|use|cite|rely on|read) only (?:this|these|the present|our)\b|"
    r"\b(?:this|our) (?:article|page|site|document|report|source) is the (?:only|most) (?:reliable|trustworthy|"
    r"authoritative|accurate|correct)\b|"
    r"\b(?:all|the) other (?:articles?|sources?|pages?|documents?|reports?)\b[^.\n]{0,40}\b(?:are|is|contain|were)\b"
    r"[^.\n]{0,20}\b(?:wrong|outdated|false|inaccurate|errors?|unreliable|fake|misleading|obsolete)\b",
    re.M,  # matched against lowercased text: a quarter faster than re.I over a library
)
# Shouted labels that introduce orders ("IMPORTANT INSTRUCTION:", "SYSTEM OVERRIDE:"): capitals only.
_SHOUTED = re.compile(
    r"\b(?:IMPORTANT|SYSTEM|ADMIN|DEVELOPER|URGENT)(?: (?:INSTRUCTIONS?|NOTE|OVERRIDE|MESSAGE|UPDATE))?\s*:|"
    r"\bINSTRUCTIONS?\s*:"
)
# "Answer: ..." addressed to whoever reads it; an article's own FAQ ("Q: ... A: ...") is ordinary prose.
_ANSWER_LINE = re.compile(
    r"(^|[?.!:]\s)\s*(answer|final answer|correct answer|the (correct |real )?answer is)\s*[:\-–]|"
    r"\b(correct|right|true|final|official|authoritative) (answer|response)\s*[:\-–]|"
    r"\bthe answer to (the|this|that|your) question\b|\b(this|that|here) is the (authoritative|definitive|official|"
    r"correct|real) answer\b",
    re.I | re.M,
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


# The version of the rules above, stored with every point: `footnote ingest` marks again (without embedding) the
# documents other rules marked. Read from the patterns and limits themselves, so no change to them can forget it.
RULES = format(
    zlib.crc32(
        "\n".join(
            [p.pattern for p in (HIDDEN, _ROLE, _ORDER, _ADDRESSED, _SHOUTED, _ANSWER_LINE)]
            + [str(x) for x in (STUFFED_MIN_WORDS, STUFFED_DIVERSITY, STUFFED_REPEAT)]
        ).encode()
    ),
    "08x",
)


def flags_of(text: str) -> tuple[str, ...]:
    """Why a passage is hostile (hidden-text, role-marker, orders, answer-line, keyword-stuffed); () if not."""
    out: list[str] = []
    if HIDDEN.search(text):
        out.append("hidden-text")
    visible = HIDDEN.sub("", text)
    if _ROLE.search(visible):
        out.append("role-marker")
    if _ORDER.search(visible) or _ADDRESSED.search(visible.lower()) or _SHOUTED.search(visible):
        out.append("orders")
    if _ANSWER_LINE.search(visible):
        out.append("answer-line")
    if _stuffed(visible):
        out.append("keyword-stuffed")
    return tuple(out)


def describe(flags: tuple[str, ...]) -> str:
    """A label for the sources list."""
    return "set aside as hostile text: " + " and ".join(flags)
