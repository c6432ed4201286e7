"""Question analysis, used by retrieval, the gate and both answerers: what is asked, in how many parts, about what.

One general mechanism: the asked type comes from the question's interrogative frame, the parts from coordinated
questions, the focus from the words between the question word and its verb, and a follow-up takes its subject
from the earlier questions of the conversation (never from earlier answers).
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass, field, replace
from typing import cast

from rag.articles_named import WRITER_OF, article_reference, article_references, place_words
from rag.kinds import AUX, AUX_WORDS, OPEN_KINDS, Kind, kind_of
from rag.names import CAPITALS, names
from rag.parts import ASKS, HAS_QWORD, split_parts
from rag.retrieval import sparse
from rag.text import sentence_spans
from rag.types import Turn

# Question words and request verbs carry no content: "What did he say about X" asks about X.
FILLER = frozenset(
    sparse.terms(
        "what which who whom whose how why when where does did do say says said tell told mention mentioned "
        "according article articles piece story call called name named describe explain give list kind kinds "
        "type types happen way ways thing things much many summarize summarise summary main point points key "
        "overview briefly short op-ed piece essay column gist sum specific exact particular "
        # "who is this person?", "that fellow": a person pointed at, not a word to find
        "person guy fellow chap gentleman lady bloke individual "
        # "when did Baidu put theirs out?": a thing pointed at
        "theirs hers ours yours "
        # "is it true that ...?": a claim put to the articles
        "true "
        # "Can it actually run on phones?", "Is Alibaba really teaming up ...?": hedges, not words to find
        "actually really truly indeed literally basically essentially sort stuff "
        # "could somebody else repurpose it?": anyone at all, not a word to find
        "somebody anybody everybody "
        # "Over how many years is that, dear?", "how long did it take them to get that far, roughly?": a term of
        # address, a greeting, an estimate's hedge
        "dear darling sweetheart please thanks thank hello hi roughly approximately approx far "
        # "..., wasn't it?", "didn't they?": a claim's tag (not "won", which Qwen may have)
        "wasn't isn't didn't doesn't don't aren't weren't hasn't haven't hadn't couldn't wouldn't shouldn't "
        # "give an example": one of what was asked about, not a sentence saying "for example"
        "example examples"
    )
)


_FOCUS = re.compile(
    r"^\s*(?:and\s+|also\s+)?(?:(?:on|in|at|from|to|with|by|for|of)\s+)?(?:what|which|how many|how much)\s+"
    rf"((?:[\w\-]+\s+){{0,4}}?)(?=(?:{AUX_WORDS})\b)",
    re.I,
)
# "... and on which benchmarks?": a trailing part that is only the asked noun
_FOCUS_END = re.compile(
    r"^\s*(?:and\s+|also\s+)?(?:on|in|at|from|to|with|by|for|of)\s+(?:what|which)\s+((?:[\w\-]+\s*){1,3})[?.!]?\s*$",
    re.I,
)
# "which car company Alibaba partner with?" (no "does"): the asked noun runs to the name or pronoun after it
# ... but not to a verb: "which firm make it?" asks for a firm
_VERB_WORDS = (
    r"make|makes|made|build|builds|built|develop|develops|developed|create|creates|created|own|owns|owned|"
    r"release|releases|released|launch|launches|launched|use|uses|used|sell|sells|sold|offer|offers|have|has|had|"
    r"beat|beats|work|works|say|says|said|partner|partners|"
    # ... nor to a verb of saying: "which articles bring up DeepSeek?" asks for articles
    r"bring|brings|brought|mention|mentions|mentioned|talk|talks|talked|discuss|discusses|discussed|quoted|cite|"
    r"cites|cited|raise|raises|raised|describe|describes|described|explain|explains|explained|argue|argues|argued|"
    r"compare|compares|compared"
)
_BARE_VERB = rf"(?!(?:{_VERB_WORDS})\b)"
_FOCUS_BARE = re.compile(
    rf"^\s*(?i:and\s+|also\s+)?(?i:which|what)\s+((?:{_BARE_VERB}[a-z][\w\-]*\s+){{0,2}}?{_BARE_VERB}[a-z][\w\-]*)\s+"
    r"(?=[A-Z]|(?:it|its|they|their|he|she|this|that|these|those)\b)",
)
# "Which US agency issued the rules?", "Which company released Qwen-VL?": the asked noun runs to the verb after it
_FOCUS_DOER = re.compile(
    rf"^\s*(?i:and\s+)?(?i:which|what)\s+((?:[\w\-]+\s+)??[\w\-]+)\s+(?=(?:{_VERB_WORDS})\b|[a-z]+ed\b)"
)
# ("called out", "called for": said, asked for; not a name)
_CALLED = re.compile(
    r"\bcalled\b(?!\s+(?:out|for|on|upon|off|up|in|into)\b)|\bname of\b|\bnamed what\b|\bwhat is it called\b", re.I
)
# What a name is asked for: "the name of the NFL team ...", "what is Baidu's new model called?"
_NAMED_THING = re.compile(
    r"\bnames? of (?:the |a |an |its |their |his |her |this |that )?((?:[\w\-’']+ ){0,3}?[\w\-’']+)"
    r"(?= (?:that|who|which|whose|where|when|of|in|at|for|from|with|behind)\b|\s*[?,.]|\s*$)|"
    r"\bwhat(?:['’]s| is| are| was| were) ((?:[\w\-’']+ ){0,5}?[\w\-’']+) called\b",
    re.I,
)
# "the name of it": a thing pointed at, the one the conversation is about
_POINTERS = frozenset({"it", "that", "this", "them", "they", "those", "these", "one"})
# A name of these is a product's (with a digit or inner capitals: "Qwen2-VL", "GPT-4V"), not any capitalized word.
_PRODUCT_NOUNS = re.compile(r"^(model|chatbot|bot|version|product|llm|system|assistant|series|chip|processor|gpu)")
# "Which website published the piece ...?", "What outlet ran it?": the article's own site, not a source it cites
# "What are the subheadings in the Omni article?", "list the section headings", "how is it organized?"
# "the exact closing sentence of the Qwen2-VL article", "there's some race metaphor in the last line", "how does the
# column end": the article's last sentence
_CLOSING = re.compile(
    r"\b(?:closing|final|last|concluding|ending)\s+(?:\w+\s+)?(?:sentences?|lines?|words|paragraphs?|metaphor|image|"
    r"thoughts?|remarks?|note)\b|"
    r"\bhow does (?:it|the [\w\-.’' ]{0,40}?(?:article|piece|story|post|column|op-?ed))\s+"
    r"(?:end|close|conclude|wrap up)\b",
    re.I,
)
_HEADINGS = re.compile(
    # (not "list the implications, headings only is fine": how to answer, not what)
    r"\b(?:the|its|their|what|which|section|all|any|sub-?)\s*headings\b(?!\s+only\b)|\bsub-?heads?\b|"
    r"\bsection (?:titles|names|headers)\b|"
    r"\b(?:what|which) sections\b|\b(?:list|name) (?:the |its |all (?:of )?the )?sections\b|"
    r"\bhow (?:is|was) (?:it|the [\w\-.’' ]{0,40}?(?:article|piece|story|post)) (?:organi[sz]ed|structured|laid out)\b",
    re.I,
)
_WHO_PUBLISHED = re.compile(
    r"\b(?:which|what)\s+(?:news\s+)?(?:web\s?sites?|sites?|outlets?|publications?|publishers?|blogs?|newspapers?|"
    r"magazines?)\b[^?]*?\b(?:published|publishes|publish|ran|runs|run|posted|posts|carried|carries|hosts|hosted)\b|"
    r"\bwho\s+(?:published|publishes)\b|\bpublished\s+(?:by|on|in)\s+(?:which|what)\b|"
    # ... "who ran it", "who ran the Omni piece", not "who ran that comparison" (who made it)
    r"\bwho\s+(?:ran|runs|posted)\s+(?:it\b|(?:the|this|that)\s+(?:[\w\-.’']+\s+){0,3}?"
    r"(?:article|piece|story|op-?ed|report|post|column|commentary)s?\b)",
    re.I,
)
_WHO_WROTE = re.compile(r"\b(wrote|written|write|writes|author|authored|byline|writer|journalist|reporter)\b", re.I)
_FOLLOW_UP = re.compile(
    r"^\s*(and|also|but|so|then|what about|how about|same for)\b|\b(it|its|it's|he|him|his|she|her|they|them|"
    r"their|theirs|this|that|these|those|the company|the model|the article|the firm|the same)\b",
    re.I,
)
_BARE = re.compile(r"^\s*(?:and|also|but)?\s*(which|what)\s+([\w\-’' ]{1,40}?)\s*\??\s*$", re.I)
_STATEMENT = re.compile(
    r"\b(that|this|the) (point|claim|statement|argument|quote|remark|comment|prediction|warning|view|idea)\b|"
    r"\bsaid (that|this|it|so)\b|\bwho said\b",
    re.I,
)
FRAGMENT_WORDS = 4
# What a "which"/"who" question's answer named, pointed back at
_ANSWERED_THING = re.compile(
    r"\b(?:that|this|the same)\s+(?:company|firm|model|person|man|woman|lab|startup|chatbot|organi[sz]ation|"
    r"expert|analyst|engineer|partner|outlet|publication|site|website)\b",
    re.I,
)
_ANSWERED_PERSON = re.compile(r"\b(?:he|she|him|her|his)\b", re.I)
_ELLIPSIS = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(.+?)\s*\??\s*$", re.I)


@dataclass(frozen=True)
class Part:
    """One asked thing: its words, its type, the attribute asked for, and its content terms."""

    text: str
    kind: Kind
    focus: tuple[str, ...] = ()  # stemmed terms of the asked attribute ("parameters", "leaderboard")
    terms: tuple[str, ...] = ()  # stemmed content terms of the part (focus included)
    subject: tuple[str, ...] = ()  # terms borrowed from earlier parts or questions (what "it" is)
    names: tuple[str, ...] = ()  # named things the part mentions (its own or borrowed)
    author: bool = False  # asks who wrote something
    publisher: bool = False  # asks which site or outlet published an article
    headings: bool = False  # asks for an article's section headings
    closing: bool = False  # asks how an article ends ("the closing sentence", "the last line", "how does it end")
    named: bool = False  # asks what something is called: a product's name answers, not any capitalized word
    items_named: bool = False  # a list of things that have names (companies, models, people), not of ideas
    items_people: bool = False  # ... and those things are people (experts, analysts, the people quoted)
    gathers: tuple[str, ...] = ()  # the stemmed nouns a list is a list of ("compani", "peopl")
    kinds: tuple[str, ...] = ()  # ... those of them that are kinds of named things ("compani", "model")
    verb: str = ""  # the stemmed verb a "who" question asks the doer of ("run" in "Who runs the institute?")
    specific: str = ""  # the stemmed noun asked for by name ("benchmark" in "Which specific benchmarks ...?")
    aside: tuple[str, ...] = ()  # stemmed words of what is set aside ("Besides open-sourcing, how else ...?")
    premise: tuple[str, ...] = ()  # stemmed words only of what a response is asked to ("... when Qwen2-VL beat GPT-4V")


@dataclass(frozen=True)
class Analysis:
    """A question, analysed."""

    question: str
    standalone: str  # the question made to stand alone (for retrieval)
    parts: tuple[Part, ...]
    follow_up: bool = False
    earlier: tuple[str, ...] = field(default_factory=tuple)  # earlier user questions, oldest first
    # Words that point at one article ("per the Archyworldys article", "according to Manuel", "the Omni piece"):
    # they say where to look, not what to find.
    article: tuple[str, ...] = ()
    restates: bool = False  # asks about the previous answer itself ("who made that point?")
    # What the question sets side by side: every place it names an article (as the words that name it), and each
    # name a comparison compares. Where these point at two or more articles, each is answered on its own.
    sides: tuple[tuple[str, ...], ...] = ()
    compared: tuple[str, ...] = ()
    # The whole message, when it told something before it asked (rag.preamble): the question above is what it asked,
    # and the telling an earlier turn; an LLM reads the message as written.
    message: str = ""

    @property
    def kind(self) -> Kind:
        """The first part's kind."""
        return self.parts[0].kind

    @property
    def all_articles(self) -> bool:
        """Whether the question asks about every article (a summary or list of the whole corpus)."""
        return bool(_ALL_ARTICLES.search(self.question))

    @property
    def in_several(self) -> bool:
        """Whether the question asks what each of the articles that cover its subject says ("DeepSeek pops up in two
        of the pieces: what do they say about it?", "Which articles mention Llama 2?")."""
        return bool(_IN_SEVERAL.search(self.question))


