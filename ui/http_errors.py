"""Every failure as one JSON shape, {"error": {"message", "type", "param", "code"}}, with the right status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.errors import (
    BadDocument,
    BadQuestion,
    CuratedDocument,
    EmptyStore,
    FootnoteError,
    NotAllowed,
    StoreBusy,
    StoreMismatch,
    StoreUnavailable,
    UnknownDocument,
)
from ui.service import Overloaded

log = logging.getLogger(__name__)


class BadParameter(FootnoteError):
    """A request parameter this server cannot honour, or a malformed one: 400 naming `param`."""

    def __init__(self, message: str, *, param: str, code: str = "unsupported_parameter") -> None:
        super().__init__(message)
        self.param = param
        self.code = code


class UnknownModel(FootnoteError):
    """A model id this server does not serve: 404."""

    param = "model"
    code = "model_not_found"


STATUS: list[tuple[type[FootnoteError], int, str]] = [
    (BadParameter, 400, "invalid_request_error"),
    (BadQuestion, 400, "bad_question"),
    (BadDocument, 400, "bad_document"),
    (UnknownModel, 404, "invalid_request_error"),
    (UnknownDocument, 404, "unknown_document"),
    (NotAllowed, 403, "not_allowed"),
    (CuratedDocument, 409, "curated_document"),
    (Overloaded, 503, "overloaded"),
    (EmptyStore, 503, "empty_store"),
    (StoreUnavailable, 503, "store_unavailable"),
    (StoreBusy, 503, "store_busy"),
    (StoreMismatch, 503, "store_mismatch"),
]


def error_kind(exc: FootnoteError) -> str:
    """The error `type` for a domain failure."""
    return next((kind for cls, _, kind in STATUS if isinstance(exc, cls)), "internal_error")


def error_body(kind: str, message: str, *, param: str | None = None, code: str | None = None) -> dict[str, object]:
    """The inside of an error: OpenAI's fields (`code` defaults to the type)."""
    return {"message": message, "type": kind, "param": param, "code": code or kind}


def error(status: int, kind: str, message: str, *, param: str | None = None, code: str | None = None) -> JSONResponse:
    """The one error response: {"error": {"message", "type", "param", "code"}}."""
    return JSONResponse({"error": error_body(kind, message, param=param, code=code)}, status_code=status)


def validation_error(exc: RequestValidationError | ValidationError) -> tuple[int, str, str, str | None]:
    """(status, type, message, param) for a body or query that does not fit its schema."""
    errs = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errs):
        return 400, "malformed_json", "the request body is not valid JSON", None

    def where(e: object) -> str:
        loc = e.get("loc", ()) if isinstance(e, dict) else ()
        return ".".join(str(x) for x in loc if x not in ("body", "query"))

    unicode = [e for e in errs if e.get("type") == "string_unicode"]
    if unicode:  # e.g. "\ud800" in a history message: JSON can carry it, UTF-8 text cannot
        at = where(unicode[0])
        return 400, "bad_question", f"{at}: has an unpaired UTF-16 surrogate; send valid Unicode text", at or None
    parts = [f"{where(e) or 'body'}: {e.get('msg', 'invalid')}" for e in errs[:5]]
    return 422, "invalid_request", "; ".join(parts), where(errs[0]) or None if errs else None


def install_error_handlers(app: FastAPI) -> None:
    """Map every failure to a JSON error with the right status; never a traceback to the client."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, kind, message, param = validation_error(exc)
        return error(status, kind, message, param=param)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):  # e.g. JSON that is not UTF-8
            return error(400, "malformed_json", "the request body is not valid UTF-8 JSON")
        kinds = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        codes = {401: "invalid_api_key"}
        kind = kinds.get(exc.status_code, "http_error")
        resp = error(exc.status_code, kind, str(exc.detail), code=codes.get(exc.status_code))
        if exc.status_code == 401:
            resp.headers["WWW-Authenticate"] = "Bearer"
        return resp

    @app.exception_handler(FootnoteError)
    async def _footnote(_: Request, exc: FootnoteError) -> JSONResponse:
        for cls, status, kind in STATUS:
            if isinstance(exc, cls):
                resp = error(status, kind, str(exc), param=getattr(exc, "param", None), code=getattr(exc, "code", None))
                if status == 503:
                    resp.headers["Retry-After"] = "2"
                return resp
        log.error("unmapped error %s", type(exc).__name__)
        return error(500, "internal_error", str(exc))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error("internal error: %s", type(exc).__name__)  # no message: it may carry secrets
        return error(500, "internal_error", "internal error; see the server log")
