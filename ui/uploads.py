"""The page's uploads: Gradio's upload cache, read once and emptied, bounded in files, bytes and age."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from gradio import utils as gr_utils

from rag.config import Settings

NOT_UPLOADED = "Not ingested: that file did not come from this page's upload. Choose a document with the upload box."


def upload_folder() -> Path:
    """Gradio's upload cache (GRADIO_TEMP_DIR, else <tmp>/gradio), symlinks resolved."""
    return Path(gr_utils.get_upload_folder()).resolve()


def read_uploaded(file: str, limit: int) -> bytes | None:
    """The bytes of a file Gradio received through its upload route, then deleted; None for any other path.

    The path is resolved (symlinks too) and must lie inside the upload folder; missing, a folder, unreadable or
    outside all give None, so the one message shown never tells which.
    """
    try:
        path = Path(file).resolve(strict=True)
        if not path.is_relative_to(upload_folder()) or not path.is_file():
            return None
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except (OSError, ValueError, RuntimeError):
        return None
    discard_upload(path)
    return data


def discard_upload(path: Path) -> None:
    """Delete an uploaded file and its per-upload folder from Gradio's cache (never anything outside it)."""
    root = upload_folder()
    try:
        if not path.resolve().is_relative_to(root) or path.resolve() == root:
            return
        path.unlink(missing_ok=True)
        parent = path.parent
        if parent.resolve() != root and parent.resolve().is_relative_to(root):
            parent.rmdir()  # only when empty
    except OSError:
        pass


def upload_cache_guard(settings: Settings) -> Callable[[], str | None]:
    """Run before each page upload: delete cached files older than FOOTNOTE_UPLOAD_CACHE_MINUTES, then say why
    the cache is full (FOOTNOTE_UPLOAD_CACHE_FILES / _BYTES), or None when there is room."""

    def guard() -> str | None:
        root = upload_folder()
        if not root.is_dir():
            return None
        cutoff = time.time() - settings.upload_cache_minutes * 60
        files, size = 0, 0
        for path in list(root.rglob("*")):
            try:
                if path.is_symlink() or not path.is_file():
                    continue
                st = path.stat()
                if st.st_mtime < cutoff:
                    discard_upload(path)
                    continue
            except OSError:
                continue
            files += 1
            size += st.st_size
        if files >= settings.upload_cache_files or size >= settings.upload_cache_bytes:
            return (
                f"the page's upload cache is full ({files} files, {size} bytes; FOOTNOTE_UPLOAD_CACHE_FILES, "
                f"FOOTNOTE_UPLOAD_CACHE_BYTES); unused uploads are deleted after "
                f"{settings.upload_cache_minutes:g} minutes: retry then"
            )
        return None

    return guard
