"""Evidence for one part of a question: sentences ranked by holding what was asked, not just its topic."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

from rag.cite import Sentence
from rag.errors import FootnoteError
from rag.kinds import TYPED
from rag.names import is_demonym, names_its_place
from rag.question import GETTING, Part, relation_groups
from rag.retrieval import sparse
from rag.text import MONTHS, WEEKDAYS, sentence_spans

MIN_WORDS = 5
MAX_LEAD = 2  # sentences a quote may bring from before it to start where its thought starts
_TERMINAL = re.compile(r"[.!\"”’)]$")
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|hundreds|thousand|thousands|million|millions|billion|billions|trillion|dozen|"
    r"dozens|half|twice|double|triple|tenfold"
)
# "one of the most downloaded" counts nothing.
# "one of them", "from one language to another" count nothing
# A figure stands alone: the digits of "GPT-4V" or "Qwen2-VL" name a model, and "2." ends a sentence.
_NUMBER = re.compile(
    r"(?<![\w\-.])\d(?:[\d,.]*\d)?(?:-\d(?:[\d,.]*\d)?)?(?:[KMBkmb]n?)?(?!\w|-(?-i:[A-Z0-9]))|"
    rf"\b({_NUMBER_WORDS})\b(?<!\bone)|\bone\b(?! of\b)(?!\s+[\w\-]+\s+(?:to|or)\s+another\b)",
    re.I,
)
_MONEY = re.compile(
    r"[$€£¥]\s?\d|\b\d[\d,.]*\s?(%|percent|per cent)|\b(million|billion|trillion|thousand)\b|"
    r"\b(dollars?|euros?|yuan|rmb|usd|pounds)\b",
    re.I,
)
# A question about money says so: "how much did it cost", "how much funding", "how much is it worth".
_MONEY_CUE = re.compile(
    r"\b(cost|costs|price|priced|pay|paid|spend|spent|worth|revenue|fund\w*|invest\w*|budget|valuation|salary|"
    r"profit|sell|sold|raise|raised|dollars?|euros?|money|fine|fined|fee|fees|charge|charged|earn\w*|financ\w*|"
    r"valu\w*|sales|market cap\w*|\$)",
    re.I,
)
# Sums of one kind, by their words: a revenue is not an investment ("What was Alibaba Cloud's revenue growth?" is
# not answered by "its commitment to investing $53 billion").
_SUM_KINDS = (
    re.compile(r"\b(revenues?|sales|turnover|income|earn\w*)\b", re.I),
    re.compile(r"\b(pric\w*|costs?|costing|charg\w*|fees?|pay|paid|pays|subscription)\b", re.I),
    re.compile(r"\b(valu\w*|worth|market cap\w*)\b", re.I),
    re.compile(r"\b(invest\w*|spend\w*|spent|fund\w*|commit\w*|pour\w*|budget\w*|capex|raise[ds]?|raising)\b", re.I),
    re.compile(r"\b(profit\w*|margins?|loss|losses)\b", re.I),
    re.compile(r"\b(shares?|stock)\b", re.I),
)


def sum_of_another_kind(question: str, text: str) -> bool:
    """Whether the question asks for a sum of a kind (a revenue, a price, an investment ...) that the text does not
    speak of."""
    kinds = [k for k in _SUM_KINDS if k.search(question)]
    return bool(kinds) and not any(k.search(text) for k in kinds)


# A comparison is answered by a comparative: "ten times larger", "more than", "unlike", "compared with".
_COMPARATIVE = re.compile(
    r"\bthan\b|\b\w+fold\b|\btimes (larger|smaller|bigger|more|less|faster|slower)\b|\bcompared (to|with)\b|"
    r"\b(outperform\w*|surpass\w*|outpac\w*|ahead of)\b",
    re.I,
)
# A comparison by one word only ("an updated version", "higher-resolution images") or by a contrast ("unlike X",
# "differs from"): an answer, but a weaker one.
_COMPARATIVE_WORD = re.compile(
    r"\b(higher|lower|larger|smaller|bigger|faster|slower|better|worse|fewer|greater|stronger|weaker|cheaper|newer|"
    r"older|updated|improved|upgraded|enhanced)\b|"
    r"\b(differs? (significantly |sharply |markedly )?from|unlike|in contrast (to|with)|contrasts? with|whereas)\b",
    re.I,
)
_TIME_UNIT = r"(?:second|minute|hour|day|week|month|year|decade|quarter)s?"
_DURATION = re.compile(
    rf"(?:\d[\d,.]*|\b(?:{_NUMBER_WORDS}|a|an|several|few)\b)[\s\-]+{_TIME_UNIT}\b|\bmere\s+\w+[\s\-]+{_TIME_UNIT}\b|"
    # a span without a count: "over the past year", "for decades", "since 2023", "from 2019 to 2023"
    rf"\b(?:past|coming|the\s+last|the\s+next)\s+(?:few\s+|several\s+)?{_TIME_UNIT}\b|\bfor\s+(?:years|months|decades|weeks)\b|"
    rf"\bsince\s+(?:(?:early|late|mid-?)\s*)?(?:1[89]\d\d|20\d\d|last\b|{MONTHS})|"
    r"\bfrom\s+(?:1[89]\d\d|20\d\d)\s+(?:to|until|through)\s+\w+",
    re.I,
)
_DATE = re.compile(
    # a month or weekday is capitalized: "may" is a verb ("(?-i:...)")
    rf"\b(1[89]\d\d|20\d\d)\b|\b(?-i:({MONTHS}))\b|\b(?-i:({WEEKDAYS}))\b|"
    r"\b(last|this|next|earlier this|later this|early|late) (year|month|week|spring|summer|autumn|fall|winter)\b|"
    r"\b\w+ (days?|weeks?|months?|years?) (?:to the day )?(ago|earlier|later|before|after|since)\b|\bago\b",
    re.I,
)
# Actors named by role, two or more coordinated ("governments, industry leaders, and researchers").
_AGENT = (
    r"(?:[\w\-]+\s+)?(?:governments?|compan(?:y|ies)|firms|leaders|researchers|scientists|engineers|developers|"
    r"investors|regulators|policymakers|lawmakers|officials|users|academics|academia|businesses|startups|"
    r"universities|labs|experts|analysts|consumers|citizens|organi[sz]ations|institutions|nations|countries)"
)
_AGENTS = re.compile(rf"\b{_AGENT}(?:,\s*{_AGENT})*,?\s+(?:and|or)\s+{_AGENT}\b", re.I)
_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
_ASKS_YEAR = re.compile(r"\b(?:what|which) year\b", re.I)
_ASKS_MONTH = re.compile(r"\b(?:what|which) month\b", re.I)
_ASKS_EXACT_DATE = re.compile(
    r"\bwhen\b.*\b(?:exact(?:ly)?|precise(?:ly)?)\b|\b(?:exact|precise|specific)\s+(?:date|day)\b|"
    r"\b(?:what|which)\s+(?:date|day)\b",
    re.I,
)
_ABSOLUTE_DATE = re.compile(rf"\b(?:1[89]\d\d|20\d\d)\b|\b(?-i:(?:{MONTHS}))\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b")
# A place, a platform or an institution: a name after a locative word ("at Lux Capital", "on platforms like GitHub").
_PLACE = re.compile(
    r"\b(?:in|at|on|from|to|via|through|across|within|into|like|such as)\s+(?:the\s+)?(?:[a-z]+\s+){0,2}"
    r"(?:like\s+|such as\s+)?([A-Z][\w\-’']+)"
)
_CAPITALIZED = re.compile(r"\b[A-Z](?:[\w\-’']|\.(?=\d))*(?:\s+[A-Z](?:[\w\-’']|\.(?=\d))*)*")  # "Qwen2.5-Omni-7B"
_FIRST_WORD = re.compile(r"^[\W]*([A-Z][\w\-’']*)")


def capitalized_runs(text: str) -> list[str]:
    """The runs of capitalized words of a text, as written ("Did Google", "Wall Street Journal", "Qwen2.5-Omni-7B")."""
    return _CAPITALIZED.findall(text)


# A product's name: inner capitals or digits (Qwen2-VL, GPT-4V, iPhone), not an all-capitals acronym (LLM, GPUs).
# ... or a capital or three and a number: "R1", "H100", "V3"
_PRODUCT = re.compile(r"\b(?=[\w\-.]*[a-z])(?=[\w\-.]*(?:\d|[a-z][A-Z]))[A-Za-z][\w\-.]*\w|\b[A-Z]{1,3}\d{1,4}[a-z]?\b")
# A sentence opening with these leans on the one before it.
_LEANS = re.compile(
    r"^(for (instance|example)|however|but|and|also|moreover|furthermore|meanwhile|still|yet|thus|therefore|hence|"
    r"as a result|in addition|additionally|similarly|likewise|instead(?! of)|indeed|in fact|nevertheless|nonetheless|"
    r"this|that|these|those|it|its|it's|they|their|them|he|his|she|her|such|the latter|the former|both|"
    r"on the other hand|in contrast|by contrast|even so|otherwise|then)\b",
    re.I,
)
# Page furniture: a call to the reader to share, subscribe or click is not something the article states.
_FURNITURE = re.compile(
    r"^(share|subscribe|sign (up|in)|log in|click|tap|follow (us|me)|join (us|our)|read (more|next)|"
    r"leave a (comment|reply)|download (our|the app)|like us|don['’]t miss|discover more)\b",
    re.I,
)
_BYLINE = re.compile(r"^(?:by\s+)?[A-Z][a-z’'\-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z’'\-]+){1,2}$")


def is_question(text: str) -> bool:
    """Whether a sentence asks rather than states ("Is it merely a strategic play ...?")."""
    return text.rstrip('"”’) ').endswith("?")


def is_answer_like(s: Sentence) -> bool:
    """Prose that states something: long enough, not a heading, not itself a question."""
    words = s.text.split()
    if is_question(s.text) or s.text.startswith("Q:") or _FURNITURE.match(s.text):
        return False
    return len(words) >= MIN_WORDS and (bool(_TERMINAL.search(s.text)) or len(words) >= 12)


def leans(text: str) -> bool:
    """Whether a sentence depends on the one before it ("For instance, ...", "However, ...", "It ...")."""
    head = text.lstrip("“\"‘'(")
    # "They [Chinese companies] perceive ...": the writer already said who.
    return bool(_LEANS.match(head)) and not re.match(r"\w+\s+\[[^\]]+\]", head)


def is_byline(line: str) -> bool:
    """A short line shaped like a person's name ("Franklin Manuel", "By Jane Q. Doe")."""
    return bool(_BYLINE.match(line.strip())) and len(line.split()) <= 5


