"""The document view: GET /v1/documents/{source} (JSON) and GET /view/{source}?lines=A-B (a readable page).

Every citation on every face links here (ui/links.py). Document text is hostile until proven otherwise: the page
escapes all of it and allows no script but its own one line (by hash).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from rag.errors import FootnoteError, UnknownDocument
from ui.documents import DocumentText
from ui.links import VIEW_PATH
from ui.service import Service

_LINES = re.compile(r"\s*(\d{1,7})\s*(?:[-–]\s*(\d{1,7})\s*)?")
_SCROLL = "document.querySelector('.hl')?.scrollIntoView({block:'center'});"
_SCROLL_HASH = base64.b64encode(hashlib.sha256(_SCROLL.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{_SCROLL_HASH}'; "
    "img-src 'none'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
STYLE = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2937; background: #fff; }
header { padding: 16px 20px 8px; border-bottom: 1px solid #e5e7eb; }
header h1 { font-size: 1.4rem; margin: 8px 0 4px; }
.meta { margin: 0; color: #374151; font-size: 0.95rem; }
.meta code { font-size: 0.9rem; background: #f3f4f6; padding: 1px 4px; border-radius: 4px; overflow-wrap: anywhere; }
.badge { display: inline-block; font-size: 0.8rem; padding: 0 6px; border-radius: 4px; border: 1px solid; }
.badge.curated { color: #065f46; border-color: #065f46; }
.badge.contributed { color: #92400e; border-color: #92400e; }
a { color: #1d4ed8; }
main { padding: 8px 0 40vh; }
.line { display: flex; gap: 12px; padding: 0 20px; white-space: pre-wrap; overflow-wrap: anywhere; min-height: 1.5em;
  scroll-margin-top: 4em; }
.line .n { flex: 0 0 3.5em; text-align: right; color: #4b5563; text-decoration: none; user-select: none; }
.line.hl { background: #fef3c7; box-shadow: inset 4px 0 #b45309; }
.line:target .n { font-weight: 700; }
.error { padding: 20px; }
"""


def parse_lines(value: str | None, last: int) -> tuple[int, int] | None:
    """'A-B' (or 'A') as a 1-based range inside 1..last; BadLines when it is not one."""
    if value is None or value == "":
        return None
    m = _LINES.fullmatch(value)
    if m is None:
        raise BadLines(f"lines must look like 33 or 33-35 (got {value[:40]!r})")
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else start
    if start < 1 or end < start:
        raise BadLines(f"lines {start}-{end}: the first line must be at least 1 and not after the last")
    if start > last:
        raise BadLines(f"the document has {last} lines; line {start} is past its end")
    return start, min(end, last)


class BadLines(FootnoteError):
    """A ?lines= value that is not a range inside the document."""


def view_html(doc: DocumentText, span: tuple[int, int] | None) -> str:
    """The page: title, trust badge, file name, numbered lines (id="L{n}"), the span highlighted. All escaped."""
    esc = html.escape
    badge = (
        '<span class="badge contributed">uploaded</span>'
        if doc.trust == "contributed"
        else '<span class="badge curated">curated article</span>'
    )
    where = ""
    if span is not None:
        a, b = span
        where = f" · line {a}" if a == b else f" · lines {a}–{b}"
    rows = []
    for n, line in enumerate(doc.lines, 1):
        hl = span is not None and span[0] <= n <= span[1]
        rows.append(
            f'<div class="line{" hl" if hl else ""}" id="L{n}"><a class="n" href="#L{n}">{n}</a>'
            f'<span class="t">{esc(line)}</span></div>'
        )
    script = f"<script>{_SCROLL}</script>" if span is not None else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(doc.title)} · Footnote</title><style>{STYLE}</style></head><body>"
        '<header><a href="/">← Back to the chat</a>'
        f"<h1>{esc(doc.title)}</h1>"
        f'<p class="meta">{badge} <code>{esc(doc.source)}</code> · {doc.chunks} chunks{where}</p></header>'
        f'<main aria-label="Document text">{"".join(rows)}</main>{script}</body></html>'
    )


def _message_page(title: str, message: str, status: int) -> HTMLResponse:
    esc = html.escape
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · Footnote</title><style>{STYLE}</style></head><body>"
        f'<main class="error"><h1>{esc(title)}</h1><p>{esc(message)}</p>'
        '<p><a href="/">← Back to the chat</a></p></main></body></html>'
    )
    return HTMLResponse(body, status_code=status, headers={"Content-Security-Policy": CSP})


def build_document_routes(
    service: Service, *, auth: Any, signed_in: Callable[[Request], bool] | None = None
) -> APIRouter:
    """GET /v1/documents/{source} behind the API's `auth` dependency, and the page route /view/{source}.

    With an API key set, the view needs the page's login (`signed_in`) or the key as a bearer token.
    """
    router = APIRouter()

    @router.get(
        "/v1/documents/{source}",
        dependencies=[Depends(auth)],
        summary="One document: title, trust, chunks and its text as numbered lines (what line spans refer to)",
    )
    def document(source: str) -> dict[str, Any]:
        return service.document(source).public()

    @router.get(VIEW_PATH + "/{source}", include_in_schema=False)
    async def view(request: Request, source: str, lines: str | None = None) -> HTMLResponse:
        if signed_in is not None and not signed_in(request):
            return _message_page("Sign in first", "This server needs its key: sign in on the chat page.", 401)
        try:
            doc = await run_in_threadpool(service.document, source)
        except UnknownDocument:
            return _message_page(
                "No such document", f"No document named {source!r} is in the store; it may have been deleted.", 404
            )
        except FootnoteError:
            return _message_page("Not available", "The document store is not available right now; retry soon.", 503)
        try:
            span = parse_lines(lines, len(doc.lines))
        except BadLines as exc:
            return _message_page("Bad line range", str(exc), 400)
        return HTMLResponse(view_html(doc, span), headers={"Content-Security-Policy": CSP})

    return router