_IN_SEVERAL = re.compile(
    r"\b(?:which|what) (?:articles|pieces|stories|reports)\b|"
    r"\b(?:two|both|several|multiple|couple of|more than one|different)(?: of)?(?: the| these| those)? "
    r"(?:articles|pieces|stories|reports)\b|\bmore than one (?:article|piece|story|report)\b|"
    r"\beach (?:one|article|piece|story|report)\b|\bin each\b|\b(?:does|did|do) each\b|\beach (?:say|said|says)\b",
    re.I,
)
_ALL_ARTICLES = re.compile(
    r"\b(?:(?:all|each|every)(?: the)?(?: (?:two|three|four|five|six|seven|eight|several))?|"
    r"the (?:two|three|four|five|six|seven|eight|several))(?: of the)? (?:articles|sources|pieces|stories|documents)\b|"
    r"\bacross (the|all|these|those) (articles|sources|pieces|stories)\b|"
    r"\bacross all(?: of)? (these|those|them)\b|"
    r"\b(the|these|those) (articles|pieces|stories)\b",
    re.I,
)


# Verbs news text uses interchangeably for one relation, by their starts: asked "who was quoted", the article says
# "said"; asked "when was it released", it says "unveiled".
RELATED = (
    # ... and "who talked about X?": "Kai Wang's insights about X"
    (
        "say",
        "said",
        "tell",
        "told",
        "quot",
        "added",
        "noted",
        "accord",
        "remark",
        "argue",
        "explain",
        "warn",
        "talk",
        "spoke",
        "speak",
        "insight",
    ),
    ("releas", "launch", "unveil", "debut", "introduc", "announc", "rolled"),
    ("invest", "spend", "spent", "fund", "pour"),
    # "how does Alibaba pitch it?": "Alibaba touts their latest model as ..."
    ("pitch", "tout", "promot", "advertis", "hail", "billed", "showcas"),
    # "where does she work?": news text says "partner at Lux Capital", "engineer at Hugging Face"
    (
        "work",
        "employ",
        "engin",
        "lectur",
        "teach",
        "professor",
        "analyst",
        "director",
        "scientist",
        "economist",
    ),
)


