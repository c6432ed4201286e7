"""A question asked inside a request: "Can you tell me whether ...", "A customer wants to know who Tiezhen Wang is.",
"customer asking which ...", "I'd like to know the exact date ...".

Someone relaying a question, or asking politely, puts it inside a frame ("X wants to know", "can you tell me") in
the word order of a statement. The question analysis reads the asked type from a question's opening words, so the
frame hides it: "Can you tell me whether ..." reads as a yes/no question about "you". Each sentence that opens with
such a frame is read as the question it holds: "whether X" is whether X is true, "who X is" is who X is, "the date
of X" is what that date is, "a list of X" lists X. Anything else is left as written.
"""

from __future__ import annotations

import re

from rag.text import CHECKED, sentence_spans, whether_true

_LEAD = r"(?:(?:hi|hello|hey|thanks|thank you|ok(?:ay)?|so|and|also|now|then|please)\b[\s,!.]*)*"
# Who wants to know: someone the user speaks for ("a customer", "my daughter", "our client")
_ASKER = (
    r"(?:(?:i(?:['’]ve| have)?\s+)?got\s+)?(?:(?:a|an|the|my|our|one|another|this|some)\s+)?(?:[\w\-]+\s+){0,2}?"
    r"(?:customers?|clients?|users?|callers?|readers?|students?|friends?|colleagues?|boss|manager|son|daughter|kids?|"
    r"child|children|grandson|granddaughter|grandkids?|teacher|listeners?|viewers?|buyers?|visitors?|members?|team)"
    r"(?:\s+(?:who|that)(?:\s+is)?\s+[\w\-]+)?(?:\s+(?:who|that))?(?:\s+(?:here|also|too|again))?,?\s+"
    r"(?:also\s+|now\s+|just\s+)?"
    # asking ("is asking", "wonders"), or wanting to know or a list ("wants to know", "needs a list of"), not wanting a
    # thing ("users need the model to be small" holds no question)
    r"(?:(?:is\s+asking|are\s+asking|asks?|asking|asked|has\s+asked|wonders|is\s+wondering|is\s+curious|"
    r"was\s+asking)(?:\s+(?:me|us|you))?|"
    r"(?:wants?|would\s+like|would\s+love|needs?|wanted)"
    r"(?:\s+(?:to\s+know|to\s+find\s+out|to\s+understand|to\s+learn|to\s+hear|to\s+see)|(?=\s+(?:a|the)\s+list\b)))"
)
# The user asking politely: "can you tell me", "could you let me know", "I'd like to know", "do you know"
_POLITE = (
    r"(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:tell|let)\s+(?:me|us)(?:\s+know)?|"
    r"(?:please\s+)?(?:tell|let)\s+(?:me|us)\s+know|(?:please\s+)?tell\s+(?:me|us)(?=\s+(?:whether|if)\b)|"
    r"do\s+you\s+know|i(?:['’]d|\s+would)\s+like\s+to\s+know|i\s+(?:want|need)\s+to\s+know|"
    r"i(?:['’]m|\s+am|\s+was)?\s+wonder(?:ing|ed)?)"
)
# ... or asking in the imperative, as an exam does: "State the date on which ...", "Identify the company that ...",
# "Name the firm ..." (naming several things is listing them: "Name the companies ..." stays a list)
_IMPERATIVE = (
    r"(?:please\s+)?(?:state|specify|identify|provide|(?:give|tell)(?:\s+(?:me|us))?|"
    r"name(?=\s+(?:the|its|their|his|her)\s+(?:(?!(?:that|which|who|whose)\b)[\w\-]*[^s\W]\s+){0,2}?[\w\-]*[^s\W]"
    r"(?:\s+(?:that|which|who|whose|of|in|on|behind|at|from|for|with)\b|\s*[?.!]*\s*$)))"
    r"(?=\s+(?:the|its|their|his|her|a\s+list)\b)|"
    r"(?:please\s+)?(?:state|specify|identify)(?=\s+(?:whether|if|why|how|when|where|who|what|which)\b)"
)
# "the company that released Qwen2-VL": which company did
_THE_ONE_THAT = re.compile(
    r"^the\s+(?P<np>(?:(?!(?:that|which|who)\b)[\w\-’']*[^s\W]\s+){0,3}?(?!(?:on|in|at|of|for|by|from|to|with|under|"
    r"during)\b)[\w\-’']*[^s\W])\s+(?:that|which|who)\s+"
    r"(?P<rest>(?!(?:is|are|was|were|has|have|had|does|do|did)\b)\S.*)$",
    re.I | re.S,
)
_FRAME = re.compile(
    rf"^(?P<lead>\s*{_LEAD})(?:{_ASKER}|{_POLITE}|{_IMPERATIVE})\s*[,:]?\s+(?P<held>\S.*)$", re.I | re.S
)
# The frame alone asks nothing: "Can you tell me?" after the question
_FRAME_ONLY = re.compile(rf"^\s*{_LEAD}(?:{_POLITE})\s*[?.!]*\s*$", re.I)
_WHETHER = re.compile(r"^(?:whether|if)\s+(?:or\s+not\s+)?(?P<claim>.+?)(?:,?\s+or\s+not)?$", re.I | re.S)
_ASKS = re.compile(r"^(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)\b", re.I)
_WH = re.compile(r"^(?:what|who|whom|whose|which|when|where|why|how)\b", re.I)
# "who Tiezhen Wang is", "what Baidu's new model is called": the verb last, as a statement has it
_COPULA_LAST = re.compile(
    r"^(?P<wh>who|where|when|(?:what|which)(?:\s+(?-i:[a-z])[\w\-]*)?)\s+(?P<subj>[^,;]+?)\s+(?P<cop>is|are|was|were)"
    r"(?P<tail>(?:\s+(?:called|named|about|for|like|from|based))?)$",
    re.I,
)
# A claim put up to be checked: "Confirm or deny: X", "True or false - X", "Fact check: X", "Verify that X"
_VERDICT = re.compile(
    rf"^(?P<lead>\s*{_LEAD})(?:(?:confirm\s+or\s+deny|true\s+or\s+false|fact[\s\-]?check|verify|check|claim(?:\s+to\s+(?:check|verify))?)(?:\s+(?:this|that|please))?"
    r"\s*[:\-—–]|(?:(?:please\s+)?(?:confirm|verify|check)(?:\s+or\s+deny)?\s+that))\s*(?P<claim>\S.*)$",
    re.I | re.S,
)
# ... or followed by a sentence that only asks whether it is so: "X. True?", "X. Is that right?"
_ONLY_CHECK = re.compile(
    r"^\s*(?:(?:and|so|but),?\s+)?(?:(?:is|was)\s+(?:that|this|it)\s+(?:right|true|correct|so|accurate)|"
    r"am\s+i\s+right|right|true|correct|yes\s+or\s+no|true\s+or\s+false)\s*\?+\s*$",
    re.I,
)
_LIST = re.compile(r"^(?:a|the)\s+(?:full\s+|complete\s+|short\s+)?list\s+of\s+(?P<what>.+)$", re.I | re.S)
_ABOUT = re.compile(r"^about\s+(?P<what>.+)$", re.I | re.S)
_THING = re.compile(r"^(?:the|their|its|his|her)\s+\S", re.I)


