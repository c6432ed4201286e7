"""Files -> documents (title, text, sha256); bad files are skipped with a reason, never a traceback."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath

from ingest.readers import SUPPORTED, ReadLimits, reader_for

TITLE_CHARS = 90
SUPPORTED_NAMES = "plain text (.txt, .md), PDF, Word (.docx), HTML (.html, .htm) or EPUB"


@dataclass(frozen=True)
class Document:
    """One source file's text; its file name is its citation id."""

    source: str
    title: str
    text: str
    sha256: str
    path: str
    # For paged formats (PDF): page_starts[i] is the 1-based line of text where page i + 1 begins.
    page_starts: tuple[int, ...] = ()

    def page_of(self, line: int) -> int | None:
        """The page a line of the text is on (None for documents without pages)."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, line))


@dataclass(frozen=True)
class Skipped:
    """A file left out, and why."""

    path: str
    reason: str


def title_of(text: str, source: str) -> str:
    """The first non-empty line, shortened at a word boundary; the file name when there is none."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            if len(line) <= TITLE_CHARS:
                return line
            return line[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return source


def parse_document(source: str, data: bytes, *, path: str = "", limits: ReadLimits | None = None) -> Document:
    """Bytes -> Document; ValueError with a user-facing reason when the bytes are not a usable document.

    PDF, DOCX, HTML and EPUB go through their readers (ingest/readers/), within limits; the stored text is
    the extracted text. Anything else is read as UTF-8 text, verbatim.
    """
    if not data:
        raise ValueError("empty file")
    suffix = PurePath(source).suffix
    read = reader_for(suffix)
    if read is not None:
        try:
            extracted = read(data, limits or ReadLimits())
        except ValueError:
            raise
        except Exception as exc:  # a third-party parser failing on untrusted bytes in a way not foreseen
            raise ValueError(
                f"this {suffix.lstrip('.').upper()} file cannot be read ({type(exc).__name__}); re-save or re-export it"
            ) from None
        if not extracted.text.strip():
            raise ValueError("no text found in this document")
        return Document(
            source=source,
            title=title_of(extracted.text, source),
            text=extracted.text,
            sha256=hashlib.sha256(data).hexdigest(),
            path=path or source,
            page_starts=extracted.page_starts,
        )
    if b"\x00" in data[:8192]:
        raise ValueError("binary file (contains NUL bytes); a .txt or .md file must be UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 (bad byte at offset {exc.start}); save the file as UTF-8") from None
    if not text.strip():
        raise ValueError("empty file (only whitespace)")
    return Document(
        source=source,
        title=title_of(text, source),
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        path=path or source,
    )


def _candidates(paths: Iterable[Path]) -> Iterable[tuple[Path, bool]]:
    """(file, named explicitly) for each path; folders are walked in sorted order."""
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                    yield f, False
        else:
            yield p, True


def load_paths(paths: Iterable[Path], *, limits: ReadLimits | None = None) -> tuple[list[Document], list[Skipped]]:
    """Read every supported file under paths. Missing paths must be checked by the caller."""
    docs: list[Document] = []
    skipped: list[Skipped] = []
    seen: dict[str, str] = {}
    for f, explicit in _candidates(paths):
        if f.suffix.lower() not in SUPPORTED:
            skipped.append(Skipped(str(f), f"unsupported file type '{f.suffix or '(none)'}'; use {SUPPORTED_NAMES}"))
            continue
        if f.name in seen:
            skipped.append(Skipped(str(f), f"another file named {f.name} was already read from {seen[f.name]}"))
            continue
        cap = (limits or ReadLimits()).max_bytes(f.suffix)
        try:
            size = f.stat().st_size
            if cap is not None and size > cap[0]:  # checked before reading it into memory
                skipped.append(Skipped(str(f), f"{size} bytes, over this format's cap of {cap[0]} ({cap[1]})"))
                continue
            data = f.read_bytes()
        except OSError as exc:
            skipped.append(Skipped(str(f), f"unreadable: {exc.strerror or exc}"))
            continue
        try:
            doc = parse_document(f.name, data, path=str(f), limits=limits)
        except ValueError as exc:
            skipped.append(Skipped(str(f), str(exc)))
            continue
        seen[f.name] = str(f)
        docs.append(doc)
        del explicit
    return docs, skipped