# Verbs that name one relation too, but are too common in news text to count toward a sentence's rank ("AI
# development", "reports indicate"): they only say whether a sentence holds the asked relation.
RELATION_ONLY = (
    # "who built Qwen?": "having developed the Qwen model"
    ("build", "built", "develop", "creat", "maker"),
    # "when did the author first write about it?": "since I first reported on ..."
    ("writ", "wrote", "report", "publish", "author"),
    # "where can developers get it?", "where is alibaba dropping its models?": "releasing its models on platforms
    # like Hugging Face"
    ("get", "download", "access", "host", "obtain", "releas", "put", "publish", "drop"),
    # "who beat X to become champion?": "defeated X", "won"
    ("beat", "defeat", "win", "won", "victor", "champion", "overcam", "edged"),
    # "what inputs can it handle?": "capable of processing text, images, audio, and even video"
    ("handl", "process", "accept", "understand", "interpret", "support", "ingest"),
    # "who produced the comparison?": "UnderstandingAI.org provides a comparative analysis"
    ("produc", "provid", "conduct", "compil", "prepar"),
    # "when was that deal struck?": "Alibaba and Meta reached an agreement"
    ("struck", "strike", "reach", "agree", "seal", "inked", "signed", "signing"),
)


# Stems too short to match by their start ("add" would take "additional"), or that start another word ("partner",
# someone's job, starts "partnership", a deal): these match whole.
# the group of getting hold of a thing ("download", "access"), among every group relation_groups() numbers
GETTING = len(RELATED) + next(i for i, group in enumerate(RELATION_ONLY) if "download" in group)
_SAYING = next(i for i, group in enumerate(RELATED) if "say" in group)
_WORKING = next(i for i, group in enumerate(RELATED) if "work" in group)
RELATED_EXACT = {"add": _SAYING, "mention": _SAYING, "comment": _SAYING, "partner": _WORKING}


def relation_group(term: str) -> int | None:
    """Which RELATED group a term's verb belongs to, if any."""
    if term in RELATED_EXACT:
        return RELATED_EXACT[term]
    for i, starts in enumerate(RELATED):
        if term.startswith(starts):
            return i
    return None


def related_starts(term: str) -> tuple[str, ...]:
    """The starts of the other words news text uses for a term's relation ("pitch": "tout", "promot", ...); none for
    a term of no RELATED group, or of saying ("did they say anything about X?" asks about X, and news text quotes
    someone in nearly every paragraph)."""
    group = relation_group(term)
    if group is None or group == _SAYING:
        return ()
    return tuple(s for s in RELATED[group] if not term.startswith(s))


def relation_groups(term: str) -> set[int]:
    """Every RELATED or RELATION_ONLY group a term's verb belongs to ("releasing": released, and made available)."""
    if term in RELATED_EXACT:
        return {RELATED_EXACT[term]}
    return {i for i, starts in enumerate((*RELATED, *RELATION_ONLY)) if term.startswith(starts)}


def is_follow_up(question: str, known: Container[str] = ()) -> bool:
    """Whether the question leans on earlier turns (pronouns, 'and ...', 'what about', or very few content words)."""
    content = [t for t in sparse.terms(question) if t not in FILLER]
    if bool(_FOLLOW_UP.search(question)) or len(set(content)) <= 1:
        return True
    # A fragment without a verb or a name of its own ("Over what time span?", "Which exact date?") goes on from the
    # question before it
    return (
        len(re.findall(r"[\w’'\-]+", question)) <= FRAGMENT_WORDS
        and not AUX.search(question)
        and not names(question, known)
    )


# "What's Nvidia's stock price?", "What is the publication date of ...": the noun after "what is [X's]".
_WHAT_IS = re.compile(
    r"^\s*(?:(?:so|and|ok|okay|then|but|well)\W+)?what(?:'s|’s| is| was| are| were)\s+(?:the\s+|its\s+|their\s+)?"
    r"(?:(?:[A-Z][\w\-.]*\s+){0,2}[\w\-.]+(?:'s|’s)\s+)?"  # "DeepSeek R1's": a name of up to three words owns it
    r"([\w\-]+(?:\s+[\w\-]+){0,2}?)"
    r"(?=\s+(?:of|for|in|on|at|right|now|last|this|that|to|by|vs\.?|versus|against|compared)\b|\s*\?|\s*$)",
    re.I,
)
# "What is the exact date Alibaba released Qwen-VL?": the noun a clause of its own follows, when it names a value
_WHAT_IS_BEFORE_CLAUSE = re.compile(
    r"^\s*(?:(?:so|and|ok|okay|then|but|well)\W+)?what(?:'s|’s| is| was| are| were)\s+(?:the\s+|its\s+|their\s+)"
    r"((?:[\w\-]+\s+){0,2}?[a-z][\w\-]*)(?=\s+(?:(?-i:[A-Z])|(?:the|they|it|he|she|its|their|this|that)\b))",
    re.I,
)
# "List the Chinese AI companies ...": up to the plural noun the list is of
_LIST_OF = re.compile(
    r"^\s*(?:list|name|enumerate)\s+(?:the\s+|all\s+(?:the\s+)?)?((?:[\w\-]+\s+){0,3}?(?:[\w\-]+s|people)\b|[\w\-]+)",
    re.I,
)
# A query without a question word opens with what it asks for: "price of X", "exact score vs Y"
_HEAD_OF = re.compile(
    rf"^\s*(?!(?:{AUX_WORDS}|what|which|who|whom|whose|how|why|when|where|list|name|summari[sz]e|tell|give|"
    r"describe|explain|compare|contrast)\b)((?:(?:exact|specific|total)\s+)?[a-z][\w\-]*)\s+(?:of|for|vs\.?|versus)\b",
    re.I,
)
_COUNTED = re.compile(r"\bhow (?:many|much)\s+([A-Za-z][\w\-]*)", re.I)


