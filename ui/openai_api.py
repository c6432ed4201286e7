"""The OpenAI-compatible face under /v1: chat completions (plain and streamed) and models.

What a client gets: `content` with [n] markers (Markdown made inert), each marker also as an OpenAI
`url_citation` annotation pointing at the cited lines' document view, the top-level `citations`, optional rendered
footnotes appended to `content`, real `usage` counted in the embedder's word pieces, `max_tokens` and `stop`
honoured the same way in a stream and a plain answer. Parameters it cannot honour (n > 1, a required tool call,
JSON output) are a 400 naming the parameter. System messages are ignored: answers come from the articles only.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from rag.errors import BadQuestion, FootnoteError
from rag.types import Answer, AnswerDelta, Citation, Turn
from ui.http_errors import BadParameter, UnknownModel, error_body, error_kind
from ui.links import document_url
from ui.service import Service, check_text

log = logging.getLogger(__name__)
MODEL_ID = "footnote"
MAX_MESSAGE_CHARS = 20_000  # one message's text (the question itself is capped by FOOTNOTE_MAX_QUESTION_CHARS)
MAX_HISTORY_MESSAGES = 40  # earlier user/assistant messages kept; older ones are dropped, not refused
MAX_STOP = 4  # stop sequences, as OpenAI allows

SYSTEM_POLICY = (
    "System and developer messages are accepted and ignored: answers come from the articles alone, so an "
    "instruction cannot change what is quoted. Only user and assistant messages are read; the last user message is "
    f"the question, and the {MAX_HISTORY_MESSAGES} messages before it are the history (older ones are dropped)."
)


# -- HTTP schemas ------------------------------------------------------------------------------------------------


class ChatMessage(BaseModel):
    """An OpenAI chat message (text content only)."""

    model_config = ConfigDict(extra="allow")
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message's text, joining text parts."""
        if isinstance(self.content, list):
            return " ".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    """OpenAI stream_options."""

    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatCompletionIn(BaseModel):
    """POST /v1/chat/completions body. Other OpenAI fields (temperature, top_p, seed, user ...) are accepted and
    have no effect: the answer is quoted, not sampled."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(MODEL_ID, description="any name is answered by `footnote`")
    messages: list[ChatMessage] = Field(min_length=1, description=SYSTEM_POLICY)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, ge=1, description="cut the content after this many word pieces")
    max_completion_tokens: int | None = Field(None, ge=1, description="the same as max_tokens (the smaller wins)")
    n: int | None = Field(None, ge=1, description="only 1")
    stop: str | list[str] | None = Field(None, description="up to 4 strings; the content ends before the first")
    tool_choice: str | dict[str, Any] | None = Field(None, description="none or auto: tools are never called")
    response_format: dict[str, Any] | None = Field(None, description="text only")
    footnotes: bool | None = Field(
        None,
        description="append rendered footnotes to the content (default FOOTNOTE_FOOTNOTES_IN_CONTENT), for clients "
        "that keep only the text",
    )


# -- the request ------------------------------------------------------------------------------------------------


def check_parameters(body: ChatCompletionIn) -> list[str]:
    """400 (naming the parameter) for what cannot be honoured; returns the stop sequences."""
    if body.n is not None and body.n > 1:
        raise BadParameter("n must be 1: Footnote gives one answer per question; send n=1 or leave it out", param="n")
    choice = body.tool_choice
    if isinstance(choice, dict) or choice == "required":
        raise BadParameter(
            "this server never calls tools; send tool_choice 'auto' or 'none' (or leave it out)", param="tool_choice"
        )
    if choice not in (None, "auto", "none"):
        raise BadParameter(
            f"tool_choice must be 'auto' or 'none' (got {str(choice)[:40]!r})",
            param="tool_choice",
            code="invalid_value",
        )
    kind = (body.response_format or {}).get("type", "text")
    if kind != "text":
        raise BadParameter(
            f"response_format {str(kind)[:40]!r} is not supported: answers are cited text, not JSON; send "
            "response_format {'type': 'text'} or leave it out",
            param="response_format",
        )
    stops = [body.stop] if isinstance(body.stop, str) else list(body.stop or [])
    if len(stops) > MAX_STOP:
        raise BadParameter(
            f"stop takes up to {MAX_STOP} sequences (got {len(stops)})", param="stop", code="invalid_value"
        )
    return [s for s in stops if s]


def split_messages(messages: Sequence[ChatMessage]) -> tuple[str, list[Turn]]:
    """The last user message is the question; the user/assistant messages before it (the most recent
    MAX_HISTORY_MESSAGES) are the history. System, developer and tool messages are ignored (SYSTEM_POLICY)."""
    convo = [(i, m) for i, m in enumerate(messages) if m.role in ("user", "assistant")]
    if not convo or convo[-1][1].role != "user":
        raise BadQuestion("the last message must be a user message with the question")
    kept = convo[-(MAX_HISTORY_MESSAGES + 1) :]
    texts = []
    for i, m in kept:
        text = m.text()
        if len(text) > MAX_MESSAGE_CHARS:
            raise BadParameter(
                f"messages[{i}] has {len(text)} characters; one message may have {MAX_MESSAGE_CHARS}: shorten it",
                param=f"messages[{i}].content",
                code="string_above_max_length",
            )
        check_text(text, f"messages[{i}]")
        texts.append(text)
    history = [Turn(m.role, t) for (_, m), t in zip(kept[:-1], texts[:-1], strict=True)]  # type: ignore[arg-type]
    return texts[-1], history


# -- content: inert Markdown, footnotes, the cut ---------------------------------------------------------------

# Where a zero-width space makes Markdown inert: "](" "]:" "][" (links, images, references), "<" before a tag or
# autolink, "scheme://" and "www." (bare autolinks). Each looks at most 3 characters back and 3 ahead.
_MARKDOWN_HINGE = re.compile(r"(?<=\])(?=[(:\[])|(?<=<)(?=[A-Za-z/!?])|(?<=[A-Za-z])(?=://)|(?<=\bwww)(?=\.)", re.I)
_LOOKAHEAD = 4
MARKER = re.compile(r"\[(\d+)\]")


def neutral_markdown(text: str, start: int = 0, end: int | None = None) -> str:
    """text[start:end] with Markdown images, links, autolinks and HTML tags broken by zero-width spaces.

    OpenAI-compatible chat clients render `content` as Markdown, and answers quote documents: a document's
    ![x](http://...) would load in the user's client (OWASP LLM05). Our [n] markers stay; `citations` keep the
    raw text.
    """
    end = len(text) if end is None else end
    out, at = [], start
    for m in _MARKDOWN_HINGE.finditer(text, start, min(len(text), end + _LOOKAHEAD)):
        if m.start() >= end:
            break
        out += [text[at : m.start()], "\u200b"]
        at = m.start()
    out.append(text[at:end])
    return "".join(out)


def neutral_stream(items: Iterator[AnswerDelta | Answer]) -> Iterator[AnswerDelta | Answer]:
    """Deltas made inert as in neutral_markdown; a few characters are held back so a link split across two
    deltas is still caught."""
    raw, sent = "", 0
    for item in items:
        if isinstance(item, AnswerDelta):
            raw += item.text
            ready = len(raw) - _LOOKAHEAD
            if ready > sent:
                yield AnswerDelta(neutral_markdown(raw, sent, ready))
                sent = ready
        else:
            if len(raw) > sent:
                yield AnswerDelta(neutral_markdown(raw, sent))
            yield item


def render_footnotes(citations: Sequence[Citation], base_url: str) -> str:
    """The footnotes as text appended to an answer: "[1] Title — file, lines A–B: “quote” URL", one paragraph each.

    Titles, names and quotes are document text, made inert like the answer; the link is ours and stays live.
    """
    if not citations:
        return ""
    lines = []
    for c in citations:
        where = f"line {c.start_line}" if c.end_line <= c.start_line else f"lines {c.start_line}–{c.end_line}"
        if c.page is not None and c.page_lines is not None:  # a PDF: the page, and the lines within it
            a, b = c.page_lines
            on = f"p. {c.page}" if c.page_end in (None, c.page) else f"pp. {c.page}–{c.page_end}"
            where = f"{on}, line {a}" if (a, c.page_end) == (b, c.page) else f"{on}, lines {a}–{b}"
        url = document_url(base_url, c.source, c.start_line, c.end_line)
        title = neutral_markdown(" ".join((c.title or c.source).split()))
        quote = neutral_markdown(" ".join(c.quote.split()))
        lines.append(f"[{c.n}] {title} — {neutral_markdown(c.source)}, {where}: \u201c{quote}\u201d {url}")
    return "\n\n" + "\n\n".join(lines)


def url_citations(content: str, answer_end: int, citations: Sequence[Citation], base_url: str) -> list[dict[str, Any]]:
    """One OpenAI url_citation per [n] marker in the answer part of content (content[:answer_end]).

    start_index/end_index span the marker itself ("[1]"), counted in Unicode code points; the url opens the
    document view at the cited lines. Markers in appended footnotes are not annotated (they are the footnotes).
    """
    by_n = {c.n: c for c in citations}
    out = []
    for m in MARKER.finditer(content, 0, min(answer_end, len(content))):
        c = by_n.get(int(m.group(1)))
        if c is None:
            continue
        out.append(
            {
                "type": "url_citation",
                "url_citation": {
                    "title": c.title or c.source,
                    "url": document_url(base_url, c.source, c.start_line, c.end_line),
                    "start_index": m.start(),
                    "end_index": m.end(),
                },
            }
        )
    return out


class Cut:
    """Where `stop` sequences and max_tokens end the content: the same place for a whole text and for a stream.

    The whole text ends before the first stop sequence; if that is still over max_tokens word pieces, it ends at
    the last word boundary (the start of a whitespace run) that keeps it within them: finish_reason "length".
    While streaming, `ready(prefix)` says how much of a prefix every continuation keeps, so what has been sent
    is always the start of the final content (word-piece counts only grow from one word boundary to the next).
    """

    def __init__(self, stops: Sequence[str], max_tokens: int | None, count: Callable[[str], int]) -> None:
        self.stops = [s for s in stops if s]
        self.max_tokens = max_tokens
        self.count = count
        self.hold = max((len(s) for s in self.stops), default=1) - 1

    def _stop_at(self, text: str) -> int | None:
        found = [i for i in (text.find(s) for s in self.stops) if i >= 0]
        return min(found) if found else None

    def _fit(self, text: str, limit: int) -> int:
        """The last word boundary at or before `limit` whose prefix is within max_tokens (0 if none)."""
        assert self.max_tokens is not None
        bounds = [i for i in range(1, min(limit, len(text) - 1) + 1) if text[i].isspace() and not text[i - 1].isspace()]
        lo, hi = 0, len(bounds)  # bounds[:lo] fit
        while lo < hi:
            mid = (lo + hi) // 2
            if self.count(text[: bounds[mid]]) <= self.max_tokens:
                lo = mid + 1
            else:
                hi = mid
        return bounds[lo - 1] if lo else 0

    def final(self, text: str) -> tuple[str, Literal["stop", "length"]]:
        """The content and its finish_reason."""
        stop = self._stop_at(text)
        if stop is not None:
            text = text[:stop]
        if self.max_tokens is None or self.count(text) <= self.max_tokens:
            return text, "stop"
        return text[: self._fit(text, len(text))], "length"

    def ready(self, prefix: str) -> int:
        """How many characters of prefix are final whatever follows."""
        stop = self._stop_at(prefix)
        end = len(prefix) - self.hold if self.stops else len(prefix)
        end = max(0, end if stop is None else min(stop, end))
        if self.max_tokens is None:
            return end
        # only up to a word boundary: the word after it may still grow past the limit
        return self._fit(prefix, end)


# -- responses ----------------------------------------------------------------------------------------------------


class Reply:
    """One chat completion request: its ids, cut, footnotes and usage, shared by the plain and the streamed form."""

    def __init__(self, service: Service, body: ChatCompletionIn, request: Request) -> None:
        stops = check_parameters(body)
        self.question, self.history = split_messages(body.messages)
        service.chat.check_question(self.question)
        self.service = service
        self.id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        self.created = int(time.time())
        self.base_url = service.settings.public_url or str(request.base_url)
        limits = [x for x in (body.max_tokens, body.max_completion_tokens) if x is not None]
        self.cut = Cut(stops, min(limits) if limits else None, self.count)
        self.footnotes = service.settings.footnotes_in_content if body.footnotes is None else body.footnotes
        self.include_usage = bool(body.stream_options and body.stream_options.include_usage)

    def count(self, text: str) -> int:
        """Word pieces of text in the embedder's tokenizer (all-MiniLM-L6-v2 by default)."""
        return self.service.ingestor.embedder.count_tokens([text])[0] if text else 0

    def usage(self, content: str) -> dict[str, int]:
        """prompt_tokens: the question and the history read; completion_tokens: the content sent."""
        prompt = sum(self.service.ingestor.embedder.count_tokens([self.question, *(t.content for t in self.history)]))
        completion = self.count(content)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def full_text(self, answer_text: str, answer: Answer) -> str:
        """The answer and, when asked for, its rendered footnotes."""
        return answer_text + (render_footnotes(answer.citations, self.base_url) if self.footnotes else "")

    def completion(self) -> dict[str, Any]:
        """The whole chat.completion."""
        answer = self.service.ask(self.question, self.history)
        text = neutral_markdown(answer.answer)
        content, finish = self.cut.final(self.full_text(text, answer))
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": MODEL_ID,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": content,
                        "refusal": None,
                        "annotations": url_citations(content, len(text), answer.citations, self.base_url),
                    },
                    "finish_reason": finish,
                    "logprobs": None,
                }
            ],
            "usage": self.usage(content),
            "citations": [c.public() for c in answer.citations],
            "footnote": _extras(answer),
        }

    def chunk(self, delta: dict[str, Any] | None, finish: str | None = None, **extra: Any) -> str:
        """One SSE event; delta None means no choices (the usage and error chunks)."""
        body: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": MODEL_ID,
            "choices": [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        if self.include_usage:
            body["usage"] = None
        body.update(extra)
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    def events(self) -> Iterator[str]:
        """The SSE stream: deltas as the answer is checked, the footnotes and annotations last, then the finish
        chunk (with `citations`), the usage chunk when asked for, and [DONE]. Joined, the deltas are exactly the
        plain completion's content."""
        yield self.chunk({"role": "assistant", "content": ""})
        raw, sent = "", 0
        try:
            for item in neutral_stream(self.service.stream(self.question, self.history)):
                if isinstance(item, AnswerDelta):
                    raw += item.text
                    ready = self.cut.ready(raw)
                    if ready > sent:
                        yield self.chunk({"content": raw[sent:ready]})
                        sent = ready
                    continue
                content, finish = self.cut.final(self.full_text(raw, item))
                tail: dict[str, Any] = {"content": content[sent:]}
                notes = url_citations(content, len(raw), item.citations, self.base_url)
                if notes:
                    tail["annotations"] = notes
                if tail["content"] or notes:
                    yield self.chunk(tail)
                yield self.chunk(
                    {}, finish, citations=[c.public() for c in item.citations], footnote=_extras(item, content)
                )
                if self.include_usage:
                    yield self.chunk(None, usage=self.usage(content))
        except Exception as exc:  # the response has started: end the choice, then say what went wrong
            if isinstance(exc, FootnoteError):
                err = error_body(error_kind(exc), str(exc), param=getattr(exc, "param", None))
            else:
                log.error("stream failed: %s", type(exc).__name__)
                err = error_body("internal_error", "internal error; see the server log")
            yield self.chunk({}, "stop")
            yield self.chunk(None, error=err)
        yield "data: [DONE]\n\n"


def _extras(answer: Answer, content: str | None = None) -> dict[str, Any]:
    extras: dict[str, Any] = {} if content is None else {"answer": content}
    return extras | {
        "refused": answer.refused,
        "answerer": answer.answerer,
        "notice": answer.notice,
        # a refusal's closest passages (and an answer's sources), for clients that show them
        "passages": [p.public() for p in answer.passages],
    }


def _model(service: Service) -> dict[str, Any]:
    return {"id": MODEL_ID, "object": "model", "created": int(service.started), "owned_by": "footnote"}


def build_openai_router(service: Service) -> APIRouter:
    """POST /chat/completions, GET /models and GET /models/{id}; mounted under /v1 by ui.api.build_router."""
    router = APIRouter()

    @router.post(
        "/chat/completions",
        summary="OpenAI-compatible chat; the answer carries [n], url_citation annotations and `citations`",
        description=SYSTEM_POLICY
        + " Not supported (400 naming the parameter): n > 1, tool_choice 'required' or a named tool, JSON "
        "response_format. max_tokens / max_completion_tokens cut the content at a word boundary (finish_reason "
        "'length'); stop sequences end it before the first one; usage counts all-MiniLM-L6-v2 word pieces.",
    )
    def chat_completions(body: ChatCompletionIn, request: Request) -> Any:
        reply = Reply(service, body, request)
        if body.stream:
            return StreamingResponse(
                reply.events(),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        return reply.completion()

    @router.get("/models", summary="The one model: footnote")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [_model(service)]}

    @router.get("/models/{model_id:path}", summary="One model (404 for any id but footnote)")
    def model(model_id: str) -> dict[str, Any]:
        if model_id != MODEL_ID:
            raise UnknownModel(f"the model {model_id[:100]!r} does not exist; this server has one model: {MODEL_ID}")
        return _model(service)

    return router
