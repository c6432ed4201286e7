"""A message that tells before it asks: "I heard the name Tiezhen Wang on a podcast ... Who is this person?"

People write to a chatbot as to a person: what they heard, what they think, an apology for not being technical, and
only then the question. Read as one question, the story's words outweigh the asked ones and its names ("I'm", "the
radio") are looked for in the articles. Read as a conversation, the story is an earlier turn and the question a
follow-up to it: "this person", "he", "that table" point into the story, as they would after an earlier question.
"""

from __future__ import annotations

import re

from rag.articles_named import article_references
from rag.question import is_follow_up, names
from rag.text import sentence_spans

# A request needs no question mark: "Tell me who wrote it.", "Please summarize the Omni piece."
_REQUEST = re.compile(
    r"^\s*(?:(?:and|so|now|then|ok(?:ay)?|please|kindly|also),?\s+)*"
    r"(?:can|could|would|will) you\b|"
    r"^\s*(?:(?:and|so|now|then|ok(?:ay)?|please|kindly|also),?\s+)*"
    r"(?:tell|give|list|name|summari[sz]e|sum up|explain|describe|compare|contrast|outline|show|find|define|"
    r"walk me|help me|remind me|let me know|i(?:'d| would) like to know|i want to know|i wonder(?:ed)?|"
    r"i'?m wondering|i was wondering)\b",
    re.I,
)
# "Is that right?", "Am I right?", "True?": a check of the story itself, which is the question then.
_CHECK = re.compile(
    r"^\s*(?:(?:and|so|but),?\s+)?(?:is|was) (?:that|this|it|all that) (?:right|true|correct|so|accurate)|"
    r"^\s*(?:am i|was i) (?:right|correct|wrong)|^\s*(?:right|true|really|correct)\s*\?|"
    # "Is that what the article actually says?", "Is this what they report?"
    r"^\s*(?:(?:and|so|but),?\s+)?(?:is|was) (?:that|this|it) what (?:the \w+|it|they|he|she)\b",
    re.I,
)


# A tag that asks nothing of its own: "..., do you know?", "... , if you can?", "Any idea?"
_EMPTY_TAG = re.compile(
    r"[,;]?\s*\b(?:do you know|if you know|if you can|if you could|if you don'?t mind|please|by any chance|"
    r"any idea|I wonder|I'?m wondering)\s*([?.!]*)\s*$",
    re.I,
)
# How a story says where it was heard: "The radio said ...", "My grandson says ...", "I heard that ...". The source is
# the user's, not the articles': "said Alibaba Cloud" would read as an article's author.
_HEARSAY = re.compile(
    r"^\s*(?:(?:well|so|oh|now|apparently|anyway|also),?\s+)*"
    r"(?:(?:i|we)(?: \w+ly)? (?:heard|read|saw|was told|were told|noticed|gather|understand)"
    r"(?: somewhere| on the \w+| in the \w+| from (?:my |our |a |an |the )?\w+)?|"
    r"(?:the|my|our|a|an|some|someone|somebody|everyone|everybody|people)(?: (?!who\b|which\b|that\b)[\w\-’']+){0,4}"
    r" (?:said|says|say|told me|tells me|mentioned|reckons|claims|claimed))(?: that)?,?\s+(?=\S)",
    re.I,
)


# "(a) According to ..., how much ...? (b) ...", "1. Who ...? 2. When ...?": the markers of numbered sub-questions,
# where a sentence starts
_ENUMERATOR = re.compile(r"(?:^|(?<=[.?!:;]))\s*(?:\(?(?:[a-hA-H]|i{1,3}|iv|v|vi{1,3}|\d{1,2})\)|\d{1,2}\.(?=\s))\s+")


def unnumbered(message: str) -> str:
    """The message without the markers of its numbered sub-questions, each asked as a sentence of its own."""
    found = _ENUMERATOR.findall(message)
    if len(found) < 2 and not _ENUMERATOR.match(message):
        return message  # one "a)" after a sentence is no numbering
    return _ENUMERATOR.sub(lambda m: " " if m.start() else "", message).strip()


