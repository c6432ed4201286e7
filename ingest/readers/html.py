"""HTML pages: boilerplate (script, style, nav, header, footer, aside, forms) and hidden elements removed with
BeautifulSoup, the article's text as Markdown-free paragraphs by html2text (the parsers llama-index's HTML and
EPUB readers use).

SimpleDirectoryReader's default for .html returns the raw markup and HTMLTagReader's default tag (<section>) finds
nothing on common pages, so the page is cleaned here before html2text reads it.
"""

from __future__ import annotations

import re
from typing import Any

from ingest.readers.base import Extracted
from ingest.readers.limits import ReadLimits
from ingest.readers.normalize import collapse_spaces

BOILERPLATE = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe", "svg")
# What a reader of the page cannot see is not read: text hidden by the page's own markup is where a scraped page
# carries orders or claims meant only for machines.
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|(?:font-size|line-height|max-height|height|width)\s*:\s*0(?:\.0+)?"
    r"(?:px|em|rem|pt|%)?\s*(?:!important)?\s*(?:;|$)|opacity\s*:\s*0(?:\.0+)?\s*(?:!important)?\s*(?:;|$)|"
    r"(?:left|top|text-indent)\s*:\s*-\d{3,}",
    re.I,
)


def _hidden(tag: Any) -> bool:
    """Whether the page hides the element from its reader (hidden, aria-hidden, an invisible inline style)."""
    attrs = tag.attrs
    return (
        "hidden" in attrs
        or str(attrs.get("aria-hidden", "")).lower() == "true"
        or bool(_HIDDEN_STYLE.search(str(attrs.get("style", ""))))
    )


def html_text(markup: str) -> str:
    """The main text of an HTML page or EPUB chapter: one paragraph a line, blank lines between."""
    import html2text
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup.find_all(BOILERPLATE):
        tag.decompose()
    for tag in [t for t in soup.find_all(True) if _hidden(t)]:
        if not tag.decomposed:  # inside one hidden before it
            tag.decompose()
    main = soup.find("main") or soup.find("article") or soup.find("body") or soup
    conv = html2text.HTML2Text()
    conv.body_width = 0  # no wrapping: a paragraph is one line (a line always ends a sentence)
    conv.ignore_links = True
    conv.ignore_images = True
    conv.ignore_emphasis = True
    conv.ignore_tables = True
    text = conv.handle(str(main))
    paragraphs = [collapse_spaces(p) for p in text.split("\n")]
    return "\n\n".join(p for p in paragraphs if p)


def read_html(data: bytes, limits: ReadLimits) -> Extracted:
    """An HTML page's article text (UTF-8, or the charset it declares)."""
    if len(data) > limits.max_html_bytes:
        raise ValueError(f"this HTML file is {len(data)} bytes; FOOTNOTE_MAX_HTML_BYTES is {limits.max_html_bytes}")
    from bs4 import UnicodeDammit

    markup = UnicodeDammit(data, ["utf-8"]).unicode_markup
    if markup is None:
        raise ValueError("the HTML file's encoding cannot be recognised; save it as UTF-8")
    text = html_text(markup)
    return Extracted(text + "\n" if text else "")