_CATEGORY = re.compile(r"\b(?:every|each|all(?: the)?|any)((?:\s+[\w\-]+){1,3})|\b(\w+(?:ies|s)|people)\b", re.I)

# Named things that are people.
_PEOPLE = re.compile(
    r"^(person|peopl|expert|analyst|researcher|executive|founder|ceo|author|writer|journalist|reporter|official|"
    r"leader(?!board)|scientist|professor|engineer|lectur|academ|investor|speaker|voic|blogger|columnist|commentator|editor|spokes)"
)


def _categories(text: str) -> list[str]:
    """What a list gathers when the question names it as a plural ("the people quoted", "companies or models")
    or after "every"/"all the" ("every AI model the articles mention")."""
    out = []
    for m in _CATEGORY.finditer(text):
        for word in (m.group(1) or m.group(2)).split():
            if word.lower() not in (
                "articles",
                "article",
                "sources",
                "pieces",
                "stories",
                "documents",
                "is",
                "was",
                "does",
                "has",
            ):
                out.extend(sparse.terms(word))
    return out


def _focus(text: str) -> list[str]:
    """The asked attribute: the noun after "how many"/"how much", or the words between "what/which" and the verb."""
    m = _FOCUS.search(text) or _FOCUS_END.search(text) or _FOCUS_BARE.search(text) or _FOCUS_DOER.search(text)
    words = m.group(1) if m else ""
    if not words and (c := _COUNTED.search(text)):
        words = c.group(1)
    if not words and (w := _WHAT_IS.search(text)):
        words = w.group(1)
    if not words and (w := _WHAT_IS_BEFORE_CLAUSE.search(text)):
        head = sparse.terms(w.group(1))[-1:]
        words = w.group(1) if head and head[0] in _VALUE_NOUNS | _ATTRIBUTES else ""
    if not words and (ls := _LIST_OF.search(text)):
        words = ls.group(1)
    if not words and (h := _HEAD_OF.match(text)):
        words = h.group(1)  # "price of qwen2.5-omni api", "exact score vs gpt-4v": a query's opening noun
    # "how many parameters qwen2-vl have?": what is counted is not the thing named
    named = {t for n in names(text) for t in sparse.terms(n)} if _COUNTED.search(text) else set()
    focus = [t for t in sparse.terms(words) if t not in FILLER and t not in named]
    if not focus and _COUNTED.search(text) and (owned := _OWNED.search(text)):
        # "How much did Alibaba Cloud's revenue grow?": the measured thing is what the name owns
        focus = [t for t in sparse.terms(owned.group(1)) if t not in FILLER]
    return focus


def _attributes_named(text: str, searched: bool = False) -> list[str]:
    """What a query typed without a question word asks for: the attributes it names ("Qwen2-VL release date?",
    "Llama 2 param count?"), its signs read as words ("# of GPUs stockpiled?", "deal value $?"). Words typed as into
    a search box, with no question mark, ask for a value only by a word that names one: a date, a count, a sum
    ("qwen2-vl release date"), not a quality ("qwen-vl upgrade resolution" looks for what the upgrade did to it)."""
    signed = [word for sign, word in _SIGNS if sign in text]
    # ... by the words that head it, not by a noun after a preposition ("his take on qwen across model sizes?" asks
    # for his take)
    text = _GIVEN_SPAN.sub(" ", _HEAD_ENDS.split(text, maxsplit=1)[0])
    wanted = _VALUE_NOUNS if searched else _ATTRIBUTES
    return [t for t in dict.fromkeys(sparse.terms(" ".join([text, *signed]))) if t in wanted]


# Where the words that head a query end: "his take | on qwen across model sizes?"
_HEAD_ENDS = re.compile(r"\s(?:on|across|about|regarding|among|between|during|within|towards?)\s", re.I)


def _is_query(text: str) -> bool:
    """Whether a part is a query typed without a question word: with a question mark ("Llama 2 param count?"), or
    words with no verb of asking at all, as typed into a search box ("qwen2-vl release date")."""
    return not HAS_QWORD.search(text) and (text.rstrip().endswith("?") or not AUX.search(text))


# "investment over the next 3 years": a span given, not a date asked
_GIVEN_SPAN = re.compile(r"\b\d+\s+(?:years?|yrs?|months?|weeks?|days?)\b", re.I)


# "Alibaba Cloud's revenue": what a name owns
_OWNED = re.compile(r"\b[A-Z][\w\-.]*['’]s\s+([a-z][a-z\-]+)\b")


