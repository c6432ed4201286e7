"""Names in text: which words name something, how a name occurs as terms, and a people's word's place.

Used by the question analysis, the gate and the answerers alike ("Baidu", "Qwen2.5-Omni-7B", "Chinese": China).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Container, Iterable
from typing import Protocol

from rag.retrieval import sparse
from rag.retrieval.corpus import acronyms, name_forms, name_pieces, squash
from rag.retrieval.stopwords import GLASGOW
from rag.text import MONTHS, REQUEST_VERBS, WEEKDAYS
from rag.types import Passage

_TOKEN = re.compile(r"[\w’'][\w.\-’']*")
_HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "prof", "sir", "madam"})
_DEMONYM = re.compile(r"(?:ese|ian|ean|ican|ish|ern)$")


def is_demonym(word: str) -> bool:
    """Whether a capitalized word is a people's ("Chinese", "Western"; not "Tern"): it describes, it names no one
    thing."""
    return bool(_DEMONYM.search(word[2:]))


_DEMONYM_ENDS = ("n", "an", "ian", "ean", "ese", "ish", "i")


def place_stems(word: str) -> set[str]:
    """How the place a people's word is of may begin: "Botswanan" -> "botswana", "Korean" -> "korea", "Japanese" ->
    "japan", "Iraqi" -> "iraq" (empty for words that are not one capitalized word)."""
    if not (word[:1].isupper() and word[1:].islower()):
        return set()  # "GPT-5", "Qwen3": a name, not a people's
    low = word.lower()
    return {low[: -len(e)] for e in _DEMONYM_ENDS if low.endswith(e) and len(low) - len(e) >= 4}


def names_its_place(word: str, names: Iterable[str]) -> bool:
    """Whether one of names (lowercased) is the place a people's word is of ("Botswanan": "botswana's")."""
    stems = tuple(place_stems(word))
    return bool(stems) and any(n.startswith(stems) for n in names)


# One country, several names: news text says "the United States" or "the U.S." where a user asks about "America",
# and a capital stands for its government ("Has Beijing put rules in place?")
_PLACE_ALIASES = (
    ("America", "United States", "U.S.", "US", "USA", "U.S.A.", "Washington"),
    ("Britain", "Great Britain", "United Kingdom", "UK", "U.K."),
    ("China", "PRC", "Beijing"),
)
_MULTIWORD_PLACE = re.compile(r"\b(?:" + "|".join(f for forms in _PLACE_ALIASES for f in forms if " " in f) + r")\b")
# A capital named for its country's government: its words are the country's ("Has Beijing put rules in place?")
CAPITALS = {"Beijing": "China", "Washington": "United States"}


def place_aliases(name: str) -> tuple[str, ...]:
    """The other names of a country ("America": "United States", "U.S.", ...); empty for any other name."""
    for forms in _PLACE_ALIASES:
        if name in forms:
            return tuple(f for f in forms if f != name)
    return ()


def names_an_alias(name: str, text: str) -> bool:
    """Whether the text names the country by another of its names (as written: "US", not "us")."""
    return any(re.search(rf"(?<![\w.]){re.escape(a)}(?![\w])", text) for a in place_aliases(name))


def demonyms(text: str) -> list[str]:
    """Capitalized words that describe rather than name ("Japanese", "Korean"), mid-sentence: names() leaves them
    out, but one the corpus never uses still says the question is about something it does not cover."""
    out = []
    for m in re.finditer(r"(?<=[\w,] )([A-Z][a-z]+)\b", text):
        if _DEMONYM.search(m.group(1)):
            out.append(m.group(1))
    return out


def names(text: str, known: Container[str] = ()) -> list[str]:
    """Words that name something, once each: capitalized mid-sentence, inner capitals, or with a digit. A sentence's
    first word names something before another name, or when it is one of the known names (lowercased: a corpus's
    names that are no English word, "Baichuan developer company")."""
    out: list[str] = []
    sentence_start = True
    # "the United States" is one place, by any of its names ("U.S."), not two words to find
    places = [(m.start(), m.end(), m.group(0)) for m in _MULTIWORD_PLACE.finditer(text)]
    for m in _TOKEN.finditer(text):
        place = next((p for p in places if p[0] <= m.start() < p[1]), None)
        if place is not None:
            sentence_start = False
            if place[2] not in out:
                out.append(place[2])
            continue
        word = re.sub(r"['’]s$", "", m.group(0)).strip(".-’'")
        first = sentence_start
        sentence_start = m.group(0).endswith((".", "?", "!"))
        if not word or not any(c.isupper() or c.isdigit() for c in word):
            continue
        if not any(c.isalpha() for c in word) or word.lower() in _HONORIFICS:
            continue  # "2.5" in "Qwen 2.5" names nothing alone; "Mr" names no one
        inner = any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word)
        if first and not inner and not _OPENS_A_NAME.match(text, m.start()) and word.lower() not in known:
            continue
        ws = sparse.words(word)
        if not ws or ws[0] in sparse.stopwords() or word in out:
            continue
        if not inner and _DEMONYM.search(word):
            continue  # "Chinese", "American", "Western" describe; they name no one thing to look for
        if _CALENDAR.match(word):
            continue  # "August", "Tuesday", "15th", "under-16s", "1990s": when or who, the attribute, not a name
        out.append(word)
    return out