def split_message(message: str, *, earlier: bool = False) -> tuple[str, str]:
    """(what the message tells, what it asks). What the user tells of themselves ("I heard the name Tiezhen Wang on
    a podcast", "The radio said ...") is told, when it names something; what it says of the world ("The 49ers will
    play the Chiefs in Super Bowl LVIII.") is part of the question, as is a sentence naming the article asked about.
    What follows the question ("I like a proper number.") is left out, and so is, later in a conversation, a
    personal aside that names nothing (opening one, it is told: "These tools sound harmless to me. How could they be
    dangerous?"). The telling is "" when the
    message only asks, when it asks nothing, when what it asks is whether the telling is true, or when the telling
    goes on from earlier turns (earlier: there are some)."""
    sentences = [message[a:b] for a, b in sentence_spans(message)]
    asks = [s.rstrip().endswith("?") or bool(_REQUEST.search(s)) for s in sentences]
    if not any(asks) or any(_CHECK.search(s) for s, a in zip(sentences, asks, strict=True) if a):
        return "", message
    last = max(i for i, a in enumerate(asks) if a)
    told: list[str] = []
    asked: list[str] = []
    for i, (s, a) in enumerate(zip(sentences, asks, strict=True)):
        if a:
            if (t := _untagged(s)) and not (len(sentences) > 1 and _on_wording(t)) and not (asked and _on_form(t)):
                asked.append(without_asides(without_glosses(t)))
        elif article_references(_HEARSAY.sub("", s)) or (i < last and not _personal(s)):
            # "Both the Qwen2-VL piece and the Archyworldys piece call it a wake-up call.": where to look
            asked.append(s)
        elif i < last and (not earlier or [n for n in names(s) if not _I.fullmatch(n)]):
            told.append(_HEARSAY.sub("", s))
    if not asked:
        return "", message
    if told and earlier and is_follow_up(" ".join(told)):
        # "I heard it's also available in China now. How did that come about?": a story that itself goes on from
        # the conversation is part of the question
        return "", " ".join([*told, *asked])
    return " ".join(told), " ".join(asked)


# The user speaking of themselves: "I", "my grandson", "our book club", "Sorry, ..." ("US" is a country)
_I = re.compile(r"I(?:['’](?:m|ve|d|ll))?")
_PERSONAL = re.compile(
    r"\b(?:I|I['’](?:m|ve|d|ll)|(?-i:me|my|mine|myself|we|our|us|ourselves))\b|^\s*(?:[Ss]orry|[Ww]ell|[Oo]h)\b"
)


def _personal(sentence: str) -> bool:
    return bool(_PERSONAL.search(sentence) or _HEARSAY.match(sentence))


# A clause of the asking sentence in which the user speaks of themselves: "..., like my late husband with his old
# radios, or ...?", "My grandson keeps going on about a 'Deep Seek moment' — what is that?"
_CLAUSES = re.compile(r"(\s*[,;()]\s*|\s+[—–-]\s+|[—–])")
_SELF = re.compile(r"\b(?:I|I['’](?:m|ve|d|ll)|[Mm]y|me|mine|myself|[Ww]e|[Oo]ur|us|ourselves)\b")
_ASKING = re.compile(
    r"\b(?:what|who|whom|whose|when|where|which|how|why|is|are|was|were|does|do|did|can|could|will|would|should|"
    r"tell|give|list|name|summari[sz]e|explain|describe|compare|wonder|know)\b",
    re.I,
)
_QUOTED = re.compile(r"(?<!\w)['‘“\"]([^'‘’“”\"]{2,60})['’”\"](?!\w)")


