"""Hostile and broken documents, made at test time (small bytes, no fixtures): what each reader must refuse."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_PDF = FIXTURES / "pdf" / "000_238b3d5c562b5a75.pdf"
SEED_DOCX = FIXTURES / "docx" / "000_238b3d5c562b5a75.docx"

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>
<w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>
"""


def encrypted_pdf() -> bytes:
    """The seed PDF with a user password."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=str(SEED_PDF))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned_pdf() -> bytes:
    """Two pages without a text layer (what a scanner without OCR makes, minus the image)."""
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=420, height=595)
    writer.add_blank_page(width=420, height=595)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated(data: bytes) -> bytes:
    """The first third of a file: a download cut short."""
    return data[: len(data) // 3]


def _docx_with(members: dict[str, bytes], *, level: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=level) as zf:
        with zipfile.ZipFile(SEED_DOCX) as seed:
            for info in seed.infolist():
                if info.filename not in members:
                    zf.writestr(info.filename, seed.read(info))
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


def zip_bomb_docx(unpacked: int = 20_000_000) -> bytes:
    """A real DOCX plus a member of zeros that deflates about a thousand to one."""
    return _docx_with({"word/media/padding.bin": b"\0" * unpacked})


def billion_laughs_docx() -> bytes:
    """A DOCX whose document.xml declares nested entities."""
    return _docx_with({"word/document.xml": LAUGHS})


def password_protected_docx() -> bytes:
    """What Word saves for a password-protected file: an OLE compound file, not a zip."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048