# A sentence's first word is a name when a name follows it at once ("Kai Wang - who does he work for?", "Paul Triolo
# works where?", "Kai Wang's insights ..."), unless it is a word a request opens with ("Compare Qwen ...",
# "Summarize Qwen-VL ...").
_OPENS_A_NAME = re.compile(
    rf"(?!(?i:{REQUEST_VERBS}|does|did|is|was|are|were|has|have|can|could|will|would|should|why|how|what|who|which|when|"
    r"where|and|but|so|also|then|besides|apart|beyond|unlike|like|despite|after|before|since|per|according|ok|okay|"
    r"hey|hi|hello|thanks|sorry|yes|no|if|as|in|on|at|for|from|with|by|of|to|the|a|an|this|that|these|those|my|our|"
    r"your|their|his|her|its)\b)[A-Z][a-z]+\s+(?:[A-Z][a-z]+|\d[\d.]*)\b(?:['’]s\b)?(?![\w\-’'])"
)
_CALENDAR = re.compile(
    rf"^(?:{MONTHS}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|{WEEKDAYS})$|"
    r"^\d+(?:st|nd|rd|th|s)$|^(?:under|over|above|below)-\d+s?$",
)


_PRODUCT_NAME = re.compile(r"\d|[a-z][A-Z]|-[A-Z]")


def is_product_name(name: str) -> bool:
    """Whether a name is spelled as a product's: with a digit or a capital inside ("Qwen2.5-Omni-7B", "DeepSeek",
    "Qwen-VL"), not as a person's, a company's or a place's ("Baidu", "Tiezhen Wang")."""
    return bool(_PRODUCT_NAME.search(name))


class _Documents(Protocol):
    def only_document(self, name: str) -> str | None: ...


def product_articles(names: Iterable[str], corpus: _Documents) -> set[str]:
    """The articles a question is about by the products it names: each the one document that names one (the article
    on "Qwen2.5-Omni-7B" may call it "the model" or "a multimodal AI" everywhere else)."""
    return {d for n in names if is_product_name(n) and (d := corpus.only_document(n)) is not None}


def name_terms(name: str) -> list[list[str]]:
    """Ways a name can occur as terms: whole ("qwen2.5-omni"), or all its parts bar bare numbers ("top", "ten")."""
    ts = sparse.terms(name)
    if not ts:
        return []
    whole = [ts[0]]
    # "top-10" may be written "top ten": its word parts stand in, but "Qwen-VL" is not "Qwen" and "VL" apart.
    if len(ts) > 1 and any(t.isdigit() for t in ts[1:]):
        parts = [t for t in ts[1:] if not t.isdigit()]
        if parts:
            return [whole, parts]
    return [whole]


# A run of up to three words a compound name may be typed as: "qwen2 vl", "gpt4v", "qwen2.5 omni", "llama-2"
_TYPED_RUN = re.compile(r"(?<![\w.\-])[A-Za-z0-9][\w.]*(?:[ \-][A-Za-z0-9][\w.]*){0,2}(?<!\.)")


def _spell_compounds(text: str, compounds: dict[str, str]) -> str:
    """Compound names typed otherwise, as the articles write them ("qwen2 vl" -> "Qwen2-VL", "llama2" -> "Llama
    2"): the longest run of words that squashes to one, from the left."""
    out: list[str] = []
    i = 0
    while i < len(text):
        m = _TYPED_RUN.match(text, i) if i == 0 or not re.match(r"[\w.\-]", text[i - 1]) else None
        if m is None:
            out.append(text[i])
            i += 1
            continue
        words = re.split(r"(?=[ \-])", m.group(0))
        for k in range(len(words), 0, -1):
            typed = "".join(words[:k])
            spelled = compounds.get(re.sub(r"[\W_]+", "", typed).lower())
            end = i + len(typed)
            if spelled and not re.match(r"[\w\-]", text[end : end + 1]):
                out.append(spelled)
                i = end
                break
        else:
            out.append(words[0])
            i += len(words[0])
    return "".join(out)