def direct(message: str) -> str:
    """The message with each question asked inside a request asked directly; a message without one as it was."""
    spans = sentence_spans(message)
    if not spans:
        return message
    out: list[str] = []
    changed = False
    for a, b in spans:
        sentence = message[a:b]
        if out and _ONLY_CHECK.match(sentence):
            # (after a claim already put as a question, "Is that right?" asks nothing more)
            if not out[-1].startswith(CHECKED) and not out[-1].rstrip().endswith("?"):
                out[-1] = _checked(out[-1])
            if out[-1].startswith(CHECKED):
                changed = True
                continue
        asked = _held(sentence)
        if asked is None and len(spans) > 1 and _FRAME_ONLY.match(sentence):
            asked = ""  # "Customer is asking what X is. Can you tell me?"
        if asked is not None:
            changed = True
            sentence = asked
        if sentence:
            out.append(sentence)
    return " ".join(out) if changed else message


def _checked(statement: str) -> str:
    """A statement put up to be checked, asked: "Is it true that X?"."""
    return whether_true(_ends(statement)[0])


def _held(sentence: str) -> str | None:
    """The question a sentence holds inside a request, or None when it holds none."""
    if v := _VERDICT.match(sentence.strip()):
        # ("Check: who made it?" holds its own question)
        claim = v["claim"]
        return claim[0].upper() + claim[1:] if _WH.match(claim) or _ASKS.match(claim) else _checked(claim)
    m = _FRAME.match(sentence.strip())
    if not m:
        return None
    held, end = _ends(m["held"])
    if w := _WHETHER.match(held):
        return f"Is it true that {w['claim']}?"
    if _WH.match(held):
        if c := _COPULA_LAST.match(held):
            held = f"{c['wh']} {c['cop']} {c['subj']}{c['tail']}"
        return f"{held[0].upper()}{held[1:]}?"
    if li := _LIST.match(held):
        return f"List {li['what']}{end}"
    if ab := _ABOUT.match(held):
        return f"Tell me about {ab['what']}."
    if re.fullmatch(r"the\s+(?:list|answer|details?)", held, re.I):
        return None  # "Give me the list": how to answer
    if t := _THE_ONE_THAT.match(held):
        return f"Which {t['np']} {t['rest']}?"
    if _THING.match(held):
        head = re.split(r"\s+(?:of|on|in|for|from|to|with|by|at|which|that|who|whose)\s", held, maxsplit=1)[0]
        be = "are" if re.search(r"[^s]s$", head) else "is"
        return f"What {be} {held}?"
    return None


def _ends(text: str) -> tuple[str, str]:
    """(the text without its closing punctuation, that punctuation or '?')."""
    m = re.search(r"\s*([?.!]+)\s*$", text)
    if not m:
        return text.strip(), "?"
    return text[: m.start()].strip(), m.group(1)[0]