# A page's own furniture, not the article's sections: "Share This Article", "0 comments", "Discover more from ..."
_CHROME = re.compile(
    r"^(?:share|comments?|\d+ comments?|subscribe|related|advertisement|read more|follow|sign up|discover more|"
    r"you may also like|leave a (?:reply|comment))\b",
    re.I,
)


def is_furniture(line: str) -> bool:
    """A line of the page's own furniture ("Share This Article", "Subscribe to get the latest posts ...")."""
    return bool(_CHROME.match(line.strip()))


def is_heading(line: str) -> bool:
    """A line shaped like a section heading: short, capitalized as a title, with no sentence's end ("A Call to Action
    for the West", "Looking Ahead"); not the page's furniture. (A byline is shaped so too: the caller knows where
    the article's head is.)"""
    s = line.strip()
    words = s.split()
    if not 1 <= len(words) <= 10 or s[-1] in '.?!,;"”' or not s[0].isupper() or _CHROME.match(s):
        return False
    long = [w for w in words if len(w) >= 4]
    return len(words) >= 2 and bool(long) and sum(w[0].isupper() for w in long) * 2 > len(long)


_NAMED_NUMBER = re.compile(r"\b[A-Z][\w\-]*\s$")


def numbers(text: str) -> list[str]:
    """The figures a text states, written in digits or words; not the short number of a name ("Llama 2")."""
    return [
        m.group(0)
        for m in _NUMBER.finditer(text)
        if not (m.group(0).isdigit() and len(m.group(0)) <= 2 and _NAMED_NUMBER.search(text, 0, m.start()))
    ]


def _new(found: Sequence[str], asked: str) -> bool:
    low = asked.lower()
    return any(f.lower() not in low for f in found)


# Where a person is named as such: speaking ("said Tiezhen Wang", "Isford added", "according to Triolo") or by a
# job ("Xin Sun, senior lecturer at ...").
_REPORTS = (
    r"(?:reports|reported|emphasizes|emphasises|echoes|echoed|highlights|stresses|warns|claims|states|notes|touts|"
    r"touted)"
)
_SAYS = (
    r"(?:said|says|added|adds|mentioned|remarked|explained|noted|notes|told|argued|argues|pointed out|stated|"
    r"warned|wrote|"
    r"writes|observed|commented|believes|thinks|cautioned|emphasized|emphasised|highlighted)"
)
# what a speaker or a source does in news text: says, or reports
_SPEAKS = rf"(?:{_SAYS}|{_REPORTS})"
_JOBS = (
    r"(?:engineer|lecturer|partner|analyst|professor|researcher|founder|co-founder|ceo|cto|director|executive|head|"
    r"scientist|fellow|official|president|chair|chairman|manager|editor|reporter|journalist|economist|adviser|advisor)"
)
_JOB = re.compile(
    rf"\b{_JOBS}s?\b|\b(?:spokes\w+|minister|senator|secretary|officer|leader|investor|consultant)s?\b", re.I
)
# "What is his role?", "Kai Wang's job title": asked for a job, which a sentence about the person need not say
_ASKS_ROLE = re.compile(
    r"\b(?:role|job|position|occupation|profession|title)s?\b(?!\s+of\s+(?:the|that|this|his|her))", re.I
)


