"""The parts of one question: the coordinated questions inside it, in the order asked, without what asks nothing
(a remark after it, a guess at the answer) and with what a question about the article's wording really asks."""

from __future__ import annotations

import re

from rag.kinds import AUX, AUX_WORDS, QWORD, kind_of
from rag.names import is_demonym
from rag.text import REQUEST_VERBS

# "What is X and who made it?" -> two parts; "X, and how ..." too. Not inside a summary request.
_PART_SPLIT = re.compile(
    rf"(?:,\s*(?:and|but|also|or)?|;|\band\b|\bplus\b|\balso\b)\s+"
    rf"(?=(?:(?:on|in|at|from|to|with|by|for|over|during|within|since|until)\s+)?{QWORD}\b)",
    re.I,
)
# (not every request verb: "compare A and B, what can each one handle?" is one question)
HAS_QWORD = re.compile(rf"\b{QWORD}\b|\b(list|name|summari[sz]e|describe|explain|tell)\b", re.I)


# The pair is what the question asks about, right after its question word and verb: "Where do A and B work?"
_ASKED_OF = re.compile(rf"^\s*(?:and\s+)?{QWORD}(?:\s+[\w\-]+){{0,2}}?\s+(?:{AUX_WORDS})\s+(?:the\s+)?$", re.I)
_NAME_WORD = r"[A-Z](?:[\w\-’']|\.(?=\w))+"  # "Qwen2.5-Omni": a dot inside a name ends nothing
_PAIR = re.compile(rf"\b({_NAME_WORD}(?: {_NAME_WORD})*) and ({_NAME_WORD}(?: {_NAME_WORD})*)")


def _distribute(part: str) -> list[str]:
    """ "Where do Grace Isford and Xin Sun work?" asks the same of each: one part per name."""
    m = _PAIR.search(part)
    if not m or kind_of(part) in ("compare", "summary", "list", "yes_no") or m.start() == 0:
        return [part]
    # (after the topic it names first: "visually impaired use case - how do A and B each address it?")
    clause = re.split(r"\s[-–—]\s|[,;:]\s", part[: m.start()])[-1]
    if not _ASKED_OF.match(clause):  # "making Qwen-VL and Qwen-VL-Chat open source": done to both at once
        return [part]
    if any(is_demonym(w) for w in (m.group(1), m.group(2))):
        return [part]
    if _TOGETHER.search(part[m.end() :]):
        return [part]  # "When did Apple and Alibaba sign their agreement?": one thing the two did together
    return [part[: m.start()] + name + part[m.end() :] for name in (m.group(1), m.group(2))]


_TOGETHER = re.compile(
    r"\b(?:their|together|jointly|each other|one another|both)\b|"
    r"\b(?:agree|partner|team|collaborat|sign|merg|meet|met)\w*\s+(?:with|on|up)\b",
    re.I,
)


# A piece that asks: opens with a question word or a request ("list them", "tell me more")
ASKS = re.compile(rf"^\W*(?:(?:and|so|also|ok|okay|then|but|now)\W+)?(?:{QWORD}|{REQUEST_VERBS})\b", re.I)
_PLUS = re.compile(r"\s+\+\s+|\s*;\s+")
# "Alibaba's AI spend pledge — amount, timeframe, where it goes": a topic, a dash, then short asks of it
_TOPIC_DASH = re.compile(r"^(?P<topic>[^?—–]{3,80}?)\s+[—–-]{1,2}\s+(?P<asks>[^—–]+)$")
_SHORT_ASK = 4  # words


def _asks_of_topic(piece: str) -> list[str]:
    """A topic followed by a list of short asks, one part each with the topic ("X — amount", "X — timeframe");
    anything else as it was."""
    m = _TOPIC_DASH.match(piece)
    if not m or HAS_QWORD.search(m["topic"]):
        return [piece]
    asks = [a.strip(" ,?") for a in re.split(r",\s+(?:and\s+|or\s+)?|\s+and\s+(?=\w+\s*\??$)", m["asks"])]
    if len(asks) < 2 or not all(a and len(a.split()) <= _SHORT_ASK for a in asks):
        return [piece]
    return [f"{m['topic']} - {a}" for a in asks]


_OPENS_WITH_AUX = re.compile(rf"^\s*(?:{AUX_WORDS})\b", re.I)


_GIVING = r"give|gives|state|states|disclose|discloses|provide|provides|specify|specifies|reveal|reveals|report"
_NAMING = r"name|names|identify|identifies"
# "Does the article say how ...?", "Did the piece name the model or give its date?": asked whether the article says
# something, what is asked is that thing (and the article not saying it is the answer "no")
_REPORTED = re.compile(
    r"^\s*(?:(?:and|so|but|also)\s+)?(?:does|do|did)\s+(?:it|they|he|she|"
    r"(?:the|this|that|any\s+of\s+the)\s+(?:[\w\-.’']+\s+){0,3}?"  # "the Qwen2-VL article", "the author of the ..."
    r"(?:articles?|pieces?|stor(?:y|ies)|author|writer|reporter|report|op-?ed|column|text)"
    r"(?:\s+of\s+(?:the\s+)?(?:[\w\-.’']+\s+){0,3}?(?:article|piece|story|op-?ed|column))?)\s+"
    r"(?:\w+ly\s+|ever\s+|even\s+)?"
    rf"(?P<verb>says?|tell\s+(?:us|me|readers)|explain|describe|mention|{_GIVING}|{_NAMING})\s+"
    r"(?:(?:by\s+name|exactly|anywhere|explicitly|specifically)\s+)?(?P<asked>.+?)\s*(?P<end>[?.!]*)\s*$",
    re.I,
)
_TELLING = r"say|tell|explain|describe|mention"
_OR_VERB = re.compile(rf",?\s+(?:or|and)\s+(?=(?:{_GIVING}|{_NAMING})\s)", re.I)
_INDIRECT = re.compile(r"^(?:how|what|which|who|whom|whose|when|where|why)\b", re.I)
# ... not "Does the article name any risks?" or "Did it say that ...?": whether it does, which the quote shows
_DETERMINED = re.compile(r"^(?:the|that|this|those|these|its|their|his|her|a|an)\s", re.I)