def camel_spellings(spellings: dict[str, str]) -> dict[str, str]:
    """The spellings with a capital inside ("DeepSeek", "OpenAI"), by their lowercase: names a user may type as two."""
    return {low: w for low, w in spellings.items() if re.search(r"[a-z][A-Z]", w)}


def restore_case(
    text: str,
    spellings: dict[str, str],
    compounds: dict[str, str] | None = None,
    openers: dict[str, str] | None = None,
    camel: dict[str, str] | None = None,
) -> str:
    """A question typed in lower case with its names spelled as the articles spell them ("what company does kai
    wang work for" -> "... Kai Wang ..."), compound names too ("qwen2 vl" -> "Qwen2-VL", "Deep Seek" -> DeepSeek; see
    CorpusStats.compound_spellings) and possessives typed without their apostrophe ("alibabas" -> "Alibaba's").
    Words the user capitalized, stopwords and words of two letters ("us") are left as typed. A word the articles
    only ever write opening a sentence (openers: "Kai", in "Kai Wang’s insights ...") is a name's first word where
    a name follows it ("kai wang": Kai Wang). camel: camel_spellings(spellings), when the caller keeps it."""
    if compounds:
        text = _spell_compounds(text, compounds)
    # ... and a name written as one word typed as two capitalized ones ("Deep Seek": DeepSeek; not "open AI")
    camel = camel_spellings(spellings) if camel is None else camel
    pieces, at = [], 0
    for a, b in itertools.pairwise(re.finditer(r"(?<![\w\-])[A-Z]\w*(?![\w\-])", text)):
        joined = camel.get(f"{a.group(0)}{b.group(0)}".lower())
        if joined and a.start() >= at and text[a.end() : b.start()].isspace():
            pieces += [text[at : a.start()], joined]
            at = b.end()
    text = "".join([*pieces, text[at:]])

    def spell(m: re.Match[str]) -> str:
        word = m.group(0)
        if word != word.lower() or len(word) <= 2 or word in GLASGOW:
            return word
        if word not in spellings and word.endswith("s") and len(word) > 4 and word[:-1] in spellings:
            return f"{spellings[word[:-1]]}'s"  # "baidus new model": Baidu's, typed without its apostrophe
        return spellings.get(word, word)

    text = re.sub(r"[A-Za-z][\w\-.]*[\w]|[A-Za-z]", spell, text)
    if openers:
        text = re.sub(
            r"(?<![\w\-’'])([a-z]{3,})(?=\s+[A-Z][a-z])",
            lambda m: openers.get(m.group(1), m.group(1)) if m.group(1) not in GLASGOW else m.group(1),
            text,
        )
    return text


def only_kind_asked(name: str, question: str) -> bool:
    """Whether a short capitalized word only says what kind of thing is asked for ("which VC firm", "what EV
    maker"): the asked thing is named in the answer, not in the question."""
    asked = rf"\b(?i:which|what)\s+{re.escape(name)}\s+[a-z]{{3,}}\b"
    return len(name) <= 4 and bool(re.search(asked, question))


def has_name(name: str, passage: Passage) -> bool:
    """Whether a passage names the thing: by its terms (a piece of a compound too), in another spacing, as a pair
    named apart, as an acronym, or by the place a people's word is of."""
    have = sparse.term_set(passage.text) | sparse.term_set(passage.title)
    compounds = [h for h in have if "-" in h or "." in h]

    def found(t: str) -> bool:  # "Omni", "Omni-7B": a piece of "Qwen2.5-Omni-7B" is what a reader calls it for short
        return t in have or any(h.startswith(t) or t in h.split("-") or h.endswith(f"-{t}") for h in compounds)

    ways = name_terms(name)
    if not ways or any(all(found(t) for t in w) for w in ways):
        return True
    text = f"{passage.title}\n{passage.text}"
    # Written with other spacing or hyphens ("Llama2": "Llama 2"), or a pair ("China-US") named apart ...
    forms = name_forms(text)
    form = squash(name)
    if len(form) > 1 and any(f.startswith(form) for f in forms):
        return True
    pieces = [squash(p) for p in name_pieces(name)]
    if len(pieces) > 1 and all(p in forms for p in pieces):
        return True
    # ... or an acronym of a capitalized phrase of the passage ("FAQ": "Frequently Asked Questions") ...
    if name.isupper() and name.lower() in acronyms(text):
        return True
    # ... or the place a people's word is of ("the Botswanan president": Botswana), or the country by another name.
    return names_its_place(name, (w.lower() for w in text.split() if w[:1].isupper())) or names_an_alias(name, text)


def _within(a: str, b: str, most: int) -> bool:
    """Whether two words are at most `most` single-letter edits apart (insert, delete, replace)."""
    if abs(len(a) - len(b)) > most:
        return False
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
        if min(row) > most:
            return False
    return row[-1] <= most


