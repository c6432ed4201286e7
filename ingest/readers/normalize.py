"""Extracted text made readable before chunking: hyphenation, justified spaces, running headers, paragraphs."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

_SPACES = re.compile(r"(?<=\S)[ \t\u00a0]{2,}(?=\S)")
_WORD = re.compile(r"[A-Za-z]+")
_HYPHEN_END = re.compile(r"([A-Za-z]+)-$")
_COMPOUND_END = re.compile(r"[A-Za-z]-$")
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*$")
FITS = 0.9  # a word fits on a line when the line stays under this share of a full line (proportional fonts)
EDGE_SHARE = 0.8  # a first or last line on this share of pages is a running header or footer


def collapse_spaces(line: str) -> str:
    """Justified text's runs of spaces inside a line become one space."""
    return _SPACES.sub(" ", line).strip()


def join_hyphens(lines: Sequence[str]) -> list[str]:
    """A word broken at a line end ("signifi-" / "cant") is joined on the first line.

    The hyphen is dropped when the left part is no word of the document on its own (signifi-cant) or the joined
    word occurs elsewhere; it stays for compounds (image-reading, Qwen-VL).
    """
    # The document's words, leaving out the fragments before line-end hyphens (they are what is in question).
    words = Counter(w.lower() for line in lines for w in _WORD.findall(_HYPHEN_END.sub("", line)))
    out = list(lines)
    for i in range(len(out) - 1):
        m = _HYPHEN_END.search(out[i])
        nxt = out[i + 1].lstrip()
        if not m or not nxt or not nxt[0].isalpha():
            continue
        if " " not in nxt.strip():
            continue  # moving the only word up would leave a blank line, a paragraph break (reflow joins these)
        head, rest = nxt.split(" ", 1)
        tail = re.match(r"[A-Za-z]+", head)
        left = m.group(1)
        joined = (left + (tail.group(0) if tail else "")).lower()
        soft = head[0].islower() and (words[left.lower()] == 0 or words[joined] > 0)
        out[i] = out[i][: m.end(1)] + ("" if soft else "-") + head
        out[i + 1] = rest
    return out


def _edge_key(line: str) -> str:
    return _DIGITS.sub("#", line.strip().lower())


def drop_running_lines(pages: Sequence[list[str]]) -> list[list[str]]:
    """Headers and footers (first or last lines repeated on most pages, page numbers counted as one) go."""
    if len(pages) < 2:
        return [list(p) for p in pages]
    need = max(2, round(EDGE_SHARE * len(pages)))
    counts: Counter[str] = Counter()
    for p in pages:
        lines = [x for x in p if x.strip()]
        counts.update({_edge_key(x) for x in lines[:2] + lines[-2:]})
    running = {k for k, n in counts.items() if n >= need}
    out = []
    for p in pages:
        lines = [x for x in p if x.strip()]
        while lines and _edge_key(lines[0]) in running:
            lines.pop(0)
        while lines and _edge_key(lines[-1]) in running:
            lines.pop()
        out.append(lines)
    return out


def stretched(line: str) -> bool:
    """Whether a line was set justified (spaces widened): then it is not the last line of its paragraph."""
    return bool(_SPACES.search(line.strip()))


def reflow(lines: Sequence[str], *, width: int, keep: Sequence[bool] = ()) -> list[tuple[int, str]]:
    """Wrapped lines -> (index of its first line, paragraph) for each paragraph, one line each.

    A line ends its paragraph when the next line is blank, or when it was not stretched (keep[i]) and either the
    next line's first word would have fitted on it (the break was the writer's, not the typesetter's) or, in
    justified text, it ends a sentence.
    """
    out: list[tuple[int, str]] = []
    current: list[str] = []
    first = 0
    justified = any(keep)
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            if current:
                out.append((first, " ".join(current)))
                current = []
            continue
        if not current:
            first = i
            current.append(line)
        elif _COMPOUND_END.search(current[-1]) and line[0].isalpha():
            current[-1] += line  # a compound broken at its hyphen (image-/reading)
        else:
            current.append(line)
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        full = i < len(keep) and keep[i]
        fits = len(line) + 1 + len(nxt.split(" ", 1)[0]) < FITS * width
        # In justified text an unstretched line ending a sentence is its paragraph's last line.
        if not nxt or (not full and (fits or (justified and _SENTENCE_END.search(line)))):
            out.append((first, " ".join(current)))
            current = []
    if current:
        out.append((first, " ".join(current)))
    return out


def full_width(pages: Sequence[Sequence[str]]) -> int:
    """The length of a full line: the 90th percentile of line lengths across pages."""
    lengths = sorted(len(x) for p in pages for x in p if x.strip())
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
