"""What a yes/no claim names or states that the articles never do, and what they say in its place ("Is it true that
Grace Isford is at Sequoia?": Lux Capital; "Is it true Alibaba pledged $100 billion?": $53 billion)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answer import AnswerRequest
from rag.answer.evidence import Evidence, bare_name, capitalized_runs, describes, proper_names
from rag.gate import claims_more, known
from rag.names import only_kind_asked, owners_only
from rag.question import Part
from rag.retrieval.corpus import CorpusStats

CORRECTS_SUPPORT = 0.5  # a claim naming what the articles never mention is corrected by a quote holding this much of it
CORRECTS_DENSE = 0.55  # ... or meaning this nearly the claim ("strike a deal": "reached an agreement")


def unheard_of(part: Part, request: AnswerRequest) -> list[str]:
    """The names a yes/no claim makes that the corpus never mentions, when it names something it does too ("Google"
    in "Did Google strike a deal with Alibaba?"); [] otherwise."""
    if part.kind != "yes_no" or request.corpus is None:
        return []
    own = [n for n in part.names if n in part.text]
    unheard = [n for n in own if not known(n, request.corpus) and not only_kind_asked(n, part.text)]
    # ... with the rest of the name it is part of ("Wall Street Journal": the corpus has "street signs")
    runs = [r.split() for r in capitalized_runs(part.text)]
    unheard += [n for n in own if n not in unheard and any(n in r and set(unheard) & set(r) for r in runs)]
    # ... and the name that only says whose it is ("Google" of "Google's Gemini": the articles' Google is not its maker)
    unheard += [n for n in own if n not in unheard and n in owners_only((n, *unheard), part.text)]
    return unheard if unheard and claims_more(part) else []


# A sum or a share a claim states: "$6 million", "12%", "53 billion dollars"
SUM = re.compile(
    r"[$€£¥]\s?\d[\d,.]*(?:\s?(?:million|billion|trillion|thousand|[mbk]n?)\b)?|"
    r"\b\d[\d,.]*\s?(?:%|percent\b|per cent\b|(?:million|billion|trillion)\b)",
    re.I,
)


def unstated_sums(part: Part, request: AnswerRequest) -> list[str]:
    """The sums a yes/no claim states that no passage retrieved for it states ("Is it true DeepSeek's R1 cost under $6
    million to train?"): the articles do not say so, whatever else they say of R1."""
    if part.kind != "yes_no":
        return []
    flat = re.sub(r"[\s,]", "", " ".join(request.candidate_texts).lower())
    return [m.group(0) for m in SUM.finditer(part.text) if re.sub(r"[\s,]", "", m.group(0).lower()) not in flat]


def as_written(part: Part, names: Sequence[str]) -> list[str]:
    """The runs of capitalized words of the question that hold the names ("Wall Street Journal", "Anthropic's
    Claude")."""
    out = []
    for run in capitalized_runs(part.text):
        words = run.split()
        at = next((i for i, w in enumerate(words) if re.sub(r"['’]s$", "", w) in names), None)
        if at is not None:  # from the first of the names ("Did Google": "Google"; "Wall Street Journal" whole)
            out.append(" ".join(words[at:]))
    return list(dict.fromkeys(out)) or list(names)


def corrects(picked: Sequence[Evidence], question: str, corpus: CorpusStats | None = None) -> bool:
    """Whether the best quote holds the rest of the claim, by its words or its meaning ("is called Qwen2.5-Omni-14B":
    "the launch of ... the Qwen2.5-Omni-7B"), and names something the question does not (Lux Capital for "Sequoia
    Capital", GPT-4V for "Claude"): what the articles say in the place of a name they never mention. A name nearly
    every article gives ("China") stands in the place of nothing."""
    if not picked or (picked[0].support < CORRECTS_SUPPORT and picked[0].dense < CORRECTS_DENSE):
        return False
    asked = {bare_name(n) for n in proper_names(question)}
    # (of "Meta’s Llama" the thing named is Llama)
    owned = [re.split(r"['’]s\s+", n)[-1] for n in proper_names(picked[0].quote)]
    return any(
        bare_name(n) not in asked
        and not describes(n)
        and bare_name(n) not in question.lower()
        and not (corpus is not None and corpus.everywhere(n))
        for n in owned
    )