# "what does it cost?" (not "paid models": a kind of model)
_COSTS = re.compile(
    r"\b(cost|costs|priced|charge|charges|pay|paid(?!\s+(?:models?|versions?|tiers?|plans?|services?|offerings?|"
    r"products?|options?|apps?)\b))\b",
    re.I,
)
_MEASURE_NOUNS = frozenset(
    sparse.terms(
        "accuracy score scores rate percentage share speed latency size count number amount parameters resolution "
        "capacity length rank ranking margin"
    )
)
# "the maximum image resolution", "the highest position": an extreme of a measure is a figure.
_EXTENT = re.compile(
    r"\b(?:maximum|minimum|max|min|peak|highest|lowest)\s+(?:[\w\-]+\s+){0,2}?"
    r"(?:resolution|size|speed|price|cost|length|capacity|rate|rank|ranking|position|number|amount|value|score|"
    r"limit|spot|place)s?\b",
    re.I,
)
_MONEY_NOUNS = frozenset(
    sparse.terms("price prices cost costs revenue revenues valuation salary budget funding profit")
)
_SPAN_WORDS = frozenset(sparse.terms("time period span stretch"))
_CURRENCY_WORDS = frozenset(sparse.terms("money cash dollar dollars euro euros sum amount"))
_DATE_NOUNS = frozenset(sparse.terms("date year month day publication released launch"))
_SIGNS = (("#", "number"), ("%", "percentage"), ("$", "dollars"))
# "alibaba spin off cloud when completed date", "alibaba open models where published": in words typed as into a
# search box, a question word anywhere asks what it asks at the start
_INNER_QWORD = re.compile(r"\b(when|where)\b", re.I)
# "baichuan developer company", "omni article author": a query ending on a role asks who holds it ("the author's
# piece" names the role, it does not ask it)
_ROLE_LAST = re.compile(
    r"\b(?:author|writer|developer|maker|creator|founder|ceo|owner|publisher)s?(?:\s+(?:company|firm|name))?\s*\??\s*$",
    re.I,
)
# (a rank is also said in words: "one of the most downloaded")
_ATTRIBUTES = (_MEASURE_NOUNS - frozenset(sparse.terms("rank ranking"))) | (
    _MONEY_NOUNS | _CURRENCY_WORDS | frozenset(sparse.terms("date year month day valuation"))
)
_VALUE_NOUNS = _MONEY_NOUNS | _CURRENCY_WORDS | frozenset(sparse.terms("date year month day count number parameters"))


_PLURAL_ASK = re.compile(
    r"^\s*(?:and\s+)?(?:which|what)\s+(?:(?!(?:are|were|is|was|do|does|did|should|can|could|would|will|have|has|"
    r"might|may|must)\b)[\w\-]+\s+){0,3}?(\w+s|people)\s+"
    r"(?:are|were|have|has|did|do|does|get|got|is|was|can|could|would|will|should|might|may)\b|"
    r"^\s*(?:and\s+)?what\s+(?:are|were)\s+(?:the|some)\s+(?:\w+\s+)?(\w+s)\b|"
    r"^\s*who\s+(?:are|were)\b",
    re.I,
)


# What a list of names is a list of: companies, models, people ... ("which benefits" lists ideas, not names).
_NAMED_THINGS = re.compile(
    r"^(compan|firm|giant|lab|model|chatbot|bot|person|peopl|countr|nation|organi|startup|platform|product|"
    r"universit|cit(y|i)|brand|executive|researcher|analyst|expert|publication|outlet|newspaper|rival|competitor|"
    r"partner|investor|institut|agenc|government|manufacturer|maker|developer|leader|official|founder|ceo|site|"
    r"website|benchmark|apps?$|author|writer|journalist|reporter|chip|processor|gpu|tech|licen|sourc|news|media)"
)


def is_named_kind(stem: str) -> bool:
    """Whether a stemmed noun is a kind of thing that has names (companies, models, benchmarks), not of ideas."""
    return bool(_NAMED_THINGS.match(stem))


# "Which article raises privacy worries ...?", "which pieces quote experts": an article asked for, not a name in one
_WHICH_ARTICLE = re.compile(
    r"^\s*(?:and\s+)?(?:which|what)\s+(?:one\s+of\s+the\s+|of\s+the\s+)?(?:\w+\s+)?"
    r"(?:articles?|pieces?|stories|story|reports?|op-?eds?|posts?|columns?|commentar(?:y|ies))\b(?!\s+(?:of|by)\b)",
    re.I,
)


def _refine(kind: Kind, focus: Sequence[str], text: str) -> Kind:
    """A "what" question is typed by the attribute it asks for: "what's X's price" asks how much; "which companies
    have ..." and "who are ..." ask for several things: a list."""
    fs = set(focus)
    if kind == "which" and _WHICH_ARTICLE.match(text):
        return "what"  # "Which articles bring up DeepSeek?": the article is the answer, any sentence on it the evidence
    if kind in ("compare", "what", "definition") and fs & _MEASURE_NOUNS:
        # "what score did X get compared with Y?", "what were the actual scores?", "by what margin?" ask for figures
        return "how_many"
    m = _PLURAL_ASK.search(text)
    noun = m and (m.group(1) or m.group(2))
    if kind in ("which", "who", "what", "definition") and m and (not noun or not noun.lower().endswith("ss")):
        return "list"
    if kind not in ("what", "definition", "which"):
        return kind
    if fs & (_MONEY_NOUNS | _CURRENCY_WORDS) or (kind == "what" and _COSTS.search(text)):
        return "how_much"
    if fs & {"date", "year", "month", "day"}:
        return "when"
    if (kind != "which" and fs & _MEASURE_NOUNS) or _EXTENT.search(text):
        return "how_many"  # "what accuracy did it reach": a figure answers, a sentence about accuracy does not
    return kind


# What asks for a summary is not its topic: "the key takeaways of the Omni piece" has none.
_SUMMARY_WORDS = frozenset(
    sparse.terms(
        "summarize summarise summary recap main key points point ideas idea takeaways takeaway arguments argument "
        "message thesis highlights overview gist brief briefly few couple sentences sentence overall mainly mostly "
        "argue claim contend conclude hook upshot"
    )
)


_ASIDE = re.compile(
    r"\b(?i:besides|apart from|aside from|other than|except(?: for)?|excluding|beyond)\s+"
    r"((?:[A-Z][\w\-.’']*(?:\s+|,\s*)?){1,4})"
)


_ASIDE_TOPIC = re.compile(
    r"\b(?i:besides|apart from|aside from|other than|except(?: for)?|excluding)\s+([a-z][^,?;.]{2,40}?)(?=\s*[,?;.]|$)"
)


# Phrasal verbs that news text says in one word: "when did it come out?" asks when it was released
_PHRASAL = (
    (re.compile(r"\b(?:came|come|comes|coming) out\b", re.I), "released"),
    # "what kinds of stuff can it take in?": what it handles
    (re.compile(r"\b(?:take|takes|taking|took)\s+in\b", re.I), "handle"),
    # ... "when did Baidu put theirs out?"
    (
        re.compile(r"\bput(?:s|ting)?\s+(?:(?:it|them|theirs|hers|his|this|that|these|those|one)\s+)?out\b", re.I),
        "released",
    ),
    # "which carmaker is Alibaba partnering with?" asks about a collaboration, not a job ("partner at Lux Capital")
    (re.compile(r"\bpartner(?:s|ed|ing)?\s+(?=with\b)|\bteam(?:s|ed|ing)?\s+up\s+(?=with\b)", re.I), "collaborating "),
    # "who made Baichuan?": who built it ("made" is a stopword: the question would ask no relation); but "made
    # available" is a release, and "who made that point?" asks who said it
    (
        re.compile(
            r"\bmade\b(?!\s+(?:it\s+|them\s+)?(?:available|public|accessible|open)\b)"
            r"(?!\s+(?:a|an|the|that|this|these|those|his|her|their|its)\s+(?:\w+\s+)?(?:point|claim|statement|"
            r"prediction|remark|comment|argument|case|observation|warning|suggestion|announcement)s?\b)",
            re.I,
        ),
        "built",
    ),
)