# "What does she think ...?", "What did Triolo say about ...?": asked for someone's own words
_OPINION = re.compile(
    r"\b(?i:what|how)\s+(?i:does|did|do)\s+((?i:he|she)|[A-Z][\w\-’']+(?:\s+[A-Z][\w\-’']+)?)\s+(?:\w+\s+)?"
    r"(?:think|thinks|say|says|believe|argue|claim|feel|suggest|predict|warn|see|expect)\b"
)


def opinion_of(question: str, borrowed: Sequence[str]) -> str | None:
    """The surname of the person whose words are asked for ("she": the person the conversation named), if any."""
    m = _OPINION.search(question)
    if not m:
        return None
    who = m.group(1)
    if who.lower() in ("he", "she"):
        return borrowed[-1].split()[-1] if borrowed else None  # "Grace Isford" (or its pieces): Isford
    return who.split()[-1]


# "Kai Wang's insights about ...": what someone said, named by its noun
_UTTERANCES = r"(?:insights?|remarks?|comments?|words|views?|arguments?|warnings?|observations?|assessments?)"


def in_their_words(surname: str, text: str) -> bool:
    """Whether the text gives the person's words: "..., Isford pointed out", "said Tiezhen Wang", "according to",
    "Wang's insights"."""
    n = re.escape(surname)
    return bool(
        re.search(
            rf"\b{n}\b[’']?(?:,[^,.;“”]{{1,80}},)?,?\s+(?:\w+\s+)?{_SPEAKS}\b|\b(?:{_SAYS})\b,?\s+(?:[\w\-]+\s+){{0,3}}{n}\b|"
            rf"\baccording to\s+(?:[\w\-]+\s+){{0,2}}{n}\b|\b{n}[’']s\s+{_UTTERANCES}\b",
            text,
            re.I,
        )
    )


def asks_role(question: str) -> bool:
    """Whether the question asks what someone's job is ("what is his role?", "Kai Wang's job title"), not the title
    of an article or the role a thing plays."""
    # "Kai Wang's title", "her official title": a person's title is a job ("his article title" is not)
    owned = re.search(
        r"(?:[A-Z]\w+ [A-Z]\w+['’]s|\b(?:his|her)) (?:(?!article|piece|column|op-?ed|post|story|essay|book)\w+ )?"
        r"(?:role|job|position|title)",
        question,
    )
    role = (
        re.search(r"\bjob titles?\b", question, re.I)
        or owned
        or (_ASKS_ROLE.search(question) and not re.search(r"\btitles?\b", question, re.I))
    )
    return bool(role and (owned or re.search(r"\b(?:he|she|his|her)\b", question)))


def names_a_job(text: str) -> bool:
    """Whether the text says someone's job ("a machine learning engineer at Hugging Face", "partner at ...")."""
    return bool(_JOB.search(text))


_ENUMERATES = re.compile(
    r"\b(?:compan|firm|giant|lab|model|chatbot|platform|product|startup|manufacturer|maker|developer|rival|"
    r"competitor|partner|outlet|publication|institut|universit|organi[sz]ation|brand)\w*,?\s+(?:like|such as|including)"
    r"\s+[A-Z]",
    re.I,
)


def list_items(text: str, proper: frozenset[str] = frozenset(), *, people: bool = False) -> list[str]:
    """The names a sentence gives as items of a list: every name, or for a list of people the names it gives as
    a person's (a speaker, or someone with a job title)."""
    found = proper_names(text, proper)
    if not people:
        return found
    out = []
    for name in found:
        n = re.escape(name)
        if re.search(
            rf"{n}[’']?,?\s+(?:\w+\s+){{0,1}}{_SAYS}\b|\b{_SAYS},?\s+{n}\b|according to\s+{n}\b|"
            rf"{n},\s+(?:an?\s+|the\s+)?(?:[\w\-]+\s+){{0,3}}{_JOBS}\b",
            text,
            re.I,
        ):
            out.append(name)
    return out


# Nouns news text uses for one kind of named thing: asked for models, it says "the R1 model", "the Qwen series".
KIND_FAMILIES = (
    ("model", "chatbot", "bot", "version", "product", "llm", "assistant", "seri"),
    ("compan", "firm", "giant", "startup", "maker", "manufactur", "player", "corpor"),
    ("rival", "competitor", "contend"),
    ("outlet", "publica", "newspap", "site", "websit", "magazin"),
    ("institut", "universit", "colleg", "lab", "organi", "agenc", "group"),
)
# "Llama 2 model", "Qwen2-VL AI model", "Qwen open-source models": what stands between a name and its noun
_NAME_GAP = r"(?:(?:(?-i:[A-Z0-9])[\w\-.]*|[a-z]+-[\w\-]+)\s+){0,2}"


def _kind_words(kinds: Sequence[str]) -> tuple[str, ...]:
    kinds = [k for k in kinds if k != "tech"]  # "tech companies": tech says which companies
    out = set(kinds)
    for family in KIND_FAMILIES:
        if any(k.startswith(family) or f.startswith(k) for k in kinds for f in family):
            out.update(family)
    return tuple(out)


def bare_name(name: str) -> str:
    """A name lowercased, without a possessive ("Alibaba’s" is "alibaba")."""
    return re.sub(r"['’]s$", "", name.lower())


def describes(name: str) -> bool:
    """Whether a name only describes ("Chinese", "Chinese AI", "AI"): a people's word leads it, or two capitals."""
    head = name.split()[0]
    return bool(re.fullmatch(r"[A-Z]{1,2}", name)) or (head[1:].islower() and is_demonym(head))


