"""DOCX and EPUB are zip files: refuse zip bombs and XML entity bombs before any parser opens them."""

from __future__ import annotations

import io
import re
import zipfile

from ingest.readers.limits import ReadLimits

_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
BIG_MEMBER = 1_000_000  # below this, a member's ratio does not matter (small XML parts compress well)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word's container for password-protected (and old .doc) files


def check_zip(data: bytes, *, kind: str, limits: ReadLimits) -> zipfile.ZipFile:
    """The open archive, or ValueError: not a zip, too large unpacked, too compressed, or XML with entities."""
    if data.startswith(_OLE):
        raise ValueError(
            f"this {kind} is password-protected (encrypted) or an old binary format; "
            "save it without a password as a current .docx and try again"
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ValueError(f"not a valid {kind} (the zip container is damaged: {exc}); re-save or re-export it") from None
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > limits.max_unzipped_bytes:
        raise ValueError(
            f"this {kind} unpacks to {unpacked} bytes, more than FOOTNOTE_MAX_UNZIPPED_BYTES "
            f"({limits.max_unzipped_bytes}); refused as a possible zip bomb"
        )
    if unpacked / packed > limits.max_zip_ratio:
        raise ValueError(
            f"this {kind} is compressed {unpacked / packed:.0f} to 1, more than FOOTNOTE_MAX_ZIP_RATIO "
            f"({limits.max_zip_ratio:g}); refused as a possible zip bomb"
        )
    for info in infos:
        # One member packed far tighter than text ever is (a diluted bomb inside a real document).
        if info.file_size > BIG_MEMBER and info.file_size / max(1, info.compress_size) > limits.max_zip_ratio:
            raise ValueError(
                f"{info.filename} inside this {kind} is compressed "
                f"{info.file_size / max(1, info.compress_size):.0f} to 1, more than FOOTNOTE_MAX_ZIP_RATIO "
                f"({limits.max_zip_ratio:g}); refused as a possible zip bomb"
            )
    for info in infos:
        if info.filename.lower().endswith((".xml", ".xhtml", ".html", ".htm", ".opf", ".ncx", ".rels")):
            try:
                head = zf.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
                raise ValueError(f"not a valid {kind} ({info.filename} cannot be unpacked: {exc})") from None
            if _ENTITY.search(head):
                raise ValueError(
                    f"this {kind} declares XML entities in {info.filename} (an entity-expansion attack such as "
                    "'billion laughs'); refused"
                )
    return zf