def _one_word_verbs(text: str) -> str:
    """The text with phrasal verbs in one word and a capital named for its country ("Beijing": China)."""
    for pattern, verb in _PHRASAL:
        text = pattern.sub(verb, text)
    for capital, country in CAPITALS.items():
        text = re.sub(rf"\b{capital}\b", country, text)
    return text


def _part(
    text: str,
    borrowed_terms: Sequence[str],
    borrowed_names: Sequence[str],
    reference: Sequence[str] = (),
    known: Container[str] = (),
) -> Part:
    ref_terms = {t for w in reference for t in sparse.terms(w)}
    # "the author of the Omni commentary", "the Qwen2-VL writer": the named article and who wrote it say where to
    # look, not what to find
    ref_terms |= {t for m in WRITER_OF.finditer(text) for t in sparse.terms(m.group(0))} if reference else set()
    ref_terms |= {t for w in place_words(text) for t in sparse.terms(w)}  # "the last article"
    asked = kind_of(text)
    own = [
        t
        for t in dict.fromkeys(sparse.terms(_one_word_verbs(text)))
        if t not in FILLER and t not in ref_terms and not (asked == "summary" and t in _SUMMARY_WORDS)
    ]
    # "Besides Alibaba, which companies ...?": what is set aside is not what the answer must be about, nor are the
    # words of a thing set aside ("Besides open-sourcing, how else does Alibaba sell its models?")
    aside = " ".join(m.group(1) for m in _ASIDE.finditer(text))
    set_aside = " ".join(w for m in _ASIDE_TOPIC.finditer(text) for w in m.group(1).split() if w.islower())
    rest = _ASIDE_TOPIC.sub(" ", text)
    aside_terms = [t for t in dict.fromkeys(sparse.terms(set_aside)) if t not in FILLER and t not in sparse.terms(rest)]
    own_names = [n for n in names(text, known) if n not in reference and n not in aside]
    focus = [t for t in _focus(text) if t not in ref_terms]
    kind = _refine(asked, focus, text)
    if kind == "what" and not focus and _is_query(text):
        # a question typed without a question word is typed by the attribute it names, which a quote need not
        # repeat ("Qwen2-VL release date?" is answered by a date, "baichuan developer" by who made it)
        attributes = _attributes_named(text, searched=not text.rstrip().endswith("?"))
        kind = "who" if _ROLE_LAST.search(text) else _refine(kind, attributes, text)
    elif kind == "what" and not AUX.search(text) and not ASKS.match(text) and (inner := _INNER_QWORD.search(text)):
        kind = cast(Kind, inner.group(1).lower())
    if kind == "how_much":  # "how much money": a sum of money is what a currency figure is; no word need say so
        focus = [t for t in focus if t not in _CURRENCY_WORDS]
    if kind == "duration":  # "how much time", "over what period": a span of time is what a duration is
        focus = [t for t in focus if t not in _SPAN_WORDS]
        own = [t for t in own if t != "long"]  # "how long": the asked type, not a word to find
    gathers = [*focus, *_categories(text)] if kind == "list" else []  # what a list is a list of
    # ... which the asked noun says when there is one: "what focus areas does it recommend for Western countries?"
    # lists areas, not countries
    kinds_from = focus if focus and not _NAMED_THINGS.match(focus[-1]) else gathers
    # A part with no name of its own ("and who made it?") is about what the question or conversation is about.
    needs_subject = not own_names or bool(_FOLLOW_UP.search(text))
    subject = tuple(t for t in borrowed_terms if t not in own) if needs_subject else ()
    part_names = tuple(own_names) + (tuple(n for n in borrowed_names if n not in own_names) if needs_subject else ())
    named_thing = _NAMED_THING.search(text)
    thing = sparse.words(next(g for g in named_thing.groups() if g)) if named_thing else []
    if kind == "which" and named_thing and any(_PEOPLE.match(t) for t in thing):
        kind = "who"  # "what is the name of the CEO ...?"
    # ... and "Baidu's new AI" is one of its models ("AI regulations" are not)
    # ... and "name of it" asks the name of what the conversation is about ("what is it called?" may ask a kind's
    # name: "Blackwell-based systems")
    named = bool(_CALLED.search(text)) and (
        not thing
        or any(_PRODUCT_NOUNS.match(t) for t in thing)
        or _called_noun(thing) == "ai"
        or bool(named_thing and named_thing.group(1) and set(thing) <= _POINTERS)
    )
    return Part(
        text=text,
        kind=kind,
        focus=tuple(focus),
        terms=tuple(own),
        subject=subject,
        names=part_names,
        author=kind == "who" and bool(_WHO_WROTE.search(text)) and not _WHO_PUBLISHED.search(text),
        publisher=kind in ("who", "which", "what") and bool(_WHO_PUBLISHED.search(text)),
        headings=bool(_HEADINGS.search(text)),
        closing=bool(_CLOSING.search(text)),
        named=named,
        items_named=kind == "list" and any(_NAMED_THINGS.match(f) for f in kinds_from),
        items_people=kind == "list" and any(_PEOPLE.match(f) for f in kinds_from),
        aside=tuple(aside_terms),
        premise=_premise(text, own) if kind in OPEN_KINDS else (),
        gathers=tuple(dict.fromkeys(gathers)),
        kinds=tuple(dict.fromkeys(g for g in kinds_from if kind == "list" and _NAMED_THINGS.match(g))),
        verb=next((t for t in sparse.terms(m.group(1)) if t not in FILLER), "")
        if (m := _WHO_VERB.match(_one_word_verbs(text)))
        else "",
        specific=next(iter(sparse.terms(_head_noun(m.group(1)))), "")
        if (m := _SPECIFIC_BEFORE_NAME.search(text) or _SPECIFIC.search(text) or _EXACTLY.search(text))
        # "What are China's AI regulations actually called?" asks for them by name, as "the names of" does
        else _called_noun(thing)
        if named_thing and thing and not named and kind in ("which", "what")
        else focus[-1]
        if kind in ("which", "who") and focus and _ORGANISATIONS.match(focus[-1])
        else "",
    )


