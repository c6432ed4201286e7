"""The openai answerer against a real OpenAI-compatible server (llama.cpp + packaged Gemma), and its failures."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from rag.answer import AnswerEvent, AnswerRequest
from rag.answer.openai_chat import FallbackAnswerer, OpenAIAnswerer
from rag.chat import Chat
from rag.question import analyse
from rag.types import Answer, AnswerDelta, Turn
from tests.servers import gguf_path, llama_server, raw_server
from tests.test_answers import assert_citations_verifiable

pytestmark = pytest.mark.llm
QUESTION = "How big is Llama 2 vs Qwen-VL?"


@pytest.fixture(scope="module")
def llm_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with llama_server(gguf_path(tmp_path_factory.mktemp("gguf"))) as url:
        yield url


def chat_with(chat: Chat, answerer: object) -> Chat:
    """A Chat whose answerer is wrapped by the extractive fallback, as Chat.from_settings builds it."""
    return Chat(retriever=chat.retriever, answerer=FallbackAnswerer(answerer, chat.extractive))  # type: ignore[arg-type]


def test_openai_answerer_streams_from_the_server(chat: Chat, llm_url: str) -> None:
    answerer = OpenAIAnswerer(model="gemma-270m", api_key=None, base_url=llm_url, timeout=60)
    passages = chat.search(QUESTION, top_k=3)
    deltas = [d for d in answerer.stream(AnswerRequest(analysis=analyse(QUESTION), candidates=passages, top_k=3))]
    assert len(deltas) > 1 and "".join(str(d) for d in deltas).strip()


def test_chat_through_the_server_gives_verifiable_citations_or_a_visible_fallback(chat: Chat, llm_url: str) -> None:
    llm_chat = chat_with(chat, OpenAIAnswerer(model="gemma-270m", api_key=None, base_url=llm_url, timeout=60))
    items = list(llm_chat.stream(QUESTION))
    final = items[-1]
    assert isinstance(final, Answer) and any(isinstance(i, AnswerDelta) for i in items)
    if final.answerer == "openai:gemma-270m":
        assert (final.citations and final.notice is None) or "Not supported" in (final.notice or "")
    else:  # a 270M base model often writes no usable [n]: then the extractive answer, said so
        assert final.answerer == "extractive" and "extractive answer instead" in (final.notice or "")
    assert_citations_verifiable(final)


def test_follow_up_is_condensed_through_the_server(chat: Chat, llm_url: str) -> None:
    answerer = OpenAIAnswerer(model="gemma-270m", api_key=None, base_url=llm_url, timeout=60)
    history = [Turn("user", "What is Qwen2-VL?"), Turn("assistant", "Alibaba's vision-language model [1].")]
    standalone = answerer.condense(analyse("And how does it compare with GPT-4V?", history), history)
    assert isinstance(standalone, str) and standalone.strip()


class _Scripted:
    """An answerer that returns fixed text: the subject here is the marker check, not the model."""

    name = "openai:scripted"

    def __init__(self, text: str) -> None:
        self.text = text

    def condense(self, analysis: object, history: Sequence[Turn]) -> str:
        raise AssertionError("not a follow-up")

    def stream(self, request: AnswerRequest) -> Iterator[AnswerEvent]:
        yield self.text


def test_markers_that_point_to_no_passage_are_dropped(chat: Chat) -> None:
    scripted = chat_with(chat, _Scripted("Llama 2 is about ten times larger than Alibaba's models [1][7]. Yes [42]."))
    answer = scripted.ask(QUESTION)
    assert answer.answerer == "openai:scripted"
    assert "[7]" not in answer.answer and "[42]" not in answer.answer and "[1]" in answer.answer
    assert [c.n for c in answer.citations] == [1]
    assert_citations_verifiable(answer)


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        (None, "timed out"),
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: {not json\r\n\r\n", "failed"),
        (b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\nno", "HTTP 500"),
    ],
    ids=["hanging", "garbage", "error"],
)
def test_a_broken_server_falls_back_to_extractive_with_a_notice(chat: Chat, reply: bytes | None, says: str) -> None:
    with raw_server(reply) as url:
        broken = chat_with(chat, OpenAIAnswerer(model="m", api_key=None, base_url=url, timeout=1.5))
        answer = broken.ask(QUESTION)
    assert answer.answerer == "extractive" and not answer.refused
    assert says in (answer.notice or "") and "extractive answer instead" in (answer.notice or "")
    assert "ten times larger" in answer.answer
    assert_citations_verifiable(answer)


def test_a_stopped_server_falls_back_to_extractive_with_a_notice(chat: Chat, tmp_path: Path) -> None:
    from tests.servers import free_port

    down = chat_with(
        chat, OpenAIAnswerer(model="m", api_key=None, base_url=f"http://127.0.0.1:{free_port()}/v1", timeout=2)
    )
    answer = down.ask(QUESTION)
    assert answer.answerer == "extractive" and "unreachable" in (answer.notice or "")


def test_the_model_reads_a_message_that_tells_a_story_as_written(chat: Chat) -> None:
    # the extractive reading asks "Which firm is he with?" after the story; a model is given the whole message
    message = "I heard a gentleman called Paul Triolo on the radio, talking about Chinese firms. Which firm is he with?"
    received: list[bytes] = []
    error = b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\nno"
    with raw_server(error, received) as url:
        answer = chat_with(chat, OpenAIAnswerer(model="m", api_key=None, base_url=url, timeout=3)).ask(message)
    body = json.loads(received[-1].split(b"\r\n\r\n", 1)[1])
    assert body["messages"][-1] == {"role": "user", "content": message}
    assert answer.answerer == "extractive" and "DGA Group" in answer.answer
