"""PDF through llama-index's PDFReader (pypdf): one document per page, normalized, pages kept."""

from __future__ import annotations

import io
import logging
from pathlib import Path

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

    return [d.text for d in PDFReader(return_full_document=False).load_data(path)]


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
