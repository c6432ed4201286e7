"""Cited answers from the extractive answerer: verifiable footnotes, plain refusals, follow-ups."""

from __future__ import annotations

import re

import pytest

from rag.chat import Chat
from rag.errors import BadQuestion
from rag.types import AnswerDelta, Turn
from tests.conftest import SEEDS


def assert_citations_verifiable(answer) -> None:  # type: ignore[no-untyped-def]
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers == {c.n for c in answer.citations}
    for c in answer.citations:
        text = (SEEDS / c.source).read_text(encoding="utf-8")
        assert c.quote in text
        start = text.index(c.quote)
        first = text.count("\n", 0, start) + 1
        last = text.count("\n", 0, start + len(c.quote) - 1) + 1
        assert (first, last) == (c.start_line, c.end_line)


def test_llama_question_gets_the_ten_times_answer_with_a_verifiable_citation(chat: Chat) -> None:
    answer = chat.ask("How big is Llama 2 vs Qwen-VL?")
    assert not answer.refused and answer.answerer == "extractive"
    assert "ten times larger" in answer.answer
    first = answer.citations[0]
    assert first.source == "000_238b3d5c562b5a75.txt" and "ten times larger" in first.quote
    assert answer.answer.index("ten times") < answer.answer.index("[1]")
    assert_citations_verifiable(answer)


def test_answer_json_has_the_documented_shape(chat: Chat) -> None:
    data = chat.ask("What can Qwen-VL-Chat do with photos?").public()
    assert set(data) == {"answer", "refused", "citations", "passages", "answerer", "notice", "timings_ms", "set_aside"}
    citation = {"n", "source", "title", "start_line", "end_line", "quote", "score", "trust"}
    assert set(data["citations"][0]) == citation
    assert set(data["passages"][0]) == {"source", "title", "start_line", "end_line", "score", "text", "trust"}
    assert data["timings_ms"]["total"] > 0


@pytest.mark.parametrize(
    "question",
    ["Who won the 2022 FIFA World Cup?", "What is the capital of Australia?", "When will Qwen4 be released?"],
)
def test_questions_the_corpus_cannot_answer_are_refused_with_closest_matches(chat: Chat, question: str) -> None:
    answer = chat.ask(question)
    assert answer.refused and answer.citations == ()
    assert "don't say" in answer.answer and len(answer.passages) > 0


def test_follow_up_borrows_the_subject_from_history(chat: Chat) -> None:
    first = chat.ask("What is Qwen2-VL?")
    history = [Turn("user", "What is Qwen2-VL?"), Turn("assistant", first.answer)]
    answer = chat.ask("And how does it compare with GPT-4V?", history)
    assert answer.passages[0].source == "001_7aaf47b449a52241.txt"
    assert any(c.source == "001_7aaf47b449a52241.txt" for c in answer.citations)
    assert "outperformed" in answer.answer


def test_stream_yields_text_then_the_final_answer(chat: Chat) -> None:
    items = list(chat.stream("Which Nvidia systems are unexportable to China?"))
    deltas = [i for i in items if isinstance(i, AnswerDelta)]
    final = items[-1]
    assert len(deltas) > 3 and not isinstance(final, AnswerDelta)
    assert "".join(d.text for d in deltas).strip() == final.answer
    assert "Blackwell" in final.answer


@pytest.mark.parametrize("bad", ["", "   \n", "x" * 2001])
def test_empty_or_oversized_questions_are_rejected_with_a_reason(chat: Chat, bad: str) -> None:
    with pytest.raises(BadQuestion, match=r"empty|limit"):
        chat.ask(bad)


def test_the_extractive_answer_is_deterministic(chat: Chat) -> None:
    q = "How does the Chinese government support open-source AI?"
    assert chat.ask(q).answer == chat.ask(q).answer


def test_warming_embeds_each_corpus_sentence_once(chat: Chat) -> None:
    from rag.answer.extractive import ExtractiveAnswerer

    fresh = ExtractiveAnswerer(chat.retriever.embedder.embed_documents)
    texts = [str(p["text"]) for _, p in chat.retriever.store.scroll_payloads(["text"])]
    assert fresh.warm(texts) > 100
    assert fresh.warm(texts) == 0
