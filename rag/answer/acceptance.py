"""Whether a quote answers a part of a question: it holds the asked attribute, the names and relation asked about,
and, asked for someone's words, theirs."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache

from rag.answer import AnswerRequest
from rag.answer.evidence import (
    QUOTED_TITLE,
    TITLE_ASKED,
    Evidence,
    acronym_asked,
    advises,
    asks_role,
    bare_name,
    counts_otherwise,
    describes,
    in_their_words,
    is_byline,
    list_items,
    names_a_job,
    names_one,
    opinion_of,
    overlap,
    part_weights,
    proper_names,
    spells_out,
    sum_of_another_kind,
    typed_names,
)
from rag.gate import known
from rag.kinds import OPEN_KINDS, TYPED
from rag.names import has_name, name_terms, only_kind_asked, owners_only, place_aliases, product_articles
from rag.question import Part, is_named_kind, relation_groups
from rag.retrieval import sparse

MIN_SUPPORT = 0.2  # a quote must hold this weighted share of the part's terms to answer it ...

DENSE_ACCEPT = 0.45  # ... or mean nearly the same (cosine), when it words the answer differently

FIGURES = frozenset({"how_much", "how_many"})

# A figure or a date is of what its sentence names (a span between two events is not one thing's)
_OWN_VALUES = FIGURES | {"when"}

_PUBLIC_BODY = re.compile(
    r"\b(?:government|administration|state council|congress|senate|ministry|military|pentagon|white house)s?\b", re.I
)

RELATION_NEEDED = frozenset({"who", "when", "where", "how_much", "how_many", "duration"})

RELATION_DENSE = 0.6  # ... unless the quote means nearly the same as the question
# ... nearer still for a date: a time near the question's meaning is often another event's ("Almost two months to the
# day since I first reported ..." for when China's regulations took effect)
WHEN_RELATION_DENSE = 0.7

_DATE_UNITS = frozenset(sparse.terms("year month day date week"))

_PLACE_TYPES = frozenset(sparse.terms("city cities country countries state region place location town province"))

RELATION_SHARE = 0.2  # the share (by weight) of the relation's words a quote must hold to hold the relation

FOCUS_NEEDED = frozenset({"how_many", "how_much", "duration", "when", "where"})  # "how many parameters" needs them

FOCUS_DENSE = 0.75  # ... unless a quote that means nearly the same counts it in other words ("three spots": places)

LIST_ITEM_DENSE = 0.25  # a sentence naming new things answers a list of named things at this cosine

ARTICLE_IDEA_DENSE = 0.25  # ... a sentence of the article asked about answers a list of its ideas at this cosine

SIDE_DENSE = 0.3  # ... and a sentence of one of the articles a question sets side by side answers its side

ADVICE_DENSE = 0.15  # asked for advice, a sentence advising answers in an article of the asked thing at this cosine

_WRITTEN_BY = re.compile(r"\b(written|authored|reported) by [A-Z]|\bby [A-Z][a-z]+ [A-Z][a-z]+,? (a|an|the) ")

_MENTIONED = frozenset(sparse.terms("mention appear name cite feature refer discuss include list"))

_PERSON = re.compile(r"\b(he|she|him|her|his|hers)\b", re.I)

_POINTED = re.compile(r"\b(?:it|its|this|that|these|those|the same)\b", re.I)  # ... at a thing: "that model"

_POINTS_BACK = re.compile(r"\b(he|she|it|they|him|her|them|his|its|their|hers|theirs)\b", re.I)

# Three or more items in a series: "text, images, audio, and even video"
_SERIES = re.compile(r"\b[\w\-]+(?:\s[\w\-]+)?,\s[\w\-]+(?:\s[\w\-]+)?,\s(?:and\s|or\s)?(?:even\s|also\s)?[\w\-]+")

# The line that names the site an article ran on
SITE_LINE = re.compile(
    r"^(?:Discover more from|More from|(?:Originally )?[Pp]ublished (?:by|on|in)|First published (?:by|on|in)|"
    r"Copyright(?: ©)?|©)\s+(?:\d{4}\s+)?[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*){0,3}\.?$"
)


def names_in(name: str, text: str) -> bool:
    """Whether the text itself names the name, in any of the ways it may be written as terms."""
    have = sparse.term_set(text)
    return any(all(t in have for t in way) for way in name_terms(name))


# "Who is Tiezhen Wang?", "who's Paul Triolo": a person by first name and surname, asked who they are
_WHO_IS_PERSON = re.compile(
    r"^\s*(?i:and\s+)?(?i:who)(?:['’]s|\s+(?i:is|was))\s+(?:(?i:this|that)\s+)?[A-Z][a-z]+\s+[A-Z][a-z]+"
    r"(?:\s+(?i:exactly|again))?\s*[?.!]?\s*$"
)

# "What did Nvidia say ...?": a name (not "he" or "she", whom the conversation names) said to say something
_SAYS_NAME = re.compile(r"\b(?i:did|does|do)\s+[A-Z][\w\-’']*(?:\s+[A-Z][\w\-’']*)?\s+(?i:say|said|says)\b")


@lru_cache(maxsize=256)
def _is_writer(surname: str, texts: tuple[str, ...]) -> bool:
    """Whether a byline among the passages names the person ("Franklin Manuel"): the article is their words."""
    return any(is_byline(line) and surname in line.split() for t in texts for line in t.splitlines())


@lru_cache(maxsize=256)
def _is_speaker(surname: str, texts: tuple[str, ...]) -> bool:
    """Whether the articles quote the person at all (an organisation "says" in other ways, if ever): asked once a
    question, not for every sentence judged."""
    return any(in_their_words(surname, t) for t in texts)


def holds_relation(
    relation: Sequence[str], quote: str, idf: Callable[[str], float], share: float = RELATION_SHARE
) -> bool:
    """Whether the quote holds the asked relation: a fifth of its words by weight, each in its family ("released":
    "releasing") or its group ("unveiled"), but not a longer word that merely starts alike ("founded": not
    "foundational"). One common word of a long question ("advanced") is not the relation."""
    # whole words: "Blackwell-based" says nothing of where something is based
    have = sparse.term_set(_COMPOUND.sub(" ", quote)) | {c.lower() for c in _COMPOUND.findall(quote)}
    groups = {g for h in have for g in relation_groups(h)}

    def held(t: str) -> bool:
        return t in have or bool(groups & relation_groups(t)) or any(_inflected(t, h) for h in have)

    total = sum(idf(t) for t in relation)
    return total > 0 and sum(idf(t) for t in relation if held(t)) >= share * total


# "Who is the CEO of ...?", "Who is Xin Sun's employer's president?": asked for whoever holds a role, said in so many
# words (or their like: "chief executive" for "CEO")
_HOLDER = re.compile(
    r"(?<![\w\-])(ceo|cto|cfo|chief executive|president|chairman|chairwoman|chair|founder|co-founder|director|boss|"
    r"head)s?\b(?!\s+(?:start|line|to)\b|-)",  # (not "head-to-head")
    re.I,
)

_CHIEF = ("ceo", "chief executive", "head of", "boss", "leads")

_ROLE_WORDS = {
    "ceo": _CHIEF,
    "chief executive": _CHIEF,
    "boss": _CHIEF,
    "head": ("head", "leads", "chief"),
    "cto": ("cto", "chief technology"),
    "cfo": ("cfo", "chief financial"),
    "president": ("president",),
    "chairman": ("chair",),
    "chairwoman": ("chair",),
    "chair": ("chair",),
    "founder": ("found", "co-found"),
    "co-founder": ("found", "co-found"),
    "director": ("director",),
}

_NAME_ASKED = re.compile(r"\bnames?\s+of\b|\bcalled\b", re.I)

# Kinds of things someone makes: "Which BMW car models", "Which Huawei chip", "Which OpenAI model"
_MADE_KIND = re.compile(
    r"^(?:model|chatbot|bot|version|product|llm|assistant|chip|processor|gpu|phone|car|vehicl|devic)"
)

_SHAPES = frozenset(sparse.terms("name names date number figure amount time score year day month"))

_MAKES = frozenset(sparse.terms("make makes made maker build built develop developed create created own owns owned"))


def _owned_by_name(names: Sequence[str], quote: str) -> bool:
    """Whether the quote puts one of the names as a capitalized owner's ("OpenAI's GPT-4V", "Alibaba's latest
    offering, Qwen2-VL")."""
    return any(
        re.search(rf"\b[A-Z][\w.\-]*['’]s\s+(?:[\w\-]+,?\s+){{0,3}}{re.escape(n)}(?![\w\-])", quote) for n in names
    )


