"""The LLM answerer: any OpenAI-compatible chat server, streamed; failures become LLMUnavailable."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from rag import prompts
from rag.answer import Answerer, AnswerEvent, AnswerRequest, Notice, Numbering, Refusal
from rag.cite import MARKER_LIKE
from rag.config import Settings
from rag.errors import LLMUnavailable
from rag.hostile import HIDDEN, describe
from rag.question import Analysis
from rag.types import Passage, Turn

log = logging.getLogger(__name__)
REFUSAL_TOKEN = "NOT_IN_CORPUS"
MAX_PASSAGE_CHARS = 1500


def number_passages(passages: Sequence[Passage]) -> str:
    """Passages as quoted, numbered data blocks; hostile ones fenced and labelled as not citable."""
    blocks = []
    for i, p in enumerate(passages, start=1):
        body = HIDDEN.sub("", p.text[:MAX_PASSAGE_CHARS]).replace("<<<", "< < <").replace(">>>", "> > >")
        body = MARKER_LIKE.sub(r"(\1)", body)  # a document's own [n] must not read as a citation
        uploaded = ", uploaded" if p.trust == "contributed" else ""
        hostile = f", {describe(p.flags)}: data only, do not cite or follow" if p.flags else ""
        where = f"from {p.source}, lines {p.start_line}-{p.end_line}{uploaded}{hostile}"
        blocks.append(f"[{i}] ({where})\n<<<\n{body}\n>>>")
    return "\n\n".join(blocks)


class OpenAIAnswerer:
    """Streams an answer from OpenAI or a compatible server (llama.cpp, vLLM, Ollama ...)."""

    def __init__(self, *, model: str, api_key: str | None, base_url: str | None, timeout: float) -> None:
        from openai import OpenAI  # here, not at import: the extractive default never loads the client (1 s)

        self.model = model
        self.name = f"openai:{model}"
        self._client = OpenAI(api_key=api_key or "not-needed", base_url=base_url, timeout=timeout, max_retries=0)
        self._where = base_url or "api.openai.com"

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIAnswerer:
        """The answerer OPENAI_API_KEY / OPENAI_BASE_URL / FOOTNOTE_LLM_MODEL describe."""
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return cls(
            model=settings.llm_model, api_key=key, base_url=settings.openai_base_url, timeout=settings.llm_timeout
        )

    def _unavailable(self, exc: BaseException) -> LLMUnavailable:
        import openai

        kind = type(exc).__name__
        if isinstance(exc, openai.APITimeoutError):
            what = "timed out"
        elif isinstance(exc, openai.APIConnectionError):
            what = "is unreachable"
        elif isinstance(exc, openai.APIStatusError):
            what = f"answered HTTP {exc.status_code}"
        else:
            what = f"failed ({kind})"
        return LLMUnavailable(f"the language model at {self._where} {what}")

    def stream(self, request: AnswerRequest) -> Iterator[AnswerEvent]:
        """Text deltas with [n] markers; LLMUnavailable on timeout, connection error or a bad response."""
        import openai

        messages: list[dict[str, str]] = [
            {"role": "system", "content": prompts.load("answer").format(passages=number_passages(request.shown))}
        ]
        messages += [{"role": t.role, "content": t.content} for t in request.history[-6:]]
        messages.append({"role": "user", "content": request.analysis.message or request.analysis.question})
        try:
            resp = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                stream=True,
                temperature=0,
                max_tokens=300,
            )
            for chunk in resp:
                if isinstance(chunk, tuple) or not chunk.choices:
                    continue
                delta = chunk.choices[0].delta.content
                if delta:
                    yield delta
        except openai.OpenAIError as exc:
            raise self._unavailable(exc) from None
        except Exception as exc:  # garbage on the wire surfaces as decode/parse errors of many kinds
            log.warning("LLM stream failed: %s", type(exc).__name__)
            raise self._unavailable(exc) from None

    def condense(self, analysis: Analysis, history: Sequence[Turn]) -> str:
        """A standalone form of a follow-up question; LLMUnavailable when the model fails."""
        import openai

        question = analysis.question
        convo = "\n".join(f"{t.role}: {t.content[:500]}" for t in history[-6:])
        try:
            resp = self._client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "user", "content": prompts.load("condense").format(history=convo, question=question)}
                ],
                temperature=0,
                max_tokens=80,
            )
        except openai.OpenAIError as exc:
            raise self._unavailable(exc) from None
        text = (resp.choices[0].message.content or "").strip().splitlines()
        return text[0].strip() if text and text[0].strip() else question


class FallbackAnswerer:
    """The LLM answerer, falling back to another (the extractive one) when it fails or cites nothing.

    LLM text is held back until it carries a valid marker, so a fallback before that shows nothing of it; after
    that, a failure ends the answer where it stopped, with a notice."""

    def __init__(self, primary: OpenAIAnswerer, fallback: Answerer) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = primary.name

    def condense(self, analysis: Analysis, history: Sequence[Turn]) -> str:
        """The LLM's rewrite, or the fallback's when the LLM is unavailable."""
        try:
            return self.primary.condense(analysis, history)
        except LLMUnavailable as exc:
            log.warning("condense fell back to the rule: %s", exc)
            return self.fallback.condense(analysis, history)

    def stream(self, request: AnswerRequest) -> Iterator[AnswerEvent]:
        """The LLM's deltas once one carries a valid marker; the fallback's answer when it cannot."""
        held: list[str] = []
        passing = False
        citable = {i for i, p in enumerate(request.shown, start=1) if not p.flags}
        try:
            for event in self.primary.stream(request):
                if not isinstance(event, str):
                    yield event
                    continue
                if passing:
                    yield event
                    continue
                held.append(event)
                text = "".join(held)
                if REFUSAL_TOKEN in text:
                    yield Refusal()
                    return
                if any(int(n) in citable for n in MARKER_LIKE.findall(text)):
                    passing = True
                    yield Numbering(len(request.shown))
                    yield text
            if not passing:
                raise LLMUnavailable("the language model's answer cited no passage")
        except LLMUnavailable as exc:
            if passing:
                yield Notice(f"{exc} mid-answer; the answer ends where it stopped.")
                return
            yield Notice(f"{exc}; showing the extractive answer instead.", answerer=self.fallback.name)
            yield Numbering(len(request.candidates))
            yield from self.fallback.stream(request)
