"""Query shaping: question-word intent expansion for the keyword side, and follow-up condensing."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag import sparse
from rag.types import Turn

# What a question word asks for, in the words an answer would use (classic answer-type expansion).
_INTENTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bhow (big|large|small|huge|tiny)\b|\b(bigger|biggest|size)\b", re.I), "size larger smaller times"),
    (re.compile(r"\b(vs\.?|versus|compare[sd]?|comparison|compared)\b", re.I), "compared than"),
    (re.compile(r"\bhow much\b", re.I), "billion million"),
]

_FOLLOW_UP = re.compile(
    r"^\s*(and|also|but|so|what about|how about)\b|\b(it|its|it's|he|him|his|she|her|they|them|their|theirs|"
    r"this|that|these|those|the company|the model|the article)\b",
    re.I,
)


def expand(question: str) -> str:
    """The question plus the words its question word implies (used for BM25 only)."""
    extra = [words for pattern, words in _INTENTS if pattern.search(question)]
    return " ".join([question, *extra])


def is_follow_up(question: str) -> bool:
    """Whether the question leans on earlier turns (pronouns, 'and ...', or very few content words)."""
    return bool(_FOLLOW_UP.search(question)) or len(set(sparse.terms(question))) <= 2


_NAME = re.compile(r"[A-Z][\w.\-’']*[\w]|\w*\d\w*")


def names(text: str) -> list[str]:
    """Capitalized or numbered words of text (not the first word), once each."""
    out: list[str] = []
    for m in _NAME.finditer(text):
        w = m.group(0)
        if m.start() == 0 or w.lower() in sparse.stopwords() or w in out:
            continue
        out.append(w)
    return out


def condense(question: str, history: Sequence[Turn]) -> str:
    """A standalone query: a follow-up borrows the names in the last question and the last answer's start."""
    if not history or not is_follow_up(question):
        return question
    last_user = next((t.content for t in reversed(history) if t.role == "user"), "")
    last_answer = next((t.content for t in reversed(history) if t.role == "assistant"), "")
    # The first sentence of the previous answer names what "it" or "he" most likely is.
    head = re.split(r"\[\d+\]|(?<=[.!?])\s", last_answer, maxsplit=1)[0][:300] if last_answer else ""
    borrowed = names(last_user) + [n for n in names(head) if n not in names(last_user)]
    if not borrowed:
        return f"{question} {last_user}".strip()
    return " ".join([question, *borrowed[:8]])
