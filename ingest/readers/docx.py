"""Word .docx through llama-index's DocxReader (docx2txt), after the zip and XML checks."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ingest.readers.archive import check_zip
from ingest.readers.base import Extracted, with_file
from ingest.readers.limits import ReadLimits
from ingest.readers.normalize import collapse_spaces


def _text(path: Path) -> str:
    from llama_index.readers.file import DocxReader

    return "\n".join(d.text for d in DocxReader().load_data(path))


# A run Word hides (<w:vanish/> in its properties, python-docx's `font.hidden`): what a reader cannot see is not
# read, since that is where a document carries orders or claims meant only for machines.
_HIDDEN_RUN = re.compile(
    r"<w:r(?:\s[^>]*)?>(?:(?!</w:r>).)*?<w:vanish(?:\s+w:val=\"(?:true|1|on)\")?\s*/>(?:(?!</w:r>).)*?</w:r>", re.S
)


def _without_hidden_runs(zf: zipfile.ZipFile) -> bytes | None:
    """The archive again with its hidden runs left out, or None when it has none."""
    xml = zf.read("word/document.xml").decode("utf-8", errors="replace")
    if "<w:vanish" not in xml:
        return None
    visible = _HIDDEN_RUN.sub("", xml).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for info in zf.infolist():
            dest.writestr(info, visible if info.filename == "word/document.xml" else zf.read(info))
    return out.getvalue()


def read_docx(data: bytes, limits: ReadLimits) -> Extracted:
    """The document's paragraphs, one a line, separated by blank lines."""
    if len(data) > limits.max_docx_bytes:
        raise ValueError(f"this DOCX is {len(data)} bytes; FOOTNOTE_MAX_DOCX_BYTES is {limits.max_docx_bytes}")
    zf = check_zip(data, kind="DOCX", limits=limits)
    if "word/document.xml" not in zf.namelist():
        raise ValueError("not a Word document (no word/document.xml inside); save it as .docx and try again")
    data = _without_hidden_runs(zf) or data
    try:
        raw = with_file(data, ".docx", _text)
    except Exception as exc:  # docx2txt raises whatever its XML parser raises on a damaged part
        raise ValueError(f"this DOCX is damaged and cannot be read ({type(exc).__name__}); re-save it") from None
    # docx2txt separates paragraphs by blank lines (more around tables and headers): one blank line is enough.
    paragraphs = [collapse_spaces(p) for p in raw.split("\n")]
    return Extracted("\n\n".join(p for p in paragraphs if p) + "\n")