# What a response is asked to: "How did the US respond when Qwen2-VL beat GPT-4V?", "What did the government do in
# response to ...?", "After the ban, how did Chinese firms react?"
_PREMISE = re.compile(
    r"(?:^|(?<=\s))(?i:when|after|once|following|in (?:response|reaction|answer) to|now that|given that)\s+([^?,;]+)"
)
_RESPONSE = re.compile(r"\b(?:respond|responds|responded|react|reacts|reacted|response|reaction)\b", re.I)


def _premise(text: str, terms: Sequence[str]) -> tuple[str, ...]:
    """The terms only of the event a question asks the response to; () when it asks no response."""
    m = _PREMISE.search(text)
    if not m or (m.start() == 0 and text.lower().startswith("when")) or not _RESPONSE.search(text):
        return ()
    rest = set(sparse.terms(text[: m.start()] + " " + text[m.end() :]))
    return tuple(t for t in dict.fromkeys(sparse.terms(m.group(1))) if t in terms and t not in rest)


# "Which company is Kai Wang with?", "What organization employs her?": asked for one by name, as "which specific"
# does; a sentence about the person that names something else ("LLM") does not say where they are
_ORGANISATIONS = re.compile(r"^(?:compan|firm|organi|institut|employ|universit|agenc)")


# "which benchmarks exactly ...?", "what license does it use exactly?", "which benchmarks specifically"
_EXACTLY = re.compile(
    r"\b(?:which|what)\s+((?:[\w\-]+\s+){0,2}?[a-z][\w\-]*)\s+(?:\w+\s+){0,3}?"
    r"(?:exactly|specifically|precisely|in particular)\b",
    re.I,
)


def _called_noun(thing: Sequence[str]) -> str:
    """The stemmed noun of what a name is asked for ("China's AI regulations actually": regul)."""
    nouns = [w for w in thing if not w.endswith("ly") and w not in FILLER]
    return next(iter(sparse.terms(nouns[-1])), "") if nouns else ""


def _head_noun(words: str) -> str:
    """The noun a run of words ends with, before the verb that may follow it ("Alibaba Cloud model launched": model)."""
    ws = words.split()
    while len(ws) > 1 and re.search(r"[a-z](?:ed|ing)$", ws[-1]):
        ws.pop()
    return ws[-1]


# "Which specific benchmarks ...?", "the exact license", "the names of the regulations": asked for by name, which a
# mention of the kind does not give
_SPECIFIC = re.compile(
    rf"\b(?:specific|exact|particular|precise|names?\s+of(?:\s+(?:the|its|their|this|that|these|those))?|"
    rf"(?<=which\s)named|(?<=what\s)named)\s+"  # "on which named benchmarks?"
    rf"((?:[\w\-’']+\s+){{0,3}}?[a-z][\w\-]*)"
    # ... "which specific benchmarks those were" (asked whether the author names them)
    rf"(?=\s+(?:{AUX_WORDS}|that|which|the|on|in|of|for|by|from|to|does|did|those|these|they|it)\b|\s*[?,.;]|\s*$)",
    re.I,
)
# ... or "which specific benchmarks Qwen2-VL beat": the clause after it, its subject a name
_SPECIFIC_BEFORE_NAME = re.compile(
    rf"\b(?:specific|exact|particular|precise)\s+((?:(?!(?:{AUX_WORDS})\b)[\w\-]+\s+){{0,2}}?"
    rf"(?!(?:{AUX_WORDS})\b)(?-i:[a-z])[\w\-]*)(?=\s+(?-i:[A-Z]))",
    re.I,
)


# "Who runs ...?", "Who took over ...?": the doer of a verb is asked, and a sentence without the verb names no doer
_WHO_VERB = re.compile(
    r"^\s*(?:and\s+)?who\s+(?:(?:needs?|has|have|wants?|plans?|tries|tried|ought|hopes?|aims?|stands?|seems?|tends?)"
    r"\s+to\s+)?"
    rf"(?!(?:{AUX_WORDS}|else)\b)"
    # ... but a light verb before an activity says nothing of its own: "Who ran that comparison?" asks who made it,
    # said any way (not "Who runs the Stanford institute?")
    r"(?!(?:ran|run|runs|made|make|makes|conducted|conducts|performed|performs|carried)\s+(?:out\s+)?"
    r"(?:the|that|this|those|these|a|an)\s+(?:[\w\-]+\s+)?(?:\w+(?:tion|sion|ison|sis|ment|ing)s?|tests?|stud(?:y|ies)|"
    r"surveys?|reviews?|benchmarks?)\b)([a-z]+)\b",
    re.I,
)


_POINTS_AT_WHAT_WAS_ASKED = re.compile(r"\b(?:that|this|it)\s*[?.!]*\s*$", re.I)


def _subject_of(text: str, reference: Sequence[str] = (), known: Container[str] = ()) -> tuple[list[str], list[str]]:
    """Content terms and names of a question, for a later part or follow-up to borrow: not the words that named its
    article ("per the Omni article"), which say where to look, not what it was about."""
    ns = [n for n in names(text, known) if n not in reference]
    # what is asked is not borrowed, but what was named is, asked about or not ("What is Qwen2-VL?")
    focus = set(_focus(text)) - {t for n in ns for t in sparse.terms(n)}
    ref_terms = {t for w in reference for t in sparse.terms(w)}
    ts = [t for t in dict.fromkeys(sparse.terms(text)) if t not in FILLER and t not in focus and t not in ref_terms]
    return ts, ns


def last_answer(history: Sequence[Turn]) -> str:
    """The conversation's last answer, without its [n] markers."""
    said = next((t.content for t in reversed(history) if t.role == "assistant"), "")
    return re.sub(r"\s*\[\d+\]", "", said).strip()


_LEAD_CLAUSE = re.compile(
    r"^\s*((?:according to|per|in|from|based on|besides|apart from|aside from|other than|except(?: for)?|beyond)"
    r"\s+(?![^,?]*\b(?:what|which|who|whom|how|why|when|where)\b)[^,?]{1,60}),\s*(\w.*?)\s*([?.!]*)\s*$",
    re.I,
)


def _lead_clause_last(question: str) -> str:
    """ "Besides Alibaba, which companies ...?" asked as "Which companies ..., besides Alibaba?": what is asked comes
    first, as every question's analysis expects ("In what ways …, according to Manuel?" has no leading clause)."""
    m = _LEAD_CLAUSE.match(question)
    if not m:
        return question
    clause, rest, end = m.groups()
    return f"{rest[0].upper()}{rest[1:]}, {clause[0].lower()}{clause[1:]}{end}"