def typed_names(
    found: Iterable[str], kinds: Sequence[str], texts: Sequence[str], *, employers: bool = False
) -> set[str]:
    """The names (lowercased) the texts call a thing of one of the kinds (stemmed nouns: "model", "compani"), by how
    they are put: "the R1 model"; "models such as Qwen and Baichuan"; "Qwen2-VL, a new vision-language AI model"; "the
    latest model in the Qwen series, the Qwen2.5-Omni-7B". What a list of models gathers is what the articles say are
    models; an owner ("Alibaba's recently released models") is not one of them, nor a word inside a longer name ("AI"
    in "Human-Centered AI Institute"). With employers, where someone works is an organisation too ("Grace Isford,
    partner at Lux Capital"): asked which firm she is with, not asked to list companies."""
    # "Chinese companies", "AI models": a people's word or a two-letter acronym describes them, it is none of them
    wanted = {bare_name(n) for n in found if not describes(n)}
    if not wanted or not kinds:
        return set()
    kind = rf"\b(?:{'|'.join(re.escape(w) for w in _kind_words(kinds))})[\w\-]*"
    # the name stands where \x00 is
    typed = re.compile(
        rf"\x00\s+{_NAME_GAP}{kind}|"  # the R1 model
        rf"{kind},?\s+(?:such as|like|including|for example|e\.g\.)\s+(?:the\s+)?\x00|"  # models like X
        rf"{kind},\s+(?:the\s+|including\s+)?\x00(?=,|\s+and\b|\s+or\b)|"  # two AI models, Qwen-VL and ...
        rf"{kind}(?:\s+[\w\-]+){{1,4}},\s+the\s+\x00(?=[,.;]|\s*$)|"  # the latest model in the Qwen series, the X.
        rf"\x00,\s+(?:a|an|the|its|their|one)\s+(?:[\w\-’'.]+\s+){{0,4}}{kind}",  # X, a new ... model
        re.I,
    )
    listed = re.compile(r"^,?\s+(?:and|or)\s+|\s+(?:and|or)\s+$")  # "Qwen and Baichuan"
    # A company is also known by what it does: it makes things ("Nvidia GPUs", "Meta’s Llama 2 model") and puts them
    # out ("Baidu ... having unveiled its multimodal model"); a country does neither in these words.
    companies = bool({"compan", "firm"} & set(_kind_words(kinds)))
    organisations = companies or bool({"institut", "organi"} & set(_kind_words(kinds)))
    # ... and an employer by who works there ("Grace Isford, partner at Lux Capital")
    employer = re.compile(rf"\b{_JOBS}s?\s+(?:at|with)\s+(?:the\s+)?(?:[a-z][\w\-]*\s+){{0,2}}\x00", re.I)
    maker = re.compile(
        r"\x00\s+(?:GPUs?|chips?|processors?|servers?)\b|"  # Nvidia GPUs
        # Baidu ... unveiled its; Alibaba Cloud ... with the launch of their latest model
        r"\x00[^.;]{0,80}\b(?:unveiled|released|launched|introduced|rolled out|(?:launch|release) of)"
        r"\s+(?:its|their)\b|"
        r"\x00['’]s\s+(?:[\w\-.]+\s+){0,3}(?:models?|chatbots?|chips?|GPUs?|products?)\b",  # Meta’s Llama 2 model
        re.I,
    )
    # ... and a source is known by what it does: it reports ("Yahoo News Singapore echoes the urgency")
    sources = bool({"outlet", "site", "publica"} & set(_kind_words(kinds)))
    reporter = re.compile(rf"\x00\s+{_SPEAKS}\b|\baccording to\s+(?:the\s+)?\x00", re.I)
    peoples = {w for t in texts for w in re.findall(r"\b[A-Z][a-z]+\b", t) if is_demonym(w)}
    out: set[str] = set()
    spots: list[tuple[str, str, str]] = []  # (name, text before, text after) of each whole occurrence
    for text in texts:
        text = re.sub(r"[“”\"]", "", text)
        low = text.lower()
        for name in wanted:
            for m in re.finditer(rf"(?<![\w\-]){re.escape(name)}(?![\w\-])", low):
                before, after = text[max(0, m.start() - 120) : m.start()], text[m.end() : m.end() + 120]
                if (
                    name not in out
                    and (
                        (companies and maker.search(f"{before}\x00{after}"))
                        or (employers and organisations and employer.search(f"{before}\x00"))
                    )
                    and not any(names_its_place(p, [name]) for p in peoples)
                ):
                    out.add(name)
                if (
                    sources
                    and name not in out
                    and (reporter.search(f"{before}\x00{after}") or re.match(r"\.(?:com|org|net|io|ai|news)\b", after))
                ):
                    out.add(name)  # ... or by its address (UnderstandingAI.org)
                if re.match(r"['’]s\b", after) or any(
                    longer != name
                    and name in longer
                    and m.start() - len(longer) < low.find(longer, max(0, m.start() - len(longer))) <= m.start()
                    for longer in wanted
                ):
                    continue  # an owner, or a piece of a longer name
                spots.append((name, before, after))
                if name not in out and (typed.search(f"{before}\x00{after}") or re.search(kind, name, re.I)):
                    out.add(name)
    grew = True
    while grew:  # ... and what is listed with them
        grew = False
        for name, before, after in spots:
            if name in out:
                continue
            for other in out:
                gap_before = before.lower().rsplit(other, 1)[-1] if other in before.lower() else None
                gap_after = after.lower().split(other, 1)[0] if other in after.lower() else None
                if (gap_before is not None and listed.search(gap_before) and len(gap_before) < 8) or (
                    gap_after is not None and listed.match(gap_after) and len(gap_after) < 8
                ):
                    out.add(name)
                    grew = True
                    break
    return out


def proper_names(text: str, proper: frozenset[str] = frozenset()) -> list[str]:
    """Capitalized words and runs of them; a sentence's first word only when the corpus capitalizes it mid-sentence
    (proper: such words, lowercased) or it is no English word ("Baidu is ...", see unknown_word)."""
    out = []
    first = _FIRST_WORD.match(text)
    for m in _CAPITALIZED.finditer(text):
        name = m.group(0)
        if first and m.start() == first.start(1):
            head, _, rest = name.partition(" ")
            bare = re.sub(r"['’]s$", "", head)
            # "Yahoo News Singapore echoes ...": an opening word that runs on into capitalized words no name of their
            # own ("News") is part of one name; "The Chinese government", "Despite China’s": not so
            nxt = re.sub(r"['’]s$", "", rest.split()[0]).lower() if rest else ""
            runs_into = (
                bool(nxt)
                and nxt not in proper
                and not is_demonym(rest.split()[0])
                and head.lower() not in (sparse.stopwords())
            )
            # "Forbes emphasizes that ...": an opening word that says something is a speaker's name
            speaks = (
                not rest
                and not re.search(r"['’]", head)  # "We’re told ..."
                and head.lower() not in sparse.stopwords()
                and bool(re.match(rf"\s+{_SPEAKS}\b", text[m.end() :], re.I))
            )
            if bare.lower() not in proper and not unknown_word(bare) and not runs_into and not speaks:
                if not rest:
                    continue
                name = rest.strip()
        out.append(name)
    return out


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """The whole words of the packaged model's word-piece vocabulary (~22k lowercase English words and common
    names); empty when the package is missing (an OpenAI embedder), and then no first word counts as a name."""
    try:
        from rag.retrieval.onnx_model import packaged_model_dir

        lines = (packaged_model_dir() / "vocab.txt").read_text(encoding="utf-8").splitlines()
    except (OSError, FootnoteError):
        return frozenset()
    return frozenset(w for w in lines if w.isalpha())


