"""The asked type of a question part (who, when, how much, list, yes/no, summary ...) read from its interrogative frame,
and the question words every reading of a question shares."""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal[
    "who",
    "when",
    "where",
    "how_much",
    "how_many",
    "duration",
    "list",
    "which",
    "compare",
    "yes_no",
    "summary",
    "why",
    "how",
    "definition",
    "what",
]
# Kinds whose answer has no shape of its own: any sentence may hold it.
OPEN_KINDS: frozenset[str] = frozenset({"why", "how", "what", "definition"})
# Kinds whose answer has a shape a sentence either holds or not (a name, a date, a figure ...).
TYPED: frozenset[str] = frozenset(
    {"who", "which", "list", "when", "where", "how_much", "how_many", "duration", "compare"}
)

AUX_WORDS = r"is|are|was|were|does|do|did|can|could|will|would|has|have|had|should"

_KINDS: list[tuple[Kind, re.Pattern[str]]] = [
    (
        "summary",
        re.compile(
            r"\b(summari[sz]e|summary|sum up|recap|main (points?|ideas?|takeaways?|arguments?|message|thesis)|"
            r"key (points?|takeaways?|ideas?|messages?|arguments?)|takeaways|highlights|overview|gist|tl;?dr|"
            r"in a nutshell|bottom line|big picture|upshot|(?:the|its|their) (?:main |big )?hook\b|"
            r"in a (few|couple of) sentences|overall (stance|argument|takeaway|message|view|tone)|takeaway|"
            # "what do the articles say about X", "how do the articles portray X": what they say, article by article
            r"what do (the|these|those|all the|all|all of the) (\w+ )?(articles|pieces|stories) (say|report|argue|"
            r"conclude) (overall|about|on|regarding)|"
            r"how do (the|these|those) (\w+ )?(articles|pieces|stories) (portray|describe|characteri[sz]e|frame|cover|"
            r"see)|taken together|"
            r"what (is|are|was|were) (the|these|those) (article|articles|piece|pieces|story|stories) "
            r"(about|saying))\b|"
            r"\bwhat(?: is| was|'s|’s) (the|this|that) ([\w\-.’'“”\"]+ ){0,6}"
            r"(article|piece|op-?ed|story|report|post|column|essay|commentary|editorial) (mainly |mostly |really )?"
            r"about\b|"
            r"\bwhat does (the|this|that) [^?]*\b(article|piece|op-?ed|story|report|post|column|essay|commentary)\b"
            r"[^?]* "
            r"(argue|claim|contend|conclude)\b"
        ),
    ),
    (
        "list",
        re.compile(
            r"^\s*(list|name(?!\s+of\b)|enumerate)\b|\b(which|what) (\w+ ){0,5}(are|were|get|gets|got|is|was) "
            r"(mentioned|named(?! (?:the|as|a|an|to)\b)|listed|discussed|cited|covered|referenced|quoted)\b|"
            # "which companies show up ...", not "which leaderboard did Qwen models show up on"
            rf"\b(which|what) ((?!(?:{AUX_WORDS})\b)\w+ ){{0,3}}(\w+s|people) "
            r"(appear|appears|appeared|feature|featured|come up|show up)\b|"
            r"\bacross (the|all|these|those) (articles|sources|pieces|stories)\b|"
            r"\bacross all(?: of)? (these|those|them)\b|"
            r"\b(all|every|each) (the )?(\w+ ){0,3}(mentioned|named|quoted|cited|listed|discussed)\b|"
            # "How many types of input can it process, and which?": the count is the list's
            r"\bhow many\b[^?]*,\s*(?:and\s+)?(?:which|what)\b(?:\s+(?:ones|are they|were they|are those|were those))?"
            r"\s*\??\s*$"
        ),
    ),
    (
        "duration",
        re.compile(
            r"\bhow long\b|\bhow many (days|weeks|months|years|hours)\b|\bfor how long\b|\bhow much time\b|"
            r"\bover what (period|span|time)\b|\bhow soon\b"
        ),
    ),
    (
        "compare",
        re.compile(
            # "Which site compares X with Y?" asks for the site: the asker's noun is what compares, not the asked
            # ("Which website put together the comparison ...?" too), as a query's opening noun does ("Source for
            # the comparative analysis of X vs Y?")
            rf"^(?!\s*(?:and\s+)?(?:(?:which|what)\s+(?!(?:{AUX_WORDS})\b)[\w\-]+\s|who\b|"
            r"(?:the\s+)?(?:sources?|authors?|names?|publishers?|origin)\s+(?:for|of|behind)\b))"
            r".*\b(vs\.?|versus|compared?|comparison|compares|difference between|differ|differs|contrast)\b|"
            r"\b(bigger|larger|smaller|faster|slower|better|worse|cheaper|stronger|weaker|more|less|fewer)\b[^?]*"
            r"\bthan\b(?!\s*[$€£]?\d|\s+one\s+(?:article|piece|story|report|source)s?\b)|"  # "more than 114,000
            # cars" is a count, and "in more than one article" says where, not a comparison
            # "Which scores higher, Baichuan or Qwen?": a choice between two by a measure
            r"\b(higher|lower|bigger|larger|smaller|faster|slower|better|worse|cheaper|stronger|weaker|more|less)\b"
            r"[^?]*,\s*[\w\-.]+(?:\s[\w\-.]+)?\s+or\s+[\w\-.]+|"
            # "how much bigger is the American one?": by how much, against the one the conversation is about
            r"\bhow much (?:bigger|larger|smaller|faster|slower|better|worse|cheaper|stronger|weaker)\b"
        ),
    ),
    (
        "how_many",
        re.compile(
            r"\bhow many\b|\bwhat (is|was) the number of\b|\bnumber of\b|"
            # "qwen total downloads on HF?": a total is a count
            r"\btotal (?!(?:costs?|prices?|spend\w*|revenues?|investments?|funding|values?)\b)\w+s\b|"
            # "What share of all downloads ...?", "what percentage of revenue ...?": a figure in percent
            r"\bwhat (?:share|percentage|percent|proportion|fraction)\b"
        ),
    ),
    (
        "how_much",
        re.compile(
            # "what did Meta get out of it financially?", "any dollar figure?": a sum of money
            r"\bfinancially\b|\b(?:dollar|money|monetary|cash) (?:figures?|amounts?|values?|terms)\b|"
            # "revenue hit from the export ban, $?": a currency sign standing for a word asks for a sum
            r"(?:^|\s)[$€£¥](?=\s|[?.!]|$)|"
            r"\bhow much\b|\bwhat (is|was|were|are) (the |its |their )?(price|cost|amount|valuation|budget|revenue|"
            r"funding|investment)\b|\bwhat did \w+( \w+)? (cost|spend|pay|invest)\b|"
            # "what's the dollar value of the deal?", "What was Alibaba Cloud's revenue growth?", "the financial terms"
            r"\bwhat(?:['’]s| is| was| were| are) (?:the |its |their |[\w\-]+(?: [\w\-]+)?['’]s )?(?:\w+ )?"
            r"(?:dollar value|monetary value|market value|market cap\w*|market share|share price|stock price|revenue|"
            r"sales|profit|financial terms|price tag|valuation)s?\b"
        ),
    ),
    (
        "when",
        re.compile(
            r"^\s*when\b|\bwhen (did|was|were|will|is|does|do|has|had)\b|\b(what|which) (\w+ )?(year|date|month|day)\b|"
            # "Alibaba when released the Qwen2-VL?": the subject first, as some learners of English write it
            r"^(?!\s*(?:what|who|how|why|which|where|whose)\b)\s*[\w\-.]+(?:\s+[\w\-.]+){0,2}\s+when\s+[a-z]+ed\b|"
            r"\bin which year\b|\bhow long ago\b|"
            # "Qwen2-VL came out when?", "spin-off done when": the question word left where the answer would stand
            r"^(?!\s*(?:and\s+)?(?:what|who|whom|whose|when|where|which|how|why)\b).*\bwhen\s*[?.!]*\s*$"
        ),
    ),
    (
        "where",
        re.compile(
            # not "Where does the US still hold an advantage?", "where does the author stand?", "where does the real
            # competition lie?": in what respect
            r"^(?![^?]*\bwhere\b[^?]*\b(?:advantages?|edge|ahead|behind|gap|lags?|falls? short|excels?|strengths?|"
            r"weakness\w*|stands?|focus\w*|efforts?|priorit\w*|lies|lie|lay)\b)"
            # ... nor "Where does the author say AI raises security issues?", "where in the article": at what point
            r"(?![^?]*\bwhere\s+(?:in\s+the\s+(?:article|piece|story|text)\b|(?:does|did|do)\s+(?:the\s+)?"
            r"(?:author|writer|article|piece|story|it|he|she|they)\s+(?:say|mention|discuss|talk|argue|note|write|"
            r"raise|describe|address|explain)))(?:"
            r"^\s*where\b|.*\bwhere (is|was|are|were|did|does|do|will)\b|.*\b(which|what) (country|countries|city|"
            r"cities|region|place|location)\b|.*\bin what (country|city)\b|"
            r"^(?!\s*(?:and\s+)?(?:what|who|whom|whose|when|where|which|how|why)\b).*\bwhere\s*[?.!]*\s*$)"
        ),
    ),
    (
        "who",
        re.compile(
            # "How could it help people who are visually impaired?": a "who" after another question word is relative
            r"^\s*(who|whom|whose)\b|^(?!\s*(?:and\s+)?(?:how|what|why|when|where|which)\b).*\b(who|whom|whose)\b|"
            # ... and "which US agency", "what Chinese company": a word may say whose or where it is
            r"\bby whom\b|\b(which|what) (\w+ )?(company|companies|firm|firms|agency|agencies|ministry|department|"
            r"person|people|lab|labs|organi[sz]ation|author|writer|journalist|reporter|analyst|analysts|executive)\b"
        ),
    ),
    (  # "What is the name of the festival ...?" asks for a name; _part() makes it "who" when the named is a person
        "which",
        re.compile(
            r"^\s*(and |also )?which \w+|^\s*(on|in|at|from|to|with|by|for) which\b|"
            r"\bwhat(?:'s|’s|s| is| was| are| were)\s+(?:the\s+)?"
            r"(?:(?:exact|official|full|actual|real|proper|formal)\s+)?names?\s+of\b|"
            r"^\s*(?:and\s+)?(?:the\s+)?names?\s+of\b|"
            r"\bwhat(?:'s|’s| is| are| was| were) [^?]* called\b"
        ),
    ),
    (
        "why",
        re.compile(
            r"^\s*why\b|\bwhy\b|\bwhat (is|was|are|were) the reasons?\b|\bfor what reason\b|"
            # "what is the point of doing it?", "what's the purpose of the spin-off?"
            r"\bwhat(?:['’]s| is| was| are| were) the (point|purpose|aim|goal|rationale|motive|motivation)s? "
            r"(of|for|in|behind)\b|"
            r"\bwhat (led|drove|caused|prompted|motivated|pushed)\b"
        ),
    ),
    (
        "yes_no",
        re.compile(
            r"^\s*(is|are|was|were|does|do|did|can|could|will|would|has|have|had|should|may|might)\b|"
            # "Qwen2.5-Omni was released by Tencent, wasn't it?": a claim put with a tag
            r"\b(?:is|was|are|were|does|do|did|has|have|had|can|could|would|will)n['’]?t\s+(?:it|they|he|she|that|"
            r"there|we|you)\s*[?.!]*\s*$|"
            # "I think there was an example about a Japanese sign?", "The Omni model can handle video?": a statement
            # asked, which is whether it is so
            r"^(?![^?]*\b(?:what|who|whom|whose|when|where|which|how|why)\b)(?![^?]*[.!]\s)"
            r"(?=[^?]*\s(?:is|are|was|were|has|have|had|did|does|can|could|will|would)\s(?!you\b))[^?]*\?\s*$"
        ),
    ),
    ("how", re.compile(r"^\s*how\b|\bhow (does|do|did|can|could|will|would|is|are|was|were)\b")),
    (
        "definition",
        re.compile(
            r"^\s*(what|who)(?:['’]s| (is|are|was|were)) [^?]{1,60}\??\s*$|\bwhat does [^?]+ mean\b|^\s*describe\b|"
            r"\bwhat (kind|type|sort) of\b|\bdescribed as\b"
        ),
    ),
]

QWORD = rf"(?:what|who|whom|whose|when|where|which|how|why|{AUX_WORDS})"
AUX = re.compile(rf"\b(?:{AUX_WORDS})\b", re.I)


def kind_of(text: str) -> Kind:
    """The asked type of one part (a leading clause already read last: see _lead_clause_last)."""
    low = text.lower()
    for kind, pattern in _KINDS:
        if pattern.search(low):
            return kind
    return "what"
