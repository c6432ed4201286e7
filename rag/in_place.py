"""A question asked in place, read with its question word first: "baichuan model is made by which company?",
"his earlier article name is what?", "baidu new multimodal model, what is its name?", "arms race article, author
name?".

People writing in a second language, or in a hurry, leave the question word where the answer would go, or name the
topic first and ask about it after a comma. The question analysis reads English question order ("Which company is
the Baichuan model made by?"), so these are put in that order first. Only a sentence ending in "?" that does not
already open with a question word, an auxiliary or a request is touched.
"""

from __future__ import annotations

import re

from rag.text import REQUEST_VERBS, whether_true

_WH = r"(?:what|which|who|whom|where|when)"
_LEAD = r"(?:(?:and|so|but|then|ok|okay|also)\s*,?\s+)?"
_OPENS = re.compile(
    rf"^\s*{_LEAD}(?:{_WH}|why|how|whose|is|are|was|were|do|does|did|can|could|will|would|has|have|had|should|"
    rf"{REQUEST_VERBS})\b",
    re.I,
)
# "X is what?", "X was who?"
_COPULA_LAST = re.compile(rf"^(?P<lead>{_LEAD})(?P<subj>.+?)\s+(?P<cop>is|are|was|were)\s+(?P<wh>{_WH})$", re.I)
# "X is made by which company (rest)?"
_BY_WHICH = re.compile(
    rf"^(?P<lead>{_LEAD})(?P<subj>.+?)\s+(?P<cop>is|are|was|were)\s+(?P<verb>[\w\-]+)\s+by\s+"
    r"(?P<wh>(?:which|what)\s+[\w\-]+)(?P<rest>\s+.*)?$",
    re.I,
)
# "qwen2-vl get what score (rest)?", "so chinese companies do what instead?", "it cite which news and institute?"
_VERB_WH = re.compile(
    rf"^(?P<lead>{_LEAD})(?P<subj>.+?)\s+(?P<verb>[a-z][\w\-]*)\s+"
    r"(?P<wh>(?:what|which)\s+(?:kinds?|types?|sorts?)\s+of\s+[a-z][\w\-]*|"
    r"what(?:\s+(?!(?:instead|exactly|now|then|there|here|again|also|too|really|actually|else)\b)"
    r"(?![a-z]+ly\b)[a-z][\w\-]*)?|which\s+[a-z][\w\-]*(?:\s+and\s+[a-z][\w\-]*)?|who|whom)(?P<rest>\s+.*)?$",
    re.I,
)
_RELATIVE = re.compile(r"\s+(?:is|are|was|were|has|have|had|can|could|will|would|do|does|did)\b", re.I)
_ASKS_ALREADY = re.compile(rf"\b(?:{_WH}|is|are|was|were)$|\b{_WH}\b", re.I)
_MODAL = re.compile(r"^(?P<subj>.+?)\s+(?P<modal>must|should|can|could|will|would|may|might|shall)$", re.I)
# Words after which a question word starts a clause of its own or is a preposition's object ("partner with which
# company?" is read as it is), not an object left in place
_NOT_A_VERB = frozenset(
    "of in on at by for with from about to into than as like against over under between through during after before "
    "is are was were be been being the a an and or but that this these those".split()
)
# "..., according to Manuel?", "..., per the article?": where the question is answered, not a topic asked about
_FRAME = re.compile(r"^\s*(?:according|per|in|on|at|from|by|for|with|as|if|when|since|so|and|or|but|please)\b", re.I)
# A claim with a tag asking whether it holds: "X, correct?", "X, right?", "X - is that true?"
_CLAIM_TAG = re.compile(
    r"[,;\-—]\s*(?:correct|right|true|yes|no|isn['’]?t that (?:so|right|true)|is that (?:right|correct|true|so)|"
    r"am i right|"
    # "..., isn't she?", "..., didn't they?", "..., won't it?"; after a negative claim "..., will they?"
    r"(?:(?:is|are|was|were|do|does|did|has|have|had|can|could|wo|would|should)n['’]?t|is|are|was|were|do|does|did|"
    r"has|have|had|can|could|will|would|should) (?:it|he|she|they|there|we|you|i))\s*$",
    re.I,
)
_POSSESSIVE = re.compile(r"\b(?:its|his|her|their)\s+((?:[\w\-]+\s*){1,4})$", re.I)
_ROLE = re.compile(
    r"^(?:the\s+)?(author|writer|reporter|journalist|editor|publisher|ceo|founder|creator|maker|developer|owner|"
    r"head|leader)(?:['’]?s)?(?:\s+name)?$",
    re.I,
)