_COMPOUND = re.compile(r"\b\w+(?:-\w+)+\b")

_ENDINGS = (
    "",
    "s",
    "e",
    "es",
    "d",
    "ed",
    "er",
    "ers",
    "ing",
    "ion",
    "ions",
    "it",
    "ison",
    "isons",
)  # "compet" / "competit"; "compar" / "comparison"


def _inflected(a: str, b: str) -> bool:
    """Whether two stems are one word inflected ("found", "founder"), not one starting another ("foundat")."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short) and long[len(short) :] in _ENDINGS


def only_kind(part: Part) -> bool:
    """Whether a list asks for nothing but a kind of thing ("Which people are mentioned in the articles?")."""
    return not set(part.terms) - set(part.gathers) - _MENTIONED


def new_items(part: Part, e: Evidence, request: AnswerRequest) -> bool:
    """Whether the quote's sentence names things of the list's kind the question does not name itself."""
    proper = request.corpus.proper if request.corpus is not None else frozenset()
    asked = {n.lower() for n in proper_names(part.text, proper)}
    return bool({n.lower() for n in list_items(e.sentence.text, proper, people=part.items_people)} - asked)


_THING = r"(?:model|product|chip|app|system|tool|service|chatbot|device|phone|car)"


def rejection(part: Part, e: Evidence, request: AnswerRequest) -> str | None:
    """Why a quote does not answer the part (a short reason, for logs and diagnostics), or None if it does."""
    if not e.shaped:
        return "asked type missing"
    if (acronym := acronym_asked(part.text)) is not None and not spells_out(acronym, e.quote):
        return "letters not spelled out"  # "What does LLM stand for?": only "large language models (LLMs)" says
    candidates = request.candidates
    idf = request.corpus.idf if request.corpus is not None else (lambda t: 1.0)
    # What the part names must be in the quote's article (the retrieved part of it), not just anywhere.
    source = candidates[e.passage_no - 1].source
    same = [p for p in candidates if p.source == source]
    # A part without names of its own that points back ("where does he work?") is about the names it borrowed.
    # ... and a follow-up about a person that names something too ("what did he say about the West?") is about
    # both ("its cloud division" after "Which company released Qwen-VL?" is the answer's, not Qwen-VL's).
    # ("which VC firm": a kind, when the corpus never names VC; "which BMW car models": BMW's)
    own = [
        n
        for n in part.names
        if n in part.text
        and not (only_kind_asked(n, part.text) and request.corpus is not None and not known(n, request.corpus))
    ]
    if _POINTS_BACK.search(part.text) and (not own or (request.analysis.follow_up and _PERSON.search(part.text))):
        own += [n for n in part.names if n not in own]
    if request.corpus is not None:  # "AI" in a library about AI tells no answer from another
        own = [n for n in own if not request.corpus.everywhere(n)]
    whose = owners_only(tuple(own), part.text)
    own = [n for n in own if n not in whose]  # "Meta's Llama 2": Llama 2 is what is named
    # A typed answer (a date, a figure, a founder) is about the named thing only where the passage names it:
    # elsewhere in the article it may be another thing's date.
    # Unless the quote itself holds the asked relation ("releasing its models on ...").
    quote = e.quote
    name_terms = {t for n in part.names for t in sparse.terms(n)}
    relation = [t for t in part.terms if t not in name_terms and t not in part.focus]
    # "Who makes Qwen2-VL?": "Alibaba's latest offering, Qwen2-VL" says who, by the owner's name
    made_by = bool(set(relation) & _MAKES) and _owned_by_name(own, quote)
    related = part.kind in RELATION_NEEDED and bool(relation) and (made_by or holds_relation(relation, quote, idf))
    # Who wrote an article is said once, at its head: the article, not that line, is what the part names.
    narrow = part.kind in RELATION_NEEDED and not related and not part.author
    scope = [candidates[e.passage_no - 1]] if narrow else same
    found = sum(1 for n in own if any(has_name(n, p) for p in scope))
    if own and found < (len(own) if len(own) <= 2 else (len(own) + 1) // 2):
        # Every name of a short question ("Kai Wang" is not any Wang); half of a long one's, which may name
        # more than its answer does.
        return "names missing"
    if part.kind == "how_much" and sum_of_another_kind(part.text, quote):
        return "another kind of sum"
    typed = [n for n in own if n in part.text]  # (not one a follow-up borrowed: "how much is it investing?")
    if part.kind in _OWN_VALUES and typed and not part.author:
        # "How much has Baidu committed to spend?": the figure of a quote about another company ("Alibaba
        # Cloud's ambitious commitment to investing $53 billion") is that company's, however often the article
        # names Baidu
        alone = replace(candidates[e.passage_no - 1], text=quote, title="")
        rivals = {bare_name(n) for n in proper_names(quote) if not describes(n)}
        rivals -= {bare_name(n) for n in part.names}
        if rivals and not any(has_name(n, alone) for n in typed):
            # ... as the date of a quote about another ("When did DeepSeek unveil R1?": "Baidu ... unveiled its
            # model just last week")
            return "another's figure" if part.kind in FIGURES else "another's date"
    if part.kind in FIGURES and _PUBLIC_BODY.search(part.text) and not _PUBLIC_BODY.search(quote):
        # "How much does the Chinese government put into AI?": a company's $53 billion is not a government's
        return "another's figure"
    # "Who leads Meta's AI research?", "the name of Baidu's model": a typed answer is its owner's where the
    # passage names the owner, not anywhere in the article
    # ... or "the model Baidu put out": a name that does what made the asked thing is its owner too
    owners = [
        n
        for n in own
        if re.search(rf"\b{re.escape(n)}['’]s\b", part.text)
        or re.search(rf"\b{_THING}s?\s+(?:that\s+)?{re.escape(n)}\s+[a-z]+", part.text)
        # ... "the multimodal model of Baidu", "the chip from Huawei"
        or re.search(rf"\b{_THING}s?\s+(?:made\s+|built\s+|released\s+)?(?:of|from|by)\s+{re.escape(n)}\b", part.text)
        # ... and asked what "that Baidu model" is called, Baidu's (a name one knows is no model's owner: "the
        # Omni model")
        or (part.named and re.search(rf"\b(?i:that|this|the)\s+{re.escape(n)}\s+(?:[a-z]+\s+)?{_THING}s?\b", part.text))
    ]
    borrowed = [n for n in part.names if n not in part.text]
    if part.named and not owners and borrowed and len(borrowed) == len(part.names) and _POINTED.search(part.text):
        owners = borrowed  # "What's that model called?" after "Did Baidu release a model?": Baidu's model
    at = candidates[e.passage_no - 1]
    near = [p for p in same if abs(p.chunk_index - at.chunk_index) <= 1]
    if part.kind in TYPED and not part.author and not all(any(has_name(n, p) for p in near) for n in owners):
        return "owner missing"
    if part.named and owners and not all(names_in(n, quote) for n in owners):
        return "owner not in the quote"  # "the name of the model Baidu released": Baidu's, said where it is named
    if part.kind in ("who", "which") and set(relation) & _MAKES and own and not all(names_in(n, quote) for n in own):
        # "Which company developed the Baichuan model?": its maker is said where the thing is named, not by a
        # sentence about "AI development" near it
        return "made thing not in the quote"
    # "Which BMW car models ...?", "Which Huawei chip model ...?": the name before the kind is whose things are
    # asked for; a quote names it and a thing of the kind besides ("partnerships with BMW for smarter vehicles"
    # names no BMW model)
    kind_noun = part.focus[-1] if part.focus else part.specific
    maker = next((n for n in own if list(sparse.terms(n)) == list(part.focus[: len(sparse.terms(n))])), None)
    if maker is not None and len(part.focus) > len(sparse.terms(maker)) + 2:
        maker = None
    if maker is None and kind_noun and not part.focus:  # "name of Baidu new multimodal model" (focus unread)
        maker = next(
            (
                n
                for n in own
                if re.search(
                    rf"\b{re.escape(n)}(?:['’]s)?\s+(?:[a-z][\w\-]*\s+){{0,3}}{re.escape(kind_noun)}", part.text
                )
            ),
            None,
        )
    if part.kind in ("which", "list") and maker is not None and _MADE_KIND.match(kind_noun):
        if not names_in(maker, quote):
            return "maker not in the quote"
        others = [n for n in proper_names(quote) if n not in part.text]
        owned = re.search(rf"\b{re.escape(maker)}['’]s\s+(?:[\w\-]+\s+){{0,2}}?[A-Z0-9]", quote)  # OpenAI's GPT-4V
        if not owned and not typed_names(others, [kind_noun], request.candidate_texts):
            return "none of its kind named"
    if part.author and request.article is not None and source != request.article:
        return "another article's byline"  # "Who wrote the Qwen2-VL op-ed?" is not answered by another's
    if (
        part.specific
        and part.kind in ("which", "list", "who", "what")
        and part.specific not in _SHAPES
        # (an article's name is its title, checked above)
        and not (TITLE_ASKED.search(part.text) and QUOTED_TITLE.search(quote))
        # "what specific areas": ideas, which no name answers, unless their names are asked for
        and (is_named_kind(part.specific) or bool(_NAME_ASKED.search(part.text)))
    ):
        # "Which specific benchmarks?": "in several critical benchmarks" mentions some and names none; a quote
        # without the word names one only if the articles call that name one ("the MMLU benchmark"). Asked the
        # name of a storm or a team, any name may be it ("Hurricane Francine", "the Kansas City Chiefs"), and a
        # mention that names none ("has issued comprehensive regulations") says it is not given.
        said = names_one(part.specific, quote, part.text)
        if said is None and not is_named_kind(part.specific):
            stop = sparse.stopwords()
            said_by = proper_names(e.sentence.text)  # the sentence's own (its lead's are what it leans on)
            named = [" ".join(w for w in n.split() if w.lower() not in stop) for n in said_by]
            # a country is no name of a regulation or a benchmark ("with China and the United States leading")
            not_places = part.specific not in _PLACE_TYPES
            if not [
                n
                for n in named
                if n and n not in part.text and not describes(n) and not (not_places and place_aliases(n))
            ]:
                return "no name given"  # ("Q: What ...? A: The Chinese government ...": "What", "The" open lines)
        elif not said:  # ... or by another word of the kind ("tech firms ... turned to manufacturers like Huawei")
            new_names = [n for n in proper_names(quote) if n not in part.text]
            if not typed_names(new_names, [part.specific], request.candidate_texts, employers=True):
                return "kind named, none given" if said is False else "kind not named"
    speaker = opinion_of(part.text, part.names)
    if speaker and _is_speaker(speaker, request.candidate_texts):
        if not in_their_words(speaker, quote):
            return "not their words"  # "What does she think ...?": a sentence she is not quoted in says nothing
        return None  # ... and what she is quoted saying is her answer, however she words it
    if (
        speaker
        and _SAYS_NAME.search(part.text)
        and not in_their_words(speaker, quote)
        and not _is_writer(speaker, request.candidate_texts)  # a writer says what the whole article says
    ):
        # "What did Nvidia say in response?": the articles never have Nvidia say anything; a sentence about
        # Nvidia is not its words
        return "not their words"
    if part.kind in ("definition", "what", "which") and asks_role(part.text) and not names_a_job(quote):
        return "no job named"  # "What is his role?": "Kai Wang's insights about ..." names none
    if part.kind == "who" and _WHO_IS_PERSON.match(part.text) and not names_a_job(quote):
        return "no job named"  # "Who is Kai Wang?" asks what he does: "Kai Wang's insights ..." does not say
    if part.publisher:  # a site the article cites ("Forbes emphasizes ...") did not publish it
        if not SITE_LINE.match(e.sentence.text.strip()):
            return "no site line"
        # ... nor does another article's site line say where this one ran
        asked = request.article or next((p.source for p in candidates if not p.flags), None)
        return None if source == asked else "another article's site"
    if part.author:  # only a byline or "written by" names who wrote it; a quoted person did not
        return None if is_byline(e.sentence.text) or bool(_WRITTEN_BY.search(e.sentence.text)) else "no byline"
    # "Which month ...?" is answered by "March 4": a date is its own unit (holds() checked the unit asked).
    # "Which city ...?" by "Baltimore": a place's name is its own type (holds() found a place).
    unit_only = (part.kind == "when" and set(part.focus) <= _DATE_UNITS) or (
        part.kind == "where" and set(part.focus) <= _PLACE_TYPES
    )
    if (
        part.focus
        and part.kind in FOCUS_NEEDED
        and not unit_only
        and not set(part.focus) & set(sparse.terms(quote))
        and not (part.kind == "how_many" and e.dense >= FOCUS_DENSE and counts_otherwise(quote, part.text))
    ):
        return "focus missing"
    # "What was the title of the author's earlier article?": a title is quoted ("in my article “China's Recent AI
    # Surge Challenges US Dominance ...”"), or it is the article's own headline line
    if TITLE_ASKED.search(part.text) and not asks_role(part.text):
        own_title = e.sentence.start == 0 and candidates[e.passage_no - 1].chunk_index == 0
        if not QUOTED_TITLE.search(quote) and not own_title:
            return "no title quoted"
    # "Who is the CEO of Alibaba Cloud?": a name near the company is not its chief; the quote says the role
    role = _HOLDER.search(part.text) if part.kind == "who" else None
    if role and not any(re.search(rf"\b{w}", quote, re.I) for w in _ROLE_WORDS.get(role.group(1).lower(), ())):
        return "role not said"
    # "When was X released?", "Who founded X?": a date or a name near X is not enough; the asked relation
    # (released, founded) must be there too, in some form.
    if (
        part.verb
        and part.kind == "who"
        and not part.author
        and not made_by
        and not holds_relation([part.verb], quote, idf)
    ):
        return "verb missing"  # "Who runs the Stanford institute?": "... Institute highlights this trend"
    dense_enough = WHEN_RELATION_DENSE if part.kind == "when" else RELATION_DENSE
    if part.kind in RELATION_NEEDED and e.dense < dense_enough and relation and not related:
        return "relation missing"
    if part.premise:  # (however near in meaning: the premise is most of the question's meaning)
        # "How did the US government respond when Qwen2-VL beat GPT-4V?": a sentence saying Qwen2-VL beat GPT-4V
        # restates what was responded to
        main = part_weights(replace(part, terms=tuple(t for t in part.terms if t not in part.premise), subject=()), idf)
        if overlap(main, quote) < MIN_SUPPORT:
            return "only the premise"
    if e.support >= MIN_SUPPORT or e.dense >= DENSE_ACCEPT:
        return None
    if part.subject and request.analysis.follow_up and source in request.quoted_sources:
        # "How much is it investing?" in the article the last answer quoted: that article is what "it" is
        # about, so the part's own words decide
        own_weights = part_weights(replace(part, subject=()), idf)
        if overlap(own_weights, quote) >= MIN_SUPPORT:
            return None
    # "Which outlets does the article cite?": "Yahoo News Singapore echoes the urgency" names one without the
    # question's words; a sentence that names new things near the question's meaning is an item. Asked for
    # nothing but the kind ("Which people are mentioned in the articles?"), any sentence naming one is.
    if part.items_named and (e.dense >= LIST_ITEM_DENSE or only_kind(part)) and new_items(part, e, request):
        return None
    # "Which input types can Qwen2.5-Omni-7B process?": "capable of processing text, images, audio, and even
    # video" lists them under the asked verb, in the thing's own article, without the question's nouns
    if (
        part.kind == "list"
        and relation
        and _SERIES.search(e.sentence.text)
        and holds_relation(relation, e.sentence.text, idf)
        and all(has_name(n, candidates[e.passage_no - 1]) for n in own)
    ):
        return None
    # "What worries does the Omni article bring up?": within the article asked about, a sentence near the list's
    # meaning is one of its ideas though it words them otherwise ("concerns regarding privacy", "pitfalls")
    if part.kind == "list" and not part.items_named and source == request.article and e.dense >= ARTICLE_IDEA_DENSE:
        return None
    # ... as is a sentence near the meaning of a why, how or what asked of it ("What's the Omni article author's
    # critical take on Alibaba's launch?": "... could also lead to a homogenized technological experience")
    if part.kind in OPEN_KINDS and source == request.article and e.dense >= ARTICLE_IDEA_DENSE:
        return None
    # "How do the Qwen-VL article and the Omni piece treat ...?": each side's article answers in its own words
    if request.articles and source == request.article and e.dense >= SIDE_DENSE:
        return None
    # "What was the headline of the author's earlier piece?": a title quoted in the article asked about is one, in
    # whatever words it is quoted ("since I first reported ... in my article “China's Recent AI Surge ...”")
    if TITLE_ASKED.search(part.text) and QUOTED_TITLE.search(quote) and source == request.article:
        return None
    # "What does he think the US should do now that Qwen2-VL is winning?": advice asked is given by the sentences
    # that advise ("Key areas of focus should include ...") in an article of what is asked about, or in the article
    # asked, which need not name it again
    if (
        advises(part.text, quote)
        and e.dense >= ADVICE_DENSE
        and (
            (own and all(any(has_name(n, p) for p in same) for n in own))
            or (request.article is not None and source == request.article)  # "per the wake-up call article"
        )
    ):
        return None
    return "low support"


def product_articles_of(part: Part, request: AnswerRequest) -> set[str]:
    """The articles the part is about by the products it names (not one that only says which article is meant: "per
    the Qwen2-VL piece")."""
    if request.corpus is None:
        return set()
    named = (n for n in part.names if n in part.text and n not in request.analysis.article)
    return product_articles(named, request.corpus)