def _embedded(piece: str) -> list[str]:
    """The questions a question about what the article says asks: "Does the article say how X helps?" asks how it
    helps, "Does it give the date of the release?" what that date is, "Did it name the model?" what it is called."""
    m = _REPORTED.match(piece)
    if not m:
        return [piece]
    verb, end = m.group("verb").lower(), m.group("end") or "?"
    asked = _OR_VERB.split(m.group("asked"))
    out: list[str] = []
    for i, clause in enumerate(asked):
        if i:
            verb, _, clause = clause.partition(" ")
        clause = re.sub(r"^(?:by\s+name\s+)", "", clause.strip(), flags=re.I)
        if _INDIRECT.match(clause):
            out.append(f"{clause[0].upper()}{clause[1:]}{end}")
        elif (not out and not _DETERMINED.match(clause)) or re.match(_TELLING, verb, re.I):
            return [piece]
        else:
            head = re.split(r"\s+(?:of|on|in|for|from|to|with|by|at|which|that|who|whose)\s", clause, maxsplit=1)[0]
            be = "are" if re.search(r"[^s]s$", head) else "is"
            called = " called" if re.fullmatch(_NAMING, verb, re.I) else ""
            out.append(f"What {be} {clause}{called}{end}")
    return out


_GUESS = re.compile(
    r"^\W*(?:(?:about|around|maybe|perhaps|probably|like|over|more than|under|at least|roughly|in|by|since)\s+)?"
    r"(?:[$€£]?\d[\d,.]*(?:\s*[\w%]+){0,2}|(?:a\s+)?(?:few\s+)?(?:hundreds?|thousands?|millions?|billions?|dozens?|tens)"
    r"(?:\s+of\s+\w+)?|(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|a hundred)\s+\w+)"
    r"(?:\s+or\s+(?:so|more|less|fewer))?\s*[?.!]*\s*$",
    re.I,
)


_THEM = re.compile(
    r"^\s*(?:and\s+)?(?:which|what)(?:\s+(?:ones|are they|were they|are those|were those|are these|were these))?"
    r"\s*[?.!]*\s*$|^\s*(?:and\s+)?(?:please\s+)?(?:list|name)\s+(?:them|those|these|each)\b",
    re.I,
)


def split_parts(question: str) -> list[str]:
    """The coordinated questions inside one question, in the order asked."""
    pieces = [p.strip() for p in re.split(r"(?<=\?)\s+", question.strip()) if p.strip()]
    if len(pieces) > 1 and any(p.endswith("?") for p in pieces):
        # "What did Qwen2-VL beat? my teacher said it was a big deal": a remark after the question asks nothing
        pieces = [p for p in pieces if p.endswith("?") or ASKS.match(p)] or pieces
    # "How many chips did they stockpile? Thousands?": a guess at the answer asks nothing of its own
    pieces = [p for i, p in enumerate(pieces) if not (i and _GUESS.match(p))]
    pieces = [e for p in pieces for e in _embedded(p)]
    out: list[str] = []
    for piece in pieces:
        if kind_of(piece) == "summary":
            out.append(piece)
            continue
        subs = [s.strip(" ,;") for s in _PART_SPLIT.split(piece) if s and s.strip(" ,;")]
        merged: list[str] = []
        for s in subs:
            # "Apart from Alibaba, which ..." is one question: a piece with no question word of its own joins.
            # ... nor does "has the government put in?" after "How much money, in concrete figures,": an aside
            # between commas parts the question word from its verb
            joins = bool(merged) and not AUX.search(merged[-1]) and bool(_OPENS_WITH_AUX.match(s))
            # (what the piece ends with: "Llama 2 is mentioned in two articles. According to the first" asks nothing)
            ends = re.split(r"(?<=[.!])\s+", merged[-1])[-1] if merged else ""
            if merged and (len(s.split()) < 3 or not HAS_QWORD.search(ends) or joins):
                merged[-1] = f"{merged[-1]}, {s}"
            else:
                merged.append(s)
        # "Alibaba Cloud spin-off - date + valuation $?": a query without a question word lists what it asks
        # (each asks as the whole did: "date?", "valuation $?")
        # ... and so do a semicolon ("who wrote the arms race article; headline?") and a list of short asks after
        # the topic and a dash ("AI spend pledge — amount, timeframe, where it goes": each of the topic)
        merged = [
            f"{t.strip().rstrip('?')}?" if m.rstrip().endswith("?") else t.strip()
            for m in merged
            for u in _PLUS.split(m)  # ("X - name + what inputs it handles": two asks, whatever they open with)
            for t in _asks_of_topic(u)
        ]
        out.extend(p for m in merged if m for p in _distribute(m))
    # "How many focus areas does it recommend, and what are they?": the list answers the count
    for i in range(len(out) - 1, 0, -1):
        if _THEM.match(out[i]) and kind_of(out[i - 1]) == "how_many":
            out[i - 1 : i + 1] = [f"{out[i - 1].rstrip(' ?,')}, which are they?"]
    return out or [question.strip()]