_SOURCE = re.compile(r"^\s*(?:(?:and|so|also)\s+)?(?:according to|per|based on|as per|in|from)\b", re.I)


def fronted(text: str) -> str:
    """The text with each question asked in place put in question order; anything else as written."""
    return re.sub(r"(?:[^?.!]|[.!](?=\S))+\?", lambda m: _front(m.group(0)), text)  # "Qwen2.5" ends nothing


def _front(sentence: str) -> str:
    stripped = sentence.strip()
    body = stripped[:-1].strip()
    tag = _CLAIM_TAG.search(body)
    if tag and tag.start() > 0 and not _OPENS.match(body):
        # "Grace Isford is a partner at Sequoia Capital, correct?": is it true that she is?
        claim = body[: tag.start()].rstrip(" ,;-—")
        lead = sentence[: len(sentence) - len(sentence.lstrip())]
        return lead + whether_true(claim)
    if not body or _OPENS.match(body):
        return sentence
    lead = sentence[: len(sentence) - len(sentence.lstrip())]
    topic, _, comment = body.rpartition(", ")
    # ("According to the Archyworldys article, which ...?": where to look, not a topic)
    if (
        topic
        and not re.search(rf"\b(?:{_WH}|why|how)\b", topic, re.I)
        and not _FRAME.match(comment)
        and not _SOURCE.match(topic)
    ):
        asked = _in_order(comment)
        if re.match(rf"^{_WH}\b", asked, re.I):
            # "baidu new multimodal model, what is its name?": the name of the model
            owned = _POSSESSIVE.search(asked)
            if owned:
                return f"{lead}{asked[: owned.start()]}the {owned.group(1).strip()} of {topic}?"
            return f"{lead}{topic}, {asked}?" if asked != comment else sentence
        if len(comment.split()) <= 3 and not re.search(r"\b(?:is|are|was|were|do|does|did)\b", comment, re.I):
            # "china ai arms race article, author name?": who wrote it; "... , release date?": what it is
            role = _ROLE.match(comment)
            if role:
                return f"{lead}who is the {role.group(1)} of {topic}?"
            return f"{lead}what is the {comment} of {topic}?"
    asked = _in_order(body)
    return f"{lead}{asked}?" if asked != body else sentence


def _in_order(clause: str) -> str:
    """A clause with its question word moved to the front, or the clause as it was."""
    clause = clause.strip()
    m = _COPULA_LAST.match(clause)
    if m:
        return f"{m['lead']}{m['wh']} {m['cop']} {m['subj']}"
    m = _BY_WHICH.match(clause)
    if m:
        return f"{m['lead']}{m['wh']} {m['cop']} {m['subj']} {m['verb']} by{m['rest'] or ''}"
    m = _VERB_WH.match(clause)
    # "people who are visually impaired": a relative clause, not a question word left in place
    relative = bool(m and _RELATIVE.match(m["rest"] or ""))
    if m and not relative and m["verb"].lower() not in _NOT_A_VERB and not _ASKS_ALREADY.search(m["subj"]):
        subj, verb = m["subj"], m["verb"]
        modal = _MODAL.match(subj)
        if modal:  # "west countries must do which things?": "which things must west countries do?"
            aux, subj = modal["modal"], modal["subj"]
        elif verb.lower() in ("do", "does", "did"):
            aux, verb = verb, "do"
        elif re.search(r"(?<!s)s$", verb) and not subj.lower().endswith("s"):  # "it cites which ...": "does it cite"
            aux, verb = "does", verb[:-1]
        else:
            aux = "do" if subj.lower().endswith("s") else "does"
        return f"{m['lead']}{m['wh']} {aux} {subj} {verb}{m['rest'] or ''}"
    return clause
