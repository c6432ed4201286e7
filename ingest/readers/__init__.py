"""Readers for documents people have (PDF, Word, HTML, EPUB), one module per format; plain text is read in load.

Heavy parsers (llama-index's file readers, pypdf, EbookLib, BeautifulSoup) are imported when a file of their
format is read, so starting a server does not pay for them.
"""

from __future__ import annotations

from collections.abc import Callable

from ingest.readers.base import Extracted
from ingest.readers.limits import ReadLimits

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".epub")
SUPPORTED = TEXT_SUFFIXES + DOCUMENT_SUFFIXES

Reader = Callable[[bytes, ReadLimits], Extracted]


def reader_for(suffix: str) -> Reader | None:
    """The reader of a document format (None for plain text, read as UTF-8 in ingest.load)."""
    suffix = suffix.lower()
    if suffix == ".pdf":
        from ingest.readers.pdf import read_pdf

        return read_pdf
    if suffix == ".docx":
        from ingest.readers.docx import read_docx

        return read_docx
    if suffix in (".html", ".htm"):
        from ingest.readers.html import read_html

        return read_html
    if suffix == ".epub":
        from ingest.readers.epub import read_epub

        return read_epub
    return None


__all__ = ["DOCUMENT_SUFFIXES", "SUPPORTED", "TEXT_SUFFIXES", "Extracted", "ReadLimits", "reader_for"]
