"""A question typed in haste, read as written out: "whats", "acc to", "r", "ppl", "how come", "the us".

Chat users drop apostrophes and vowels; the question analysis reads written English. This spells out the common
shorthand of chat, word by word, before anything reads the question. Only lower-case words are touched (what a
user typed in capitals is theirs), and only whole words.
"""

from __future__ import annotations

import re

# Contractions typed without their apostrophe. "wont", "its", "were" (we're), "well", "id", "ill", "shell" are words
# too, so they stay as typed.
_CONTRACTIONS = {
    w.replace("'", ""): w
    for w in (
        "what's who's where's when's how's why's that's there's here's it'll "
        "isn't aren't wasn't weren't doesn't don't didn't hasn't haven't hadn't can't couldn't shouldn't wouldn't "
        "i'm i've they're they've you're"
    ).split()
}
# Shorthand of chat, each for one word or phrase ("" drops a courtesy that asks nothing).
_SHORTHAND = {
    "r": "are",
    "u": "you",
    "ur": "your",
    "ppl": "people",
    "peeps": "people",
    "shld": "should",
    "shud": "should",
    "wud": "would",
    "cud": "could",
    "abt": "about",
    "bc": "because",
    "b/c": "because",
    "cuz": "because",
    "coz": "because",
    "w": "with",
    "w/": "with",
    "w/o": "without",
    "btwn": "between",
    "b/w": "between",
    "govt": "government",
    "gov't": "government",
    "tho": "though",
    "thru": "through",
    "yr": "year",
    "yrs": "years",
    "approx": "approximately",
    "params": "parameters",
    "devs": "developers",
    "diff": "difference",
    "smth": "something",
    "wat": "what",
    "wut": "what",
    "wats": "what's",
    "wuts": "what's",
    "wen": "when",
    "bout": "about",
    "ya": "you",
    "pls": "",
    "plz": "",
    "thx": "",
    "ty": "",
}
# Phrases: "acc to the piece" is "according to", "how come" asks why, "the us" is the country ("us" alone may be
# the pronoun, so only after "the" or before a hyphenated pair).
_PHRASES = (
    (re.compile(r"\bacc(?:\.|ording)?\s+(?:to|2)\b"), "according to"),
    (re.compile(r"\bhow come\b"), "why"),
    # "how on earth could they ...", "what in the world is ...": the question word alone
    (re.compile(r"\b(how|what|why|who|where|when)\s+(?:on earth|in the world|the heck|the hell)\b", re.I), r"\1"),
    # "Hey, so Alibaba put out ...": a greeting opens the message, the question follows
    (
        re.compile(
            r"^\s*(?:hey|hi|hello|heya|hiya)(?:\s+(?:there|dear|all|everyone|folks|friend|again))?\s*[,!.]*\s+"
            r"(?:(?:so|ok(?:ay)?|well)\b\s*,?\s*)?(?=\S)",
            re.I,
        ),
        "",
    ),
    # "um whats the name ...", "okay and over how many years": sounds of hesitating and a spoken "okay" ask nothing
    (re.compile(r"(?<![\w’'])(?:[Uu]+[mh]+|[Ee]rm+|[Hh]mm+)(?![\w’'])[,.]*\s*"), ""),
    (re.compile(r"^\s*(?:(?:ok(?:ay)?|alright|all right|oh|well(?=,))\b[\s,.!]+)+(?=\S)", re.I), ""),
    # "give me the quick version of the restructuring thing": how to answer, not what ("the restructuring thing")
    (
        re.compile(
            r"\b(?:the\s+|a\s+)?(?:quick|short|brief|simple|simplified|condensed|abridged|one[- ]line|tl;?dr)\s+"
            r"version\s+of\s+(?=\S)",
            re.I,
        ),
        "",
    ),
    # "which outlets/institutions does it cite?": both
    (re.compile(r"(?<![\w/.:])(?!and/or\b)([A-Za-z]{3,})/([A-Za-z]{3,})(?![\w/])"), r"\1 and \2"),
    (re.compile(r"\b(the|vs\.?|versus|and) us\b(?![’'])"), r"\1 US"),
    (re.compile(r"\bus(?=\s*(?:-|vs\.?\b|versus\b))"), "US"),
    (re.compile(r"\bu\.s\.(?=\s|$)"), "U.S."),
)
_WORD = re.compile(r"(?<![\w’'/])[a-z][a-z'/’]*(?![\w’'/])")


def written_out(text: str) -> str:
    """The question with chat shorthand spelled out ("whats qwen2 vl acc to the piece" -> "what's qwen2 vl
    according to the piece"); text without shorthand comes back unchanged."""
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)

    def spell(m: re.Match[str]) -> str:
        word = m.group(0)
        key = word.replace("’", "'")
        if key in _SHORTHAND:
            return _SHORTHAND[key]
        return _CONTRACTIONS.get(key, word)

    out = _WORD.sub(spell, text)
    return re.sub(r"[ \t]{2,}", " ", out).strip() if out != text else text