def unknown_word(word: str) -> bool:
    """Whether a capitalized sentence-opening word is a name by its spelling: no word of the vocabulary, nor an
    inflection of one ("Revolutionizing", "Lawmakers"), nor a contraction ("We're")."""
    vocabulary = _vocabulary()
    low = word.lower()
    if not vocabulary or not low.isalpha() or low in vocabulary:
        return False
    return not (low.endswith(("ing", "ly", "ed")) or (low.endswith("s") and low[:-1] in vocabulary))


# How long before or after another event: "unveiled ... just last week" answers it
_ASKS_GAP = re.compile(
    r"\bhow (?:long|much time|many \w+) (?:before|after|earlier|later|ago)\b|\bhow long since\b", re.I
)
_LAST = re.compile(rf"\b(?:last|previous)\s+{_TIME_UNIT}\b", re.I)
# A share asked in percent: "by what %?"
_PERCENT = re.compile(r"%|\bper ?cent(?:age)?s?\b|\bwhat (?:share|proportion|fraction)\b", re.I)
_PERCENTAGE = re.compile(r"\d[\d.,]*\s*(?:%|per ?cent\b)", re.I)
# Figures asked for by name: "scores", "the numbers", "what %"
_FIGURES_ASKED = re.compile(
    r"\b(?:scores?(?!\s+(?:higher|better|lower|worse|more|less|best|worst|well|above|below)\b)|numbers|figures|stats|"
    r"statistics|percent(?:ages?)?|per cent|market share)\b|%",
    re.I,
)
# A ratio, not a count: "ten times larger", "twice as big", "tenfold"
# A measure set against another's: "the size delta of Llama 2 vs Qwen-VL", "the difference in size"
_SET_AGAINST = re.compile(r"\b(?:vs\.?|versus|compared?|than|difference|delta|gap)\b", re.I)
_RATIO = re.compile(
    rf"(?:\b\d[\d,.]*|\b(?:{_NUMBER_WORDS}|many))\s+times\s+(?:larger|smaller|bigger|more|less|fewer|faster|slower|"
    r"greater|higher|lower|cheaper|as)\b|\btwice\b|\b\w+fold\b",
    re.I,
)
_COUNT_OF = re.compile(rf"(?:\b\d[\d,.]*|\b(?:{_NUMBER_WORDS}))\s+(?:[a-z\-]+\s+)?([a-z]+s)\b", re.I)


def counts_otherwise(text: str, question: str) -> bool:
    """Whether the text counts a thing by a word the question does not use ("three spots" for "how many places")."""
    asked = set(sparse.terms(question))
    return any(not set(sparse.terms(m.group(1))) & asked for m in _COUNT_OF.finditer(text))


def names_one(stem: str, text: str, question: str = "") -> bool | None:
    """Whether the text names a thing of the kind (a stemmed noun) where it mentions the kind: "the MMLU benchmark",
    "benchmarks such as MMLU", "license: Apache 2.0"; None when it never mentions the kind ("in several critical
    benchmarks" mentions it without naming one: False)."""
    mentioned = False
    for m in re.finditer(r"[A-Za-z][\w\-]*", text):
        if stem not in sparse.terms(m.group(0)):
            continue
        mentioned = True
        before, after = text[: m.start()], text[m.end() :]
        prev = re.search(r"([A-Z][\w.\-]*)\s+$", before)
        opens = prev is not None and (
            not before[: prev.start()].strip() or bool(re.search(r"[.!?:“\"]\s*$", before[: prev.start()]))
        )
        if prev and not opens and prev.group(1) not in question:
            return True  # "the MMLU benchmark" (not "Several benchmarks", which opens a sentence, nor the asked one's)
        # (a title in quotes: 'my article "China's Recent AI Surge ..."')
        nxt = re.match(
            r"\s*(?:,?\s*(?:such as|like|including|namely)\s+|:\s*|\s+)(?:the\s+)?[“\"‘]?([A-Z0-9][\w.\-]*)", after
        )
        if nxt and nxt.group(1) not in question:
            return True
    return False if mentioned else None


def explicit_comparison(text: str) -> bool:
    """Whether the text compares in so many words ("than", "ten times larger", "compared with")."""
    return bool(_COMPARATIVE.search(text))


# "the title of ...", "what's the headline", "what was it titled", "the name of his earlier article" (not "the Premier
# League title")
TITLE_ASKED = re.compile(
    r"\b(?:title|headline)\s+of\b|\b(?:what|which)(?:['’]s|\s+is|\s+was)?\s+(?:the\s+|its\s+|their\s+)?"
    r"(?:title|headline)\b|\b(?:titled|headlined)\b|"
    r"\bnames?\s+of\s+(?:the\s+|his\s+|her\s+|their\s+|its\s+)?(?:[\w\-’']+\s+){0,3}?"
    r"(?:article|piece|column|op-?ed|post|essay|story|report)\b|"
    # "what was that earlier article called?"
    r"\b(?:what|which)\b.*\b(?:article|piece|column|op-?ed|post|essay|story|report)\s+(?:was\s+|is\s+)?"
    r"(?:called|named)\b",
    re.I,
)
QUOTED_TITLE = re.compile(r"[“\"][A-Z][^”\"\n]*?\s[^”\"\n]*?\s[^”\"\n]+[”\"]")  # three words or more


