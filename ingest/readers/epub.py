"""EPUB through EbookLib and html2text (EpubReader's parsers): chapters in reading order, no table of contents.

llama-index's EpubReader reads every document item in archive order, the navigation document (the table of
contents) included, and wraps lines at 78 columns; here the spine gives the order, the nav document is left out
and each paragraph stays one line.
"""

from __future__ import annotations

from pathlib import Path

from ingest.readers.archive import check_zip
from ingest.readers.base import Extracted, with_file
from ingest.readers.html import html_text
from ingest.readers.limits import ReadLimits


def _chapters(path: Path) -> list[str]:
    import ebooklib
    from ebooklib import epub

    book = epub.read_epub(str(path), options={"ignore_ncx": True})
    out = []
    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() != ebooklib.ITEM_DOCUMENT or isinstance(item, epub.EpubNav):
            continue
        out.append(html_text(item.get_content().decode("utf-8", errors="replace")))
    return out


def read_epub(data: bytes, limits: ReadLimits) -> Extracted:
    """The book's chapters, one paragraph a line."""
    if len(data) > limits.max_epub_bytes:
        raise ValueError(f"this EPUB is {len(data)} bytes; FOOTNOTE_MAX_EPUB_BYTES is {limits.max_epub_bytes}")
    zf = check_zip(data, kind="EPUB", limits=limits)
    if "META-INF/encryption.xml" in zf.namelist():
        raise ValueError("this EPUB is encrypted (DRM); only unprotected books can be read")
    try:
        chapters = with_file(data, ".epub", _chapters)
    except Exception as exc:  # EbookLib raises its own and lxml's errors on a damaged book
        raise ValueError(f"this EPUB is damaged and cannot be read ({type(exc).__name__}); re-export it") from None
    text = "\n\n".join(c for c in chapters if c)
    return Extracted(text + "\n" if text else "")
