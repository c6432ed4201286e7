"""PDF through llama-index's PDFReader (pypdf): one document per page, normalized, pages kept."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from ingest.readers.base import Extracted, with_file
from ingest.readers.limits import ReadLimits
from ingest.readers.normalize import collapse_spaces, drop_running_lines, full_width, join_hyphens, reflow, stretched

log = logging.getLogger(__name__)


def _check(data: bytes, limits: ReadLimits) -> None:
    """Refuse what PDFReader should not open: too large, not a PDF, damaged, encrypted, too many pages."""
    import pypdf
    from pypdf.errors import PyPdfError

    if len(data) > limits.max_pdf_bytes:
        raise ValueError(f"this PDF is {len(data)} bytes; FOOTNOTE_MAX_PDF_BYTES is {limits.max_pdf_bytes}")
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise ValueError("not a PDF (it does not start with %PDF-); export the document as PDF again")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValueError("this PDF is encrypted (password-protected); save an unprotected copy and try again")
        pages = len(reader.pages)
    except (PyPdfError, OSError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise ValueError(f"this PDF is damaged and cannot be read ({type(exc).__name__}); re-export it") from None
    if pages > limits.max_pdf_pages:
        raise ValueError(f"this PDF has {pages} pages; FOOTNOTE_MAX_PDF_PAGES is {limits.max_pdf_pages}")


def _page_texts(path: Path) -> list[str]:
    from llama_index.readers.file import PDFReader

    texts = [d.text for d in PDFReader(return_full_document=False).load_data(path)]
    hidden = _hidden_fragments(path)
    return [_without(text, hidden[i] if i < len(hidden) else []) for i, text in enumerate(texts)]


_WHITE = {b"g": (1.0,), b"rg": (1.0, 1.0, 1.0), b"k": (0.0, 0.0, 0.0, 0.0)}
TINY_POINTS = 1.0  # text set smaller than this is not for a reader


class _Visibility:
    """Follows one page's graphics state while pypdf reads it, and keeps the text drawn where no reader sees it."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, bool]] = [(0, False)]  # (text rendering mode, white fill)
        self.hidden: list[str] = []

    def before(self, op: bytes, args: list[Any], cm: list[float], tm: list[float]) -> None:
        mode, white = self.stack[-1]
        if op == b"q":
            self.stack.append((mode, white))
        elif op == b"Q" and len(self.stack) > 1:
            self.stack.pop()
        elif op == b"Tr" and args:
            self.stack[-1] = (int(args[0]), white)
        elif op in _WHITE:
            try:
                self.stack[-1] = (mode, tuple(round(float(a), 3) for a in args) == _WHITE[op])
            except (TypeError, ValueError):
                self.stack[-1] = (mode, False)

    def text(self, t: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        mode, white = self.stack[-1]
        scale = abs(tm[3] * cm[3]) or 1.0
        if t.strip() and (mode in (3, 7) or white or 0 < size * scale < TINY_POINTS):
            self.hidden.append(t.strip())


def _hidden_fragments(path: Path) -> list[list[str]]:
    """Per page, the text a reader cannot see: drawn invisibly (rendering mode 3 or 7), in white, or under 1 pt.
    What a reader of the page cannot see is where a document carries orders or claims meant only for machines."""
    import pypdf

    out: list[list[str]] = []
    for page in pypdf.PdfReader(path).pages:
        seen = _Visibility()
        page.extract_text(visitor_operand_before=seen.before, visitor_text=seen.text)
        out.append(seen.hidden)
    return out


def _without(text: str, fragments: list[str]) -> str:
    """The page's text with each hidden fragment (of two characters or more) taken out once, where it occurs."""
    for fragment in fragments:
        if len(fragment) >= 2:
            text = text.replace(fragment, "", 1)
    return text


def read_pdf(data: bytes, limits: ReadLimits) -> Extracted:
    """The PDF's text layer, one paragraph a line; page_starts say on which line each page begins."""
    _check(data, limits)
    try:
        raw = with_file(data, ".pdf", _page_texts)
    except ValueError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files; all mean "cannot read"
        raise ValueError(f"this PDF is damaged and cannot be read ({type(exc).__name__}); re-export it") from None
    if not any(t.strip() for t in raw):
        raise ValueError(
            "this PDF has no text layer (a scanned document?); run OCR on it first (e.g. ocrmypdf) and ingest the "
            "result"
        )
    pages = drop_running_lines([t.splitlines() for t in raw])
    lines = [x for page in pages for x in page]
    keep = [stretched(x) for x in lines]
    first_page = [n for n, page in enumerate(pages, start=1) for _ in page]
    lines = join_hyphens([collapse_spaces(x) for x in lines])
    paragraphs = reflow(lines, width=full_width([lines]), keep=keep)
    # Each paragraph is one line, on the page where it begins; blank lines between them, as in the seeds.
    if not paragraphs:
        return Extracted("")
    starts = []
    k = 0
    for n in range(1, len(pages) + 1):
        while k < len(paragraphs) and first_page[paragraphs[k][0]] < n:
            k += 1
        starts.append(2 * min(k, len(paragraphs) - 1) + 1)
    return Extracted("\n\n".join(p for _, p in paragraphs) + "\n", tuple(starts))