def holds(
    kind: str,
    text: str,
    question: str,
    *,
    product: bool = False,
    proper: frozenset[str] = frozenset(),
    named_items: bool = True,
) -> bool:
    """Whether text holds an answer of the asked kind that the question does not already state."""
    if kind == "how_many":
        # "how many times has it been downloaded?" is not "ten times larger"; "size delta of A vs B?" is
        if not _RATIO.search(question) and not _SET_AGAINST.search(question):
            text = _RATIO.sub(" ", text)
        if _PERCENT.search(question):  # "by what % did it win?": a share, not any figure
            return _new([m.group(0) for m in _PERCENTAGE.finditer(text)], question)
        return _new(numbers(text), question)
    if kind == "how_much":
        if not _MONEY_CUE.search(question):  # "passed by how much?": a margin, "352-65", not a sum of money
            return _new(numbers(text), question)
        return _new([m.group(0) for m in _MONEY.finditer(text)], question)
    if kind == "duration":
        found = [m.group(0) for m in _DURATION.finditer(text)]
        if _ASKS_GAP.search(question):  # how long before another event: "unveiled ... just last week"
            found += [m.group(0) for m in _LAST.finditer(text)]
        return _new(found, question)
    if kind == "when":
        if _ASKS_YEAR.search(question):  # "In what year ...?" is not answered by "earlier this year"
            return _new(_YEAR.findall(text), question)
        if _ASKS_MONTH.search(question):  # "Which month ...?" by a month's name
            return _new(re.findall(rf"\b(?:{MONTHS})\b", text), question)
        if _ASKS_EXACT_DATE.search(question):  # "When exactly ...?", "the date": not "just last week"
            return _new([m.group(0) for m in _ABSOLUTE_DATE.finditer(text)], question)
        return _new([m.group(0) for m in _DATE.finditer(text)], question)
    if kind == "where":
        return _new([m.group(1) for m in _PLACE.finditer(text)], question)
    if kind == "compare":
        compared = bool(_COMPARATIVE.search(text) or _COMPARATIVE_WORD.search(text))
        # "exact benchmark scores Qwen2-VL vs GPT-4V?", "market share in China, %?": figures set side by side, not
        # that one did better
        return compared and (not _FIGURES_ASKED.search(question) or holds("how_many", text, question))
    if kind == "which" and TITLE_ASKED.search(question) and QUOTED_TITLE.search(text):
        return True  # "the name of the author's earlier article": "in my article “China's Recent AI Surge ...”"
    if product:
        return _new([m.group(0) for m in _PRODUCT.finditer(text)], question) or _names_the_asked(text, question)
    if kind == "list" and not named_items:
        return True  # the items of "what are the risks" are ideas: any sentence may hold them
    if kind == "who" and _AGENTS.search(text) and not _AGENTS.search(question):
        return True  # "governments, industry leaders, and researchers": who, by role
    if kind == "who" and _done_by(text, question):
        return True  # "who is redrawing the finish line?": "it's also being redrawn by new frontrunners", and the like
    if kind in ("who", "which", "list"):
        return _new(proper_names(text, proper), question)
    return True


# "its Blackwell-based systems", "the Ascend chips": a name set before a noun of the question names that thing
_NAME_BEFORE = re.compile(r"(?<=[a-z,;:—–] )([A-Z][A-Za-z]+)(?:-[a-z]+)?\s+([a-z]+)\b")


def _names_the_asked(text: str, question: str) -> bool:
    """Whether text gives a name the question does not, right before one of the question's nouns ("what are the new
    Nvidia systems called?": "its Blackwell-based systems")."""
    asked = set(sparse.terms(question))
    return any(
        m.group(1).lower() not in question.lower() and bool(set(sparse.terms(m.group(2))) & asked)
        for m in _NAME_BEFORE.finditer(text)
    )


_BY_AGENT = re.compile(r"\b([a-z]{4,})\s+by\s+(?!(?:the\s+)?(?:way|far|then|now|contrast|comparison)\b)\w", re.I)


# "To whom does the article attribute the claim ...?": "..., according to industry analysts"
_ASKS_ATTRIBUTION = re.compile(r"\battribut\w*|\baccording to whom\b", re.I)
_ATTRIBUTED = re.compile(r"\baccording to\s+\w", re.I)


def _done_by(text: str, question: str) -> bool:
    """Whether text says by whom the question's verb is done, in the passive ("redrawn by", "fueled by"), or whom
    a claim asked the source of is attributed to."""
    if _ASKS_ATTRIBUTION.search(question) and _ATTRIBUTED.search(text):
        return True
    asked = {w.lower()[:4] for w in re.findall(r"[A-Za-z]{5,}", question)}
    return any(m.group(1).lower()[:4] in asked for m in _BY_AGENT.finditer(text))


@dataclass(frozen=True)
class Evidence:
    """A sentence of candidate passage_no (with the sentence it leans on, if any) and how well it answers a part."""

    passage_no: int
    sentence: Sentence
    score: float  # ranking score, after the provenance discount
    raw_score: float  # before it
    support: float  # weighted share of the part's terms the quote holds
    shaped: bool  # holds the asked attribute
    lead: Sentence | None = None  # the sentence before, brought along because this one leans on it
    dense: float = 0.0  # cosine of the quote to the part

    @property
    def start(self) -> int:
        """Where the quote starts in its passage."""
        return self.lead.start if self.lead else self.sentence.start

    @property
    def quote(self) -> str:
        """The quoted text: the sentence, after the one(s) it leans on."""
        return f"{self.lead.text} {self.sentence.text}" if self.lead else self.sentence.text


Weights = dict[str, float]


def part_weights(part: Part, idf: Callable[[str], float]) -> Weights:
    """Term weights for a part: its own terms 1, the asked attribute 1.5, a borrowed subject 0.6; times idf; a name's
    terms shared as one."""
    w: Weights = {t: 1.0 for t in part.terms}
    w.update({t: 1.5 for t in part.focus})
    w.update({t: 0.6 for t in part.subject if t not in w})
    out = {t: v * idf(t) for t, v in w.items()}
    # A name is one thing, however many terms it gives ("Qwen2.5-Omni-7B": qwen2.5-omni-7b, qwen2, 5, omni, 7b): its
    # terms together weigh as its weightiest one, so a long name does not outweigh what is asked about it.
    for name in part.names if part.kind not in TYPED else ():
        ts = [t for t in dict.fromkeys(sparse.terms(name)) if t in out]
        if len(ts) > 1:
            top, total = max(out[t] for t in ts), sum(out[t] for t in ts)
            for t in ts:
                out[t] *= top / total
    return out


NEAR_CREDIT = 0.7


@lru_cache(maxsize=20_000)
def _text_terms(text: str) -> tuple[frozenset[str], frozenset[str], frozenset[int]]:
    """A text's terms (with the verb of an irregular past: "spun off" is a spin-off), their 5-letter starts and their
    relation groups ("releasing" is a release and a way to get it): read once per text, judged against many parts."""
    have = sparse.term_set(text)
    have |= {sparse.base_form(h) for h in have}
    prefixes = frozenset(h[: sparse.PREFIX] for h in have if len(h) >= sparse.PREFIX)
    return have, prefixes, frozenset(g for h in have for g in relation_groups(h))


