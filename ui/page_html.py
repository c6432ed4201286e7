"""What the page shows, as text: answers and their footnotes as plain Markdown, the welcome, words for errors.

Answers and quotes are document (or model) text, hostile until proven otherwise. They are made inert for the
chat's Markdown without backslash clutter: a zero-width space breaks links, images, autolinks, HTML tags,
entities and line-start blocks (headings, lists, quotes, tables, code); only the rare emphasis and code characters
(* _ ` ~ \\) get a backslash. Copying a message (Gradio copies its Markdown) then gives the text as it reads.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from ingest.pipeline import StoredDocument
from rag.types import Answer, Citation
from ui.links import document_url

log = logging.getLogger(__name__)
ZWSP = "\u200b"
MARKER = re.compile(r"\[(\d{1,3})\]")
_AUTOLINK = re.compile(r"(?<=[A-Za-z])(?=://)|(?<=\bwww)(?=\.)|(?<=\w)(?=@\w)", re.I)
_TAG = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LINK = re.compile(r"\](?=[(\[:])")
_EMPHASIS = re.compile(r"([\\*`~]|(?<!\w)_|_(?!\w))")
_BLOCK = r"(?=[ \t#>+*=\-:|\[]|\d+[.)])"  # what may open a block (heading, quote, list, table, code) at a line start
_BLOCK_START = re.compile(r"(?:^|(?<=\n))" + _BLOCK)
_BLOCK_AFTER_NEWLINE = re.compile(r"(?<=\n)" + _BLOCK)
_SETTING = re.compile(r"\b(?:FOOTNOTE|OPENAI)_[A-Z_]+\b")
_SETTING_GROUP = re.compile(r"\s*\([^()]*\b(?:FOOTNOTE|OPENAI)_[A-Z_]+\b[^()]*\)")
SOURCES_TITLE = "Sources"
MAX_WELCOME = 12


def inert_markdown(text: str, *, line_start: bool = True) -> str:
    """Text that Markdown shows as it is (see the module docstring); readable when copied.

    line_start=False: the text continues a line (it follows a footnote link), so its start opens no block."""
    text = _EMPHASIS.sub(r"\\\1", text)
    text = _AUTOLINK.sub(ZWSP, text)
    text = _TAG.sub("<" + ZWSP, text)
    text = _ENTITY.sub("&" + ZWSP, text)
    text = _LINK.sub("]" + ZWSP, text)
    return (_BLOCK_START if line_start else _BLOCK_AFTER_NEWLINE).sub(ZWSP, text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _link_text(text: str) -> str:
    return inert_markdown(_one_line(text)).replace("[", "\\[").replace("]", "\\]")


def _title_attr(text: str, limit: int = 160) -> str:
    text = _one_line(text)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text.replace("\\", "\\\\").replace('"', '\\"')


def lines_label(start: int, end: int) -> str:
    """ "line 33" or "lines 33–35"."""
    return f"line {start}" if end <= start else f"lines {start}–{end}"


def answer_markdown(text: str, citations: Sequence[Citation] = ()) -> str:
    """The answer as inert Markdown; each [n] of a citation links to its lines, the quote as its hover title."""
    by_n = {c.n: c for c in citations}
    out: list[str] = []
    pos = 0
    for m in MARKER.finditer(text):
        c = by_n.get(int(m.group(1)))
        if c is None:
            continue
        before = inert_markdown(text[pos : m.start()], line_start=pos == 0)
        out.append(before + ZWSP if before.endswith(("!", "[", "]")) else before)  # "![[1]](…)" would be an image
        url = document_url("", c.source, c.start_line, c.end_line)
        out.append(f'[[{c.n}]]({url} "{_title_attr(c.quote)}")')
        pos = m.end()
    out.append(inert_markdown(text[pos:], line_start=pos == 0))
    return "".join(out)


def _where(title: str, source: str, start: int, end: int, trust: str) -> str:
    url = document_url("", source, start, end)
    uploaded = " · *uploaded*" if trust == "contributed" else ""
    return f"**{_link_text(title)}**{uploaded}  \n[{_link_text(source)}, {lines_label(start, end)}]({url})"


def _quote(text: str) -> str:
    return f"“{inert_markdown(_one_line(text))}”"


def sources_markdown(answer: Answer) -> tuple[str, str]:
    """(title, Markdown) of the sources under one answer: its footnotes, or the closest passages of a refusal;
    then what was set aside (uploads that gave way, hostile text)."""
    parts: list[str] = []
    if answer.refused:
        shown = [p for p in answer.passages if not p.flags][:3]
        title = f"Closest passages ({len(shown)})" if shown else "No close passages"
        for i, p in enumerate(shown, 1):
            parts.append(f"{i}. {_where(p.title, p.source, p.start_line, p.end_line, p.trust)}  \n{_quote(p.text)}")
    else:
        n = len(answer.citations)
        title = f"{SOURCES_TITLE} ({n})"
        for c in answer.citations:
            parts.append(f"{c.n}. {_where(c.title, c.source, c.start_line, c.end_line, c.trust)}  \n{_quote(c.quote)}")
    if answer.set_aside:
        items = "\n".join(
            f"- {_where(p.title, p.source, p.start_line, p.end_line, p.trust)}  \n  {_quote(p.text)}"
            for p in answer.set_aside
        )
        parts.append(
            "Set aside: an uploaded document matches more closely, but the curated articles take precedence. "
            f"Not verified:\n\n{items}"
        )
    hostile = [p for p in answer.passages if p.flags]
    if hostile:
        items = "\n".join(
            f"- {_where(p.title, p.source, p.start_line, p.end_line, p.trust)}: {inert_markdown(', '.join(p.flags))}"
            for p in hostile
        )
        parts.append(
            "Set aside as hostile text (orders to an assistant, stuffing or hidden characters); never quoted:"
            f"\n\n{items}"
        )
    return title, "\n\n".join(parts)


def answer_messages(answer: Answer) -> list[dict[str, object]]:
    """The chat messages of one answer: the text, then its sources as a collapsible block right under it."""
    title, body = sources_markdown(answer)
    text = answer_markdown(answer.answer, answer.citations)
    messages: list[dict[str, object]] = [{"role": "assistant", "content": text}]
    if body:
        messages.append({"role": "assistant", "content": body, "metadata": {"title": title}})
    return messages


def welcome_markdown(docs: Sequence[StoredDocument]) -> str:
    """The first screen: which articles there are (title, file, chunks) and what to do."""
    if not docs:
        return (
            "**No articles yet.** Upload a document (.txt, .md, .pdf, .docx, .html, .epub) in the Documents tab, "
            "then ask about it."
        )
    rows = [
        f"- **{_link_text(d.title)}**{' · *uploaded*' if d.trust == 'contributed' else ''}  \n"
        f"  [{_link_text(d.source)}]({document_url('', d.source)}) · {d.chunks} chunks"
        for d in docs[:MAX_WELCOME]
    ]
    more = f"\n\n…and {len(docs) - MAX_WELCOME} more in the Documents tab." if len(docs) > MAX_WELCOME else ""
    return (
        f"**Ask about {'this article' if len(docs) == 1 else f'these {len(docs)} articles'}.** "
        "Every claim gets a footnote that opens the lines it came from.\n\n" + "\n".join(rows) + more
    )


def plain_words(message: str) -> str:
    """A message for the page's reader: the operator's setting names (FOOTNOTE_..., OPENAI_...) go to the log."""
    plain = _SETTING_GROUP.sub("", message)
    plain = _SETTING.sub("a server setting", plain)
    if plain != message:
        log.info("shown on the page without setting names: %s", message)
    plain = plain.strip()
    return plain[:1].upper() + plain[1:]