def analyse(question: str, history: Sequence[Turn] = (), known: Container[str] = ()) -> Analysis:
    """Type, parts, focus and subject of a question; a follow-up resolved against the earlier questions. Known names
    (lowercased) are names though they open a sentence (see names())."""
    q = _lead_clause_last(question.strip())
    earlier = tuple(t.content for t in history if t.role == "user")
    follow_up = bool(earlier) and is_follow_up(q, known)
    standalone = q
    borrowed_terms: list[str] = []
    borrowed_names: list[str] = []
    if follow_up:
        ellipsis = _ELLIPSIS.match(q)
        previous = earlier[-1]
        if ellipsis and previous:
            # "What about DeepSeek?" asks the previous question again about something else.
            new_subject = ellipsis.group(1)
            reference = article_reference(previous)
            prev_names = [n for n in names(previous, known) if n not in reference]
            # in the place of the earlier subject (where it reads as a name), the others dropped
            replaced = previous
            for i, n in enumerate(prev_names):
                name = rf"{re.escape(n)}(?:\s+\d[\w.]*)?(?![\w\-])"  # "Llama 2"
                if i == 0:
                    replaced = re.sub(name, lambda _: new_subject, replaced, count=1)
                else:
                    joined = r"\s*(?:\bvs\.?|\bversus|\band|\bor|\bcompared (?:to|with))?\s*"
                    replaced = re.sub(joined + name, "", replaced, count=1)
            standalone = re.sub(r"\s+", " ", replaced).strip() if prev_names else f"{previous} {new_subject}"
            resolved = tuple(_part(p, [], [], reference, known) for p in split_parts(standalone))
            return Analysis(q, standalone, resolved, follow_up=True, earlier=earlier, article=tuple(reference))
        bare = _BARE.match(q)
        prev_focus = _FOCUS.search(previous) or _COUNTED.search(previous)
        if bare and prev_focus and not AUX.search(bare.group(2)):
            # "And which phone company?" after "Which carmaker is Alibaba partnering with?": same question, new noun.
            a, b = prev_focus.span(1)
            standalone = f"{previous[:a]}{bare.group(2).strip()} {previous[b:].lstrip()}"
            reference = article_reference(standalone)
            resolved = tuple(_part(p, [], [], reference, known) for p in split_parts(standalone))
            # A parallel question: its answer may sit in the very sentence that answered the last one.
            return Analysis(
                q, standalone, resolved, follow_up=True, earlier=earlier, article=tuple(reference), restates=True
            )
        if _STATEMENT.search(q) and last_answer(history):
            # "Who made that point?": the point is the previous answer's, so its words say what to look for.
            first = re.split(r"(?<=[.!?])\s", last_answer(history), maxsplit=1)[0][:300]
            borrowed_terms = [t for t in dict.fromkeys(sparse.terms(first)) if t not in FILLER]
            borrowed_names = names(first)
            standalone = f"{q} {first}".strip()
            reference = article_reference(q)
            about = tuple(_part(p, borrowed_terms, borrowed_names, reference, known) for p in split_parts(q))
            return Analysis(q, standalone, about, follow_up=True, earlier=earlier, restates=True)
        # The subject is what the latest earlier question that named something was about.
        # The standalone form keeps the words that named its article too: they are what to retrieve.
        mentioned: list[str] = []
        for prev in reversed(earlier):
            ts, ns = _subject_of(prev, article_reference(prev), known)
            if ns or ts:
                borrowed_terms, borrowed_names, mentioned = ts, ns, names(prev, known)
                break
        # "Which US model is ten times larger? ... How did Alibaba and that company work together?": what a "which"
        # or "who" question asked for is named in its answer, and "that company", "he" point at it (not "she"
        # after "Who is Grace Isford?", where she is named)
        asked = _lead_clause_last(earlier[-1])
        if re.match(r"\s*(?:and\s+)?(?:which|who)\b", asked, re.I) and (
            _ANSWERED_THING.search(q) or (_ANSWERED_PERSON.search(q) and not names(asked, known))
        ):
            raw = next((t.content for t in reversed(history) if t.role == "assistant"), "")
            # the sentence that answered: its first quote's last (any before it is what that one leans on)
            quote = re.split(r"\[\d+\]", raw, maxsplit=1)[0]
            spans = sentence_spans(quote)
            said = quote[spans[-1][0] : spans[-1][1]] if spans else ""
            found = [n for n in names(said) if n not in mentioned and n not in names(earlier[-1], known) and n not in q]
            borrowed_names = [*borrowed_names, *found]
            borrowed_terms = [*borrowed_terms, *(t for n in found for t in sparse.terms(n) if t not in borrowed_terms)]
            mentioned = [*mentioned, *found]
        extra = [n for n in mentioned if n not in q] or [t for t in borrowed_terms if t not in q][:6]
        if _POINTS_AT_WHAT_WAS_ASKED.search(q):
            # "and how did Chinese companies work around that?": "that" is what the last question asked about (the
            # US limiting their access to chips), not only whom it named
            extra += [t for t in borrowed_terms if t not in q and t not in extra][:6]
        standalone = " ".join([q, *extra]) if extra else q
    places = article_references(q)
    reference = article_reference(q, places)
    if follow_up and not reference:
        # A conversation about one article stays on it: "Is it open source?" after "... in the arms race article?"
        reference = next((r for prev in reversed(earlier) if (r := article_reference(prev))), [])
    parts: list[Part] = []
    for i, text in enumerate(split_parts(q)):
        if i == 0:
            parts.append(_part(text, borrowed_terms, borrowed_names, reference, known))
        else:
            first = parts[0]
            terms = [*first.terms, *first.subject]
            # (what a definition asks for is its subject: "what are edge devices? give an example" asks one of them)
            attribute = first.focus if first.kind != "definition" else ()
            parts.append(_part(text, [t for t in terms if t not in attribute], list(first.names), reference, known))
    # "What exact scores did it get, and on which benchmarks?": the later part asks for specific ones too
    if any(p.specific for p in parts):
        parts = [
            replace(p, specific=p.focus[-1]) if not p.specific and p.kind in ("which", "list") and p.focus else p
            for p in parts
        ]
    # "Who wrote the arms race article, and who is quoted in the piece on Qwen's popularity?": two articles, no one
    # article to keep to
    own_refs = {tuple(r) for p in split_parts(q) if (r := article_reference(p))}
    if len(own_refs) > 1:
        reference = []
    single = len(parts) == 1
    compared = [n for n in parts[0].names if n in parts[0].text and n not in reference] if single else []
    return Analysis(
        q,
        standalone,
        tuple(parts),
        follow_up=follow_up,
        earlier=earlier,
        article=tuple(reference),
        sides=tuple(places) if single else (),
        compared=tuple(compared) if single and parts[0].kind == "compare" else (),
    )
