"""Where a citation points: the one URL scheme shared by the page, the REST API and the OpenAI annotations.

`/view/{source}?lines=A-B#LA` is the page's document view, with lines A..B highlighted and scrolled into view;
`/v1/documents/{source}` is the same document as JSON (title, trust, numbered lines).
"""

from __future__ import annotations

from urllib.parse import quote

VIEW_PATH = "/view"


def document_url(base_url: str, source: str, start: int | None = None, end: int | None = None) -> str:
    """The document view for `source` at `base_url`, pointing at lines start..end when given."""
    url = f"{base_url.rstrip('/')}{VIEW_PATH}/{quote(source, safe='')}"
    if start is None:
        return url
    last = end if end is not None and end >= start else start
    return f"{url}?lines={start}-{last}#L{start}"
