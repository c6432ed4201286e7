"""Per-format caps on what a reader will open (FOOTNOTE_MAX_* settings)."""

from __future__ import annotations

from dataclasses import dataclass

from rag.config import Settings


@dataclass(frozen=True)
class ReadLimits:
    """Caps checked before and while a file is read; the defaults are Settings' defaults."""

    max_pdf_bytes: int = 50_000_000
    max_pdf_pages: int = 2000
    max_docx_bytes: int = 20_000_000
    max_epub_bytes: int = 50_000_000
    max_html_bytes: int = 10_000_000
    max_unzipped_bytes: int = 200_000_000
    max_zip_ratio: float = 100.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadLimits:
        """The caps configured in settings."""
        return cls(
            max_pdf_bytes=settings.max_pdf_bytes,
            max_pdf_pages=settings.max_pdf_pages,
            max_docx_bytes=settings.max_docx_bytes,
            max_epub_bytes=settings.max_epub_bytes,
            max_html_bytes=settings.max_html_bytes,
            max_unzipped_bytes=settings.max_unzipped_bytes,
            max_zip_ratio=settings.max_zip_ratio,
        )

    def max_bytes(self, suffix: str) -> tuple[int, str] | None:
        """(size cap, its setting's name) of a document format; None for plain text, which has none here."""
        caps = {
            ".pdf": (self.max_pdf_bytes, "FOOTNOTE_MAX_PDF_BYTES"),
            ".docx": (self.max_docx_bytes, "FOOTNOTE_MAX_DOCX_BYTES"),
            ".epub": (self.max_epub_bytes, "FOOTNOTE_MAX_EPUB_BYTES"),
            ".html": (self.max_html_bytes, "FOOTNOTE_MAX_HTML_BYTES"),
            ".htm": (self.max_html_bytes, "FOOTNOTE_MAX_HTML_BYTES"),
        }
        return caps.get(suffix.lower())