def without_asides(sentence: str) -> str:
    """The asking sentence without the clauses in which the user speaks of themselves and asks nothing, each left
    as what it names or quotes: "Are these models something anybody can tinker with, like my late husband with his
    old radios, or do you have to pay?" asks whether anybody can tinker with them or has to pay."""
    pieces = _CLAUSES.split(sentence)
    if len(pieces) < 3:
        return sentence
    out: list[str] = []
    for i, piece in enumerate(pieces):
        if i > 0 and i % 2 == 0 and _SELF.search(piece) and not _ASKING.search(piece):
            # ... what it tells was said ("..., my grandson mentioned Llama 2, ..."), or what it quotes; one that opens
            # the sentence is what the question goes on from ("we're scoping an assistant for blind users - would
            # the models fit that use case?")
            kept = [_HEARSAY.sub("", piece)] if _HEARSAY.match(piece) else [m.group(1) for m in _QUOTED.finditer(piece)]
            if not kept:
                if out:
                    out.pop()  # the delimiter before it
                continue
            piece = " ".join(kept)
        out.append(piece)
    kept_text = "".join(out).strip(" ,;—–-")
    end = re.search(r"[?.!]+\s*$", sentence)
    if end and not re.search(r"[?.!]\s*$", kept_text):
        kept_text += end.group(0).strip()
    return kept_text if re.search(r"\w", kept_text) else sentence


def _untagged(sentence: str) -> str:
    """The sentence without a tag that asks nothing ("Where is it, do you know?": "Where is it?"); "" when the
    sentence is only such a tag."""
    m = _EMPTY_TAG.search(sentence)
    if m is None:
        return sentence
    kept = sentence[: m.start()].rstrip(" ,;")
    return f"{kept}{m.group(1) or '?'}" if re.search(r"\w", kept) else ""


# What the user explains of their own words asks nothing: "the leaderboard (kind of like a scoreboard for AI
# programs)", "the 'implications' (that just means the effects)", "Meta (the Facebook company)". A gloss opens its
# parentheses or follows the word it explains after a comma: "(benchmarks, which are like exams for AI)" keeps
# "benchmarks", the word it glosses.
_GLOSS = re.compile(
    r"(?:,\s*|(?<=\())(?:(?:that|which|this|it)\s+(?:just\s+|basically\s+|kind\s+of\s+)?means?|meaning|i\.e\.|"
    r"(?:kind|sort)\s+of\s+like|like|so|basically|which\s+(?:is|are|was|were)\s+(?:like|basically|kind\s+of|sort\s+of)|"
    r"as\s+in)\b[^()]*(?=\))",
    re.I,
)
# ... and what names the name before it again: "Meta (the Facebook company)"
_APPOSITION = re.compile(r"(\b[A-Z][\w\-]+)\s*\((?:the|a|an)\s[^()]*\)")


def without_glosses(sentence: str) -> str:
    """The sentence without what the user explains of their own words, in parentheses."""
    out = _APPOSITION.sub(r"\1", _GLOSS.sub("", sentence))
    out = re.sub(r"\s*\(\s*\)", "", out)
    return out if re.search(r"\w", out) else sentence


# A request about how to answer, not what: "Explain it simple enough for a 6th grader please", "Keep it short."
_WORDING = frozenset(
    "explain explained put say keep make tell describe write answer give it this that them me us please thanks in "
    "simple simply simpler plain plainly easy easier enough short shorter brief briefly quick quickly words terms "
    "language english kid kids child children grader graders year old years beginner beginners layman laymen "
    "non-technical nontechnical understand understands could can would you for a an the my so like i'm im five 5 "
    "6th 5th 7th 8th sixth fifth seventh eighth 10 12 ten twelve".split()
)


def _on_wording(sentence: str) -> bool:
    words = re.findall(r"[\w'’\-]+", sentence.lower())
    return bool(words) and bool(_REQUEST.search(sentence)) and all(w in _WORDING for w in words)


# After a question, one that only asks for its answer in a form ("How many GPUs did they stockpile? Is there a
# number?", "When did they sign? Give me the month.", "I want the exact figure.") asks nothing more
_FORM_NOUNS = frozenset(
    "number numbers figure figures amount amounts sum count total month year date dates day name names "
    "percentage percent".split()
)
_FORM = _FORM_NOUNS | frozenset(
    "what what's whats which is are was were there any a an the one do does did they it its it's given stated "
    "mentioned listed reported exact exactly precise precisely specific specifically actual just only rough "
    "roughly ballpark approximate approximately estimate i i'm want need would like give me us please would do "
    "will fine ok okay enough even at all".split()
)


def _on_form(sentence: str) -> bool:
    words = re.findall(r"[\w'’\-]+", sentence.lower().replace("’", "'"))
    return bool(words) and all(w in _FORM for w in words) and any(w in _FORM_NOUNS for w in words)