def overlap(weights: Weights, text: str) -> float:
    """Weighted share of the terms present in text (a term sharing a 5-letter start, or a verb of the same
    relation, counts 0.7)."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    have, prefixes, groups = _text_terms(text)
    got = 0.0
    for t, v in weights.items():
        if t in have or sparse.base_form(t) in have:
            got += v
        elif (len(t) >= sparse.PREFIX and t[: sparse.PREFIX] in prefixes) or (groups and relation_groups(t) & groups):
            got += NEAR_CREDIT * v
    return got / total


@dataclass(frozen=True)
class Scored:
    """A candidate sentence before the part-specific judgement."""

    passage_no: int
    sentence: Sentence
    lead: Sentence | None
    dense: float
    context_dense: float = 0.0  # the same sentence read after the one before it (what "it" is, whom it is about)


def sentences_with_leads(passage_no: int, text_sentences: list[Sentence], passage_text: str) -> list[Scored]:
    """Answer-like sentences, each with the sentence of the same paragraph it leans on (if any)."""
    out: list[Scored] = []
    for i, s in enumerate(text_sentences):
        if not is_answer_like(s):
            continue
        lead: Sentence | None = None
        j = i
        # "However, ..." after "For instance, ..." after the point itself: the lead goes back to where the thought
        # starts, within the paragraph.
        while j > 0 and j > i - MAX_LEAD and leans(lead.text if lead else s.text):
            prev = text_sentences[j - 1]
            if "\n" in passage_text[prev.end : (lead or s).start] or not is_answer_like(prev):
                break
            end = lead.end if lead else prev.end
            lead = Sentence(passage_text[prev.start : end], prev.start, end)
            j -= 1
        out.append(Scored(passage_no, s, lead, 0.0))
    return out


_VALUES = frozenset({"when", "how_much", "how_many", "duration"})


def judge(
    part: Part,
    question: str,
    scored: Scored,
    weights: Weights,
    *,
    rank_nudge: float,
    said_before: bool,
    trust_weight: float,
    dense_weight: float,
    proper: frozenset[str] = frozenset(),
    named_nearby: Sequence[str] = (),
    about: bool = False,
) -> Evidence:
    """How well one sentence answers one part (named_nearby: the part's names its article gives, which a sentence
    may refer to as "their latest model" where what is asked is a description, not a name, date or figure; about:
    the article is the only one that names them, so any sentence of it may be about them unnamed)."""
    quote = f"{scored.lead.text} {scored.sentence.text}" if scored.lead else scored.sentence.text
    # "This movement is fueled by ...": the sentence it leans on names what "this" is, so both count.
    support = overlap(weights, quote)
    # ... and, in the one article that names a product, who has it or where to get it ("where do I download
    # Qwen2.5-Omni-7B?": "releasing its models on platforms like Hugging Face"), though not its date or figure, which
    # may be another thing's there, nor where something happened to it (a place is named, never referred to)
    gets = part.kind != "where" or any(GETTING in relation_groups(t) for t in part.terms)
    if named_nearby and (
        (part.kind not in TYPED and (about or _REFERS.search(quote))) or (about and part.kind not in _VALUES and gets)
    ):
        # "Alibaba touts their latest model as ...", in the article that names Qwen2.5-Omni-7B: the model is meant
        support = max(support, overlap(weights, f"{quote} {' '.join(named_nearby)}") * NEAR_CREDIT)
    lexical = support
    # Ranked by its meaning in context ("For instance, it can translate a hospital sign" is about the models the
    # sentence before names); whether it answers is judged on its own meaning (Evidence.dense), so a topical
    # neighbour does not make it an answer.
    meaning = max(scored.dense, scored.context_dense)
    score = (1 - dense_weight) * lexical + dense_weight * meaning + rank_nudge
    # A sentence that turns against its lead must hold the asked attribute itself ("$53 billion. However, one cannot
    # ignore the pitfalls" is the first sentence's answer, and that sentence is a candidate of its own).
    shaped = part.kind not in TYPED or holds(
        part.kind,
        scored.sentence.text if scored.lead is not None and CONTRAST.match(scored.sentence.text) else quote,
        question,
        product=part.named,
        proper=proper,
        named_items=part.items_named,
    )
    if part.kind in TYPED:
        weak = part.kind == "compare" and shaped and not _COMPARATIVE.search(quote)
        score *= 1.0 if weak else 1.25 if shaped else 0.7
    if (part.kind == "which" or part.items_named) and shaped:
        # a list is answered by the sentence that names the most things (of the asked kind: people are named
        # where they speak or by their job; a company or a model is any other name)
        found = set(list_items(quote, proper, people=part.items_people))
        new = len(found - set(proper_names(question, proper)))
        score *= 1 + (0.2 * min(4, new) if part.kind == "list" else 0.1 * min(3, new))
        if part.items_named and _ENUMERATES.search(quote):
            score *= 1.2  # "companies like Google, Microsoft, and OpenAI": it names instances of a kind
    acronym = acronym_asked(question)
    if acronym is not None and spells_out(acronym, quote):
        score *= DEFINES  # "What does LLM stand for?": "large language models (LLMs)"
    elif part.kind == "definition" and _defines(part, scored.sentence.text):
        score *= DEFINES  # "What is Qwen2-VL?": "Qwen2-VL, a new vision-language AI model, ..." says what it is
    if _ADVICE_ASKED.search(part.text) and part.kind in ADVICE_KINDS:
        # "What should the West do?": "Key areas of focus should include ...", "must urgently ..."
        score *= ADVISES if _ADVISES.search(quote) else NO_ADVICE
    if part.aside and set(part.aside) & set(sparse.terms(quote)):
        score *= SET_ASIDE  # "Besides open-sourcing, how else ...?": a sentence on open source is what is not asked
    if leans(quote):
        score *= 0.8  # mid-thought and its antecedent is not at hand: let another sentence lead
    if said_before:
        score *= 0.75  # a follow-up asks for something new
    asked = _figures(question)
    if asked:  # "recalled more than 114,000 cars": of two recalls, the one with that figure is the one asked about
        score *= 1 + FIGURE_MATCH * len(asked & _figures(quote)) / len(asked)
    return Evidence(
        scored.passage_no,
        scored.sentence,
        score * trust_weight,
        score,
        support,
        shaped,
        scored.lead,
        scored.dense,
    )


SET_ASIDE = 0.6  # how much a sentence on what the question sets aside ranks below one that is not
DEFINES = 1.2  # how much a sentence that says what the asked thing is ranks above one that only mentions it
ADVISES = 1.35  # ... and one that says what should be done, asked what should be done
NO_ADVICE = 0.4  # ... and how far one that advises nothing falls
ADVICE_KINDS = frozenset({"what", "how", "list", "definition", "summary"})  # (not "should I use it?", a yes/no)
_ADVICE_ASKED = re.compile(r"\b(?:should|ought to|must|needs? to|has to|have to|recommend\w*|advi[sc]e\w*)\b", re.I)
_ADVISES = re.compile(
    r"\b(?:should|ought to|must|need to|needs to|has to|have to|it is (?:crucial|essential|vital|imperative)|"
    # (a "wake-up call for" someone advises nothing)
    r"recommend\w*|(?<!wake-up )(?<!wake up )calls? (?:on|for)|urg(?:e|es|ed|ing))\b",
    re.I,
)


def advises(question: str, quote: str) -> bool:
    """Whether the question asks what should be done and the quote says what should be."""
    return bool(_ADVICE_ASKED.search(question) and _ADVISES.search(quote))


# "What does LLM stand for?", "what's HAI short for", "What does GPU mean?": the letters spelled out are the answer
_STANDS_FOR = re.compile(
    r"\b(?i:what|wat)(?:['’]s|\s+does|\s+do|\s+is)\s+(?:the\s+)?(?:(?i:acronym|abbreviation|name|letters)\s+)?"
    # ... "the name 'Qwen'", "the 7B in qwen2.5-omni-7b": a name's letters, quoted, or a piece of a longer name
    r"(?:(?!(?i:it|they|them|this|that|these|those|he|she|you|we)\b)['‘“\"]?([A-Za-z0-9]{2,8})['’”\"]?s?"
    r"(?:\s+in\s+(?:the\s+)?[\w\-.]+)?\s+(?:(?i:actually|really|even)\s+)?"
    r"(?i:stand\s+for|stands\s+for|short\s+for|abbreviate)|([A-Z]{2,6})s?\s+mean)\b"
)


@lru_cache(maxsize=1024)
def acronym_asked(question: str) -> str | None:
    """The letters a question asks to have spelled out ("What does LLM stand for?": LLM), if it asks that."""
    m = _STANDS_FOR.search(question)
    return (m.group(1) or m.group(2)).upper() if m else None


def spells_out(acronym: str, text: str) -> bool:
    """Whether the text gives the words the letters stand for, just before them in brackets: "large language models
    (LLMs)", "Artificial Intelligence (AI)", "Human-Centered AI Institute (HAI)" (a word may give no letter)."""
    for m in re.finditer(rf"\(\s*{re.escape(acronym)}s?\s*\)", text, re.I):
        words = re.findall(r"[A-Za-z][\w’']*", text[: m.start()])[-2 * len(acronym) - 1 :]
        if not words or words[-1][0].upper() != acronym[-1]:
            continue
        i = len(acronym) - 1
        for w in reversed(words):
            if i >= 0 and w[0].upper() == acronym[i]:
                i -= 1
        if i < 0:
            return True
    return False


