"""REST under /v1: ask, search, documents (the OpenAI-compatible part is ui/openai_api.py); health; the Gate."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any, Literal, cast

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from rag.errors import BadDocument, BadQuestion, FootnoteError, NotAllowed
from rag.types import TRUST_LEVELS, Trust, Turn
from ui.http_errors import error, install_error_handlers, validation_error
from ui.openai_api import MAX_HISTORY_MESSAGES, MAX_MESSAGE_CHARS, build_openai_router
from ui.service import Overloaded, Service, check_text

__all__ = ["Gate", "build_health", "build_router", "install_error_handlers"]
log = logging.getLogger(__name__)


# -- HTTP schemas (kept apart from rag.types; converted with classmethods) -------------------------------


class TurnIn(BaseModel):
    """One earlier message."""

    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_MESSAGE_CHARS)

    def to_turn(self) -> Turn:
        """As a domain Turn."""
        return Turn(self.role, self.content)


class AskIn(BaseModel):
    """POST /v1/ask body."""

    question: str
    history: list[TurnIn] = Field(
        default_factory=list,
        description=f"earlier messages, oldest first; only the most recent {MAX_HISTORY_MESSAGES} are read",
    )
    top_k: int | None = Field(None, ge=1, le=50)


class DocumentIn(BaseModel):
    """POST /v1/documents JSON body."""

    source: str = Field(min_length=1, max_length=255)
    text: str
    trust: Trust | None = Field(
        None, description="curated needs the server's FOOTNOTE_API_KEY; default FOOTNOTE_UPLOAD_TRUST"
    )


# -- routes ------------------------------------------------------------------------------------------------


def require_key(service: Service) -> Any:
    key = service.settings.api_key.get_secret_value() if service.settings.api_key else None

    def check(request: Request) -> None:
        if key is None:
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), key.encode()):
            raise HTTPException(401, "missing or wrong API key: send 'Authorization: Bearer <FOOTNOTE_API_KEY>'")

    return check


def _check_texts(question: str, history: list[str]) -> None:
    """400 for text JSON can carry but UTF-8 cannot (an unpaired surrogate such as "\\ud800"), before any work."""
    check_text(question, "the question")
    for i, content in enumerate(history):
        check_text(content, f"history message {i + 1}")


def build_router(service: Service) -> APIRouter:
    """Every /v1 route, behind the optional bearer key."""
    router = APIRouter(prefix="/v1", dependencies=[Depends(require_key(service))])

    @router.post("/ask", summary="A cited answer (the Answer JSON of `footnote ask --json`)")
    def ask(body: AskIn) -> dict[str, Any]:
        history = body.history[-MAX_HISTORY_MESSAGES:]  # a long conversation keeps its most recent turns
        _check_texts(body.question, [t.content for t in history])
        answer = service.ask(body.question, [t.to_turn() for t in history], top_k=body.top_k)
        return answer.public()

    @router.get("/search", summary="Hybrid search: passages only")
    def search(q: str = Query(..., description="the query"), top_k: int | None = Query(None, ge=1, le=50)) -> Any:
        _check_texts(q, [])
        return {"passages": [p.public() for p in service.search(q, top_k=top_k)]}

    router.include_router(build_openai_router(service))

    @router.get("/documents", summary="Documents in the store")
    def documents() -> dict[str, Any]:
        return {
            "documents": [
                {
                    "source": d.source,
                    "title": d.title,
                    "chunks": d.chunks,
                    "sha256": d.sha256,
                    "trust": d.trust,
                    "ingested_at": d.ingested_at,
                }
                for d in service.documents()
            ]
        }

    @router.post(
        "/documents",
        summary="Ingest one document: a file upload (multipart field 'file') or JSON {source, text}",
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/json": {"schema": DocumentIn.model_json_schema()},
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "trust": {"type": "string", "enum": list(TRUST_LEVELS)},
                            },
                            "required": ["file"],
                        }
                    },
                },
                "required": True,
            }
        },
    )
    async def upload(request: Request) -> JSONResponse:
        source, data, trust = await _read_upload(request, service.settings.max_upload_bytes)
        if trust == "curated" and service.settings.api_key is None and service.settings.upload_trust != "curated":
            raise NotAllowed(
                "curated uploads need the operator's key: set FOOTNOTE_API_KEY on the server and send it, "
                "or put the file in a folder and run `footnote ingest`"
            )
        result = await run_in_threadpool(partial(service.upload, source, data, trust=trust))
        return JSONResponse(
            {
                "source": result.source,
                "status": result.status,
                "chunks": result.chunks,
                "chunks_embedded": result.chunks_embedded,
                "points": result.points,
                "trust": result.trust,
            },
            status_code=201 if result.status == "added" else 200,
        )

    @router.delete("/documents/{source}", summary="Remove one document and its points")
    def delete(source: str) -> dict[str, Any]:
        # The key holder is the operator and may remove curated documents; without a key, callers are uploaders.
        trust: Trust | None = "curated" if service.settings.api_key is not None else None
        return {"deleted": source, "chunks": service.delete(source, trust=trust)}

    @router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown(path: str) -> None:
        raise HTTPException(404, f"no route /v1/{path}; see /docs for the API")

    return router


def _trust(value: object) -> Trust | None:
    if value is None or value == "":
        return None
    if value not in TRUST_LEVELS:
        raise BadDocument(f"trust must be one of {', '.join(TRUST_LEVELS)} (got {str(value)[:40]!r})")
    return cast(Trust, value)


async def _read_upload(request: Request, limit: int) -> tuple[str, bytes, Trust | None]:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=1, max_fields=5)
        except Exception:  # malformed multipart of any kind
            raise BadDocument("the multipart body could not be parsed; send one file in the field 'file'") from None
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise BadDocument("send the document in the multipart field 'file'")
        data = await upload.read(limit + 1)
        return upload.filename or "", data, _trust(form.get("trust"))
    if ctype.startswith("application/json"):
        raw = await request.body()
        try:
            doc = DocumentIn.model_validate_json(raw)
        except ValidationError as exc:
            message = validation_error(exc)[2]
            try:  # Python's parser takes "\ud800" (pydantic's refuses it): then say what is wrong
                doc = DocumentIn.model_validate(json.loads(raw.decode("utf-8")))
            except (ValueError, ValidationError):
                raise BadDocument(message) from None
        for value, what in ((doc.source, "the document name"), (doc.text, "the document text")):
            try:
                check_text(value, what)
            except BadQuestion as exc:
                raise BadDocument(str(exc)) from None
        return doc.source, doc.text.encode("utf-8"), doc.trust
    raise BadDocument("send multipart/form-data with a 'file' field, or application/json {source, text}")


def build_health(service: Service) -> APIRouter:
    """Liveness and readiness, without auth (for load balancers and compose healthchecks)."""
    router = APIRouter()

    @router.get("/healthz", summary="The process is up")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Store open, collection present, embedder loaded (503 if not)")
    def readyz() -> Any:
        try:
            return service.ready()
        except FootnoteError as exc:
            return error(503, "not_ready", str(exc))

    return router


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy", b"frame-ancestors 'self'"),
    (b"referrer-policy", b"same-origin"),
]
_MUTATING = ("POST", "PUT", "PATCH", "DELETE")


class _BodyTooLarge(Exception):
    pass


class _BodyTooSlow(Exception):
    pass


class _TooManyBodies(Exception):
    pass


SLOW_BODY = 0.5  # seconds: a body not all in by then counts towards FOOTNOTE_MAX_BODIES_PER_CLIENT


class Gate:
    """The first thing every HTTP request meets; nothing is buffered and no slot is taken before these checks.

    In order: wrong-key lockout (429), the Host allow-list (DNS rebinding), the Origin of mutating requests
    (cross-site), Content-Length over the limit (413), the API key on /v1 (401). Then the body is read, bounded
    in size (413), time (408) and, for bodies that do not arrive whole, in how many one client may be sending at
    once (429); only then does a /v1 request take an admission slot (503 when max_pending are in). Elsewhere
    (the page) the body is checked the same way as the app reads it, so Gradio's own login check still runs
    before any of it is read. Every response gets the security headers.
    """

    def __init__(
        self,
        app: Any,
        service: Service,
        limit: int,
        before_upload: Callable[[], str | None] | None = None,
    ) -> None:
        self.app = app
        self.service = service
        self.limit = limit
        settings = service.settings
        self.key = settings.api_key.get_secret_value().encode() if settings.api_key else None
        self.hosts = settings.hosts()
        self.origins = settings.origins()
        self.timeout = settings.body_timeout
        self.per_client = settings.max_bodies_per_client
        self.before_upload = before_upload
        self.slow: dict[str, int] = {}  # client -> bodies it is still sending
        self.max_failures = settings.max_auth_failures
        self.failures: dict[str, tuple[int, float]] = {}  # client -> (wrong keys or logins, since when)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_security_headers(send)
        client = str((scope.get("client") or ("unknown", 0))[0])
        refusal = self._locked_out(client) or self._refusal(scope)
        if refusal is not None:
            if refusal.status_code == 401 and _header(scope, b"authorization") is not None:
                self._failed(client)  # a wrong key (a missing one is not a guess)
            await refusal(scope, receive, send)
            return
        if scope.get("path") == "/login" and scope.get("method") == "POST":
            send = self._count_login(client, send)
        path = str(scope.get("path", ""))
        api = path.startswith("/v1/")
        length = _header(scope, b"content-length")
        if scope.get("method") not in ("POST", "PUT", "PATCH") or length == "0":
            await (self._admitted(scope, receive, send) if api else self.app(scope, receive, send))
            return
        if path.endswith("/gradio_api/upload") and self.before_upload is not None:
            full = await run_in_threadpool(self.before_upload)
            if full is not None:
                resp = error(503, "upload_cache_full", full)
                resp.headers["Retry-After"] = "60"
                await resp(scope, receive, send)
                return
        # A body that is not all there at once (more to come, or nothing for a moment) is "slow": one client may
        # have FOOTNOTE_MAX_BODIES_PER_CLIENT of those in flight. Bodies that arrive whole are never counted.
        state = {"open": True, "size": 0, "slow": False}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout

        def finished() -> None:
            if state["open"]:
                state["open"] = False
                if state["slow"]:
                    self.slow[client] -= 1
                    if not self.slow[client]:
                        del self.slow[client]

        def slow() -> None:
            if state["slow"]:
                return
            if self.slow.get(client, 0) >= self.per_client:
                finished()
                raise _TooManyBodies
            state["slow"] = True
            self.slow[client] = self.slow.get(client, 0) + 1

        async def bounded() -> Any:
            if not state["open"]:  # the body is in: later receives wait for the disconnect, untimed
                return await receive()
            task = asyncio.ensure_future(receive())
            try:
                if not state["slow"]:
                    await asyncio.wait({task}, timeout=min(SLOW_BODY, max(0.0, deadline - loop.time())))
                    if not task.done():
                        slow()
                message = await asyncio.wait_for(task, max(0.0, deadline - loop.time()))
            except TimeoutError:
                finished()
                raise _BodyTooSlow from None
            finally:
                task.cancel()  # a no-op once it is done
            if message["type"] == "http.request":
                state["size"] += len(message.get("body", b""))
                if state["size"] > self.limit:
                    finished()
                    raise _BodyTooLarge
                if message.get("more_body"):
                    slow()
                else:
                    finished()
            else:
                finished()
            return message

        try:
            if api:
                messages: list[Any] = []
                try:
                    while True:
                        message = await bounded()
                        messages.append(message)
                        if message["type"] != "http.request" or not message.get("more_body"):
                            break
                except (_BodyTooLarge, _BodyTooSlow, _TooManyBodies) as exc:
                    await self._body_error(exc)(scope, receive, send)
                    return
                replay = iter(messages)

                async def replayed() -> Any:
                    return next(replay, None) or await receive()

                await self._admitted(scope, replayed, send)
            else:
                answered = {"started": False, "by_us": False}

                async def checked() -> Any:
                    try:
                        return await bounded()
                    except (_BodyTooLarge, _BodyTooSlow, _TooManyBodies) as exc:
                        if not answered["started"]:  # answer 413/408/429 here; the app sees the client leave
                            await self._body_error(exc)(scope, receive, send)
                            answered["by_us"] = True
                        return {"type": "http.disconnect"}

                async def sending(message: Any) -> None:
                    if answered["by_us"]:
                        return
                    if message["type"] == "http.response.start":
                        answered["started"] = True
                    await send(message)

                await self.app(scope, checked, sending)
        finally:
            finished()

    def _locked_out(self, client: str) -> JSONResponse | None:
        count, since = self.failures.get(client, (0, 0.0))
        wait = since + 60 - time.monotonic()
        if count < self.max_failures or wait <= 0:
            return None
        resp = error(
            429,
            "too_many_failures",
            f"{count} wrong keys or logins from this client within a minute (FOOTNOTE_MAX_AUTH_FAILURES); "
            f"retry in {wait:.0f}s",
        )
        resp.headers["Retry-After"] = str(max(1, round(wait)))
        return resp

    def _failed(self, client: str) -> None:
        count, since = self.failures.get(client, (0, 0.0))
        now = time.monotonic()
        self.failures[client] = (count + 1, since) if now - since < 60 else (1, now)
        if len(self.failures) > 10_000:  # forget the oldest rather than grow without bound
            for stale in sorted(self.failures, key=lambda c: self.failures[c][1])[:5_000]:
                del self.failures[stale]

    def _count_login(self, client: str, send: Any) -> Any:
        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start" and message.get("status", 200) >= 400:
                self._failed(client)
            await send(message)

        return sending

    def _body_message(self, exc: Exception) -> str:
        if isinstance(exc, _BodyTooLarge):
            return f"the request body is over {self.limit} bytes"
        return f"the request body took over {self.timeout:g}s to arrive (FOOTNOTE_BODY_TIMEOUT); send it at once"

    def _body_error(self, exc: Exception) -> JSONResponse:
        if isinstance(exc, _TooManyBodies):
            resp = error(
                429,
                "too_many_requests",
                f"this client is already sending {self.per_client} request bodies (FOOTNOTE_MAX_BODIES_PER_CLIENT); "
                "wait for them to finish",
            )
            resp.headers["Retry-After"] = "2"
            return resp
        if isinstance(exc, _BodyTooLarge):
            return error(413, "too_large", self._body_message(exc))
        resp = error(408, "body_timeout", self._body_message(exc))
        resp.headers["Connection"] = "close"
        return resp

    def _refusal(self, scope: Any) -> JSONResponse | None:
        """A response for a request refused on its headers alone, or None."""
        host = _header(scope, b"host")
        if host is not None and "*" not in self.hosts and _hostname(host) not in self.hosts:
            return error(
                400,
                "bad_host",
                f"this server does not answer to the Host {host[:100]!r}; if clients reach it by that name, "
                "add it to FOOTNOTE_ALLOWED_HOSTS",
            )
        origin = _header(scope, b"origin")
        if scope.get("method") in _MUTATING and origin is not None and not self._same_site(origin, host):
            return error(
                403,
                "bad_origin",
                f"cross-site request refused: the page at Origin {origin[:100]!r} is not this server; "
                "to allow a web app there, add its origin to FOOTNOTE_ALLOWED_ORIGINS",
            )
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return error(413, "too_large", f"the request body is over {self.limit} bytes")
        if self.key is not None and str(scope.get("path", "")).startswith("/v1/"):
            scheme, _, token = (_header(scope, b"authorization") or "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self.key):
                resp = error(
                    401,
                    "unauthorized",
                    "missing or wrong API key: send 'Authorization: Bearer <FOOTNOTE_API_KEY>'",
                    code="invalid_api_key",
                )
                resp.headers["WWW-Authenticate"] = "Bearer"
                return resp
        return None

    def _same_site(self, origin: str, host: str | None) -> bool:
        origin = origin.strip().rstrip("/").lower()
        if "*" in self.origins or origin in self.origins:
            return True
        netloc = origin.partition("://")[2]
        return bool(netloc) and host is not None and netloc == host.strip().lower()

    async def _admitted(self, scope: Any, receive: Any, send: Any) -> None:
        """Run a /v1 request inside an admission slot: 503 when max_pending are in."""
        try:
            self.service.acquire()
        except Overloaded as exc:
            resp = error(503, "overloaded", str(exc))
            resp.headers["Retry-After"] = "2"
            await resp(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)  # streamed bodies included
        finally:
            self.service.release()


def _header(scope: Any, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _hostname(host: str) -> str:
    """The name in a Host header, without the port ("[::1]:7860" -> "::1")."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    name, _, port = host.rpartition(":")
    return name if name and port.isdigit() else host


def _with_security_headers(send: Any) -> Any:
    async def sending(message: Any) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers") or [])
            present = {k.lower() for k, _ in headers}
            headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
            message = {**message, "headers": headers}
        await send(message)

    return sending