class Respeller:
    """Names typed a letter or two off ("Tiezen Wang", "Paul Triollo", "Kwen") as the articles spell them, where one
    name alone is that close and the typed word is no word the corpus or English has (unknown) nor an abbreviation
    ("VLMs" is not "LLMs"). Built once per corpus:
    its names grouped by length, so a typed word is held only against names of about its length."""

    def __init__(self, names: Iterable[str]) -> None:
        self._spelled = {n.lower(): n for n in names if n.isalpha() and len(n) >= 4}
        self._by_length: dict[int, list[str]] = {}
        for low in self._spelled:
            self._by_length.setdefault(len(low), []).append(low)

    def __call__(self, text: str, unknown: Callable[[str], bool]) -> str:
        def fix(m: re.Match[str]) -> str:
            word = m.group(0)
            low = word.lower()
            if low in self._spelled or not unknown(word) or sum(c.isupper() for c in word) >= 2:
                return word  # ("VLMs", "TPUs": an abbreviation is typed as meant, not a name typed off)
            most = 1 if len(low) < 8 else 2
            near = [
                self._spelled[n]
                for size in range(len(low) - most, len(low) + most + 1)
                for n in self._by_length.get(size, ())
                if _within(low, n, most)
            ]
            return near[0] if len(near) == 1 else word

        return re.sub(r"(?<![\w\-’'])[A-Za-z]{4,}(?![\w\-’'])", fix, text)


def _abbreviates(short: str, name: str) -> int:
    """How closely a word in capitals (lowercased) shortens a name: 2 as the initials of its words ("HF": Hugging
    Face) or a piece of it ("GOOG": Google, "BABA": Alibaba), 1 as its letters in order from its first, three
    letters or more ("NVDA": Nvidia, "MSFT": Microsoft), 0 not at all."""
    low = name.lower()
    letters = re.sub(r"[^a-z]", "", low)
    if short == letters:
        return 0
    if [w[0] for w in re.findall(r"[a-z]+", low)] == list(short) or (len(short) >= 4 and short in letters):
        return 2
    rest = iter(letters)
    return int(len(short) >= 3 and letters.startswith(short[0]) and " " not in name and all(c in rest for c in short))


class Abbreviations:
    """Names typed as the capitals that shorten them, as tickers and chat do ("NVDA" for Nvidia, "GOOG", "HF" for
    Hugging Face, "BABA" for Alibaba), where the corpus never has the typed capitals (English may: "baba") and
    they shorten one of its names alone. A name that adds words to another ("Google Bard") shortens nothing more
    than that one does, and a word that goes on a compound name ("Capital", of Lux Capital) is no name of its own.
    Built once per corpus."""

    def __init__(self, names: Iterable[str]) -> None:
        named = {n for n in names if len(re.sub(r"[^A-Za-z]", "", n)) >= 3 and n[:1].isupper()}
        trailing = {w for n in named for w in n.split()[1:]}
        self._names = sorted(named - trailing)

    def _expanded(self, short: str) -> str | None:
        how = {n: _abbreviates(short.lower(), n) for n in self._names}
        best = max(how.values(), default=0)  # a piece of a name before its letters scattered ("Blackwell-based")
        near = [n for n, h in how.items() if h and h == best]
        # "Google" for "GOOG", not also "Google Bard": a name that extends another found one says nothing new
        near = [n for n in near if not any(o != n and n.startswith(o + " ") for o in near)]
        return near[0] if len(near) == 1 else None

    def __call__(self, text: str, unseen: Callable[[str], bool]) -> str:
        """The text with each word in capitals that the corpus never has (`unseen`) written as the name it shortens;
        unchanged when no word of it is in small letters (shouted, so its capitals shorten nothing)."""
        if not re.search(r"\b[a-z]{3,}\b", text):
            return text

        def expand(m: re.Match[str]) -> str:
            short, plural = m.group(1), m.group(2) or ""
            if not unseen(short):
                return m.group(0)
            name = self._expanded(short)
            return m.group(0) if name is None else name + plural

        return re.sub(r"(?<![\w\-’'.])([A-Z]{2,5})(s?)(?![\w\-])", expand, text)


@functools.lru_cache(maxsize=4096)
def owners_only(names: tuple[str, ...], text: str) -> frozenset[str]:
    """The names of a question that only say whose another of them is ("Meta" of "Meta's Llama 2": a passage on Llama
    2 is on what was asked), found once per question (the answerer asks for every quote it judges)."""
    return frozenset(
        n
        for n in names
        for o in names
        if o != n and re.search(rf"(?<![\w\-]){re.escape(n)}['’]s\s+(?:[\w\-]+\s+)?{re.escape(o)}", text)
    )