def _defines(part: Part, text: str) -> bool:
    """Whether the sentence says what one of the part's names is: "X, a new ... model," or "X is a ..." / "X are
    ... that ..."."""
    for name in part.names:
        n = re.escape(name)
        if re.search(
            rf"{n}[’”\"]?,\s+(?:a|an|the|its|their)\s+[^,.;]{{3,80}}[,.;]|{n}\s+(?:is|are|was|were)\s+(?:a|an|the)?\s*"
            rf"[^,.;]{{0,40}}\b(?:model|models|system|tool|chatbot|company|firm|platform|version|product)s?\b",
            text,
        ):
            return True
    return False


# A thing named before, referred to again: "their latest model", "the new chatbot", "the company"
_REFERS = re.compile(
    r"\b(?:its|their|the|this|that)\s+(?:(?:latest|new|newest|recent|flagship|own)\s+)?"
    r"(?:model|models|chatbot|product|system|company|firm|tool|platform|release|offering)\b",
    re.I,
)


# A sentence opening with these turns to another thought than the one before it.
CONTRAST = re.compile(
    r"^[\W]*(however|but|yet|still|nevertheless|nonetheless|in contrast|by contrast|on the other hand|even so|"
    r"that said|despite this|conversely)\b",
    re.I,
)


def with_previous(passage_text: str, sentence: Sentence) -> str:
    """The sentence after the one before it in its passage (itself when it opens the passage)."""
    before = passage_text[: sentence.start].rstrip()
    spans = sentence_spans(before) if before else []
    return f"{before[spans[-1][0] : spans[-1][1]]} {sentence.text}" if spans else sentence.text


FIGURE_MATCH = 0.3  # how much a quote stating the question's own figures ranks above one that does not
_FIGURE = re.compile(r"\d[\d,.\-]*\d|\d")


@lru_cache(maxsize=4096)
def _figures(text: str) -> frozenset[str]:
    """The figures a text states ("114,000", "7.3", "352-65"), as written without separators."""
    return frozenset(re.sub(r"[,]", "", m.group(0)) for m in _FIGURE.finditer(text))


def candidate_sentences(passage_no: int, passage_text: str, *, faq_questions: bool = False) -> list[Scored]:
    """Answer-like sentences of a passage text, with leads (faq_questions: a FAQ's answer with its question)."""
    sents = [Sentence(passage_text[a:b], a, b) for a, b in sentence_spans(passage_text)]
    out = sentences_with_leads(passage_no, sents, passage_text)
    # "Is it merely a strategic play to capture market share? The narrative of altruism can easily serve as a veneer
    # for profit-driven motives ...": the writer's own question, in the paragraph, is what the next sentence answers
    before = {b.start: a for a, b in pairwise(sents)}
    for i, sc in enumerate(out):
        asked = before.get(sc.sentence.start)
        if (
            sc.lead is None
            and asked is not None
            and is_question(asked.text)
            and not asked.text.startswith("Q:")
            and "\n" not in passage_text[asked.end : sc.sentence.start]
        ):
            out[i] = replace(sc, lead=asked)
    if faq_questions and "A:" in passage_text:
        # "Q: What is the primary advantage ...? A: The main benefit is ...": an answer line says what it answers
        # only with the question line just before it
        for i, sc in enumerate(out):
            q = before.get(sc.sentence.start)
            if (
                sc.lead is None
                and sc.sentence.text.startswith("A:")
                and q is not None
                and q.text.startswith("Q:")
                and passage_text[q.end : sc.sentence.start].count("\n") <= 1
            ):
                out[i] = replace(sc, lead=q)
    return out


# A list's line: a short label and a colon ("National Security Concerns: The speed of ...").
_ITEM_LINE = re.compile(r"^[A-Z][\w\-’' ]{0,60}:\s")


def runs_on(sentence: str, nxt: str) -> bool:
    """Whether nxt, on a line of its own, goes on with sentence: the list a colon introduces ("... implications:"
    then "Shifting Balance of Power: ..."), one labelled line after another."""
    return bool(_ITEM_LINE.match(nxt)) and (sentence.rstrip().endswith(":") or bool(_ITEM_LINE.match(sentence)))


def leaves_open(text: str) -> bool:
    """Whether a passage ends inside such a list: its last line introduces one (a colon) or is one of its lines."""
    lines = text.rstrip().splitlines()
    return bool(lines) and (lines[-1].rstrip().endswith(":") or bool(_ITEM_LINE.match(lines[-1])))
