"""Word .docx through llama-index's DocxReader (docx2txt), after the zip and XML checks."""

from __future__ import annotations

from pathlib import Path

from ingest.readers.archive import check_zip
from ingest.readers.base import Extracted, with_file
from ingest.readers.limits import ReadLimits
from ingest.readers.normalize import collapse_spaces


def _text(path: Path) -> str:
    from llama_index.readers.file import DocxReader

    return "\n".join(d.text for d in DocxReader().load_data(path))


def read_docx(data: bytes, limits: ReadLimits) -> Extracted:
    """The document's paragraphs, one a line, separated by blank lines."""
    if len(data) > limits.max_docx_bytes:
        raise ValueError(f"this DOCX is {len(data)} bytes; FOOTNOTE_MAX_DOCX_BYTES is {limits.max_docx_bytes}")
    zf = check_zip(data, kind="DOCX", limits=limits)
    if "word/document.xml" not in zf.namelist():
        raise ValueError("not a Word document (no word/document.xml inside); save it as .docx and try again")
    try:
        raw = with_file(data, ".docx", _text)
    except Exception as exc:  # docx2txt raises whatever its XML parser raises on a damaged part
        raise ValueError(f"this DOCX is damaged and cannot be read ({type(exc).__name__}); re-save it") from None
    # docx2txt separates paragraphs by blank lines (more around tables and headers): one blank line is enough.
    paragraphs = [collapse_spaces(p) for p in raw.split("\n")]
    return Extracted("\n\n".join(p for p in paragraphs if p) + "\n")
