"""Questions typed without a question word ("Qwen2-VL release date?"): typed by the attribute they name."""

from __future__ import annotations

import pytest

from rag.answer.evidence import holds
from rag.chat import Chat
from rag.question import analyse
from tests.test_answers import assert_citations_verifiable


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("Qwen2-VL release date?", ["when"]),
        ("Llama 2 param count?", ["how_many"]),
        ("# of Nvidia GPUs Chinese firms stockpiled?", ["how_many"]),  # a sign read as the word it stands for
        ("Apple-Alibaba iPhone AI deal value $?", ["how_much"]),
        ("Alibaba Cloud spin-off - date + valuation $?", ["when", "how_much"]),  # "+" lists what is asked
    ],
)
def test_a_question_without_a_question_word_asks_for_the_attribute_it_names(question: str, kinds: list[str]) -> None:
    assert [p.kind for p in analyse(question).parts] == kinds


def test_a_keyword_search_is_not_typed_as_a_question() -> None:
    # no question mark: "qwen2.5 omni size" looks for passages on it (the name "Qwen2.5-Omni-7B" says its size)
    assert analyse("qwen2.5 omni size").parts[0].kind == "what"


def test_each_part_listed_with_a_plus_asks_of_the_same_subject() -> None:
    date, valuation = analyse("Alibaba Cloud spin-off - date + valuation $?").parts
    assert "date" in date.terms
    assert "Alibaba" in valuation.names and "cloud" in valuation.subject


@pytest.mark.parametrize(
    "question",
    [
        "Qwen2-VL release date?",  # "the unveiling of Qwen2-VL" gives no date
        "# of Nvidia GPUs Chinese firms stockpiled?",  # "stockpiled Nvidia GPUs" gives no number
        "Apple-Alibaba iPhone AI deal value $?",  # the partnership is named, its value is not
    ],
)
def test_an_attribute_the_articles_never_give_is_refused_when_asked_tersely(chat: Chat, question: str) -> None:
    answer = chat.ask(question)
    assert answer.refused and not answer.citations


def test_a_sum_asked_tersely_is_answered_with_the_sum(chat: Chat) -> None:
    answer = chat.ask("Alibaba Cloud: restructuring plan + $ commitment?")
    assert "$53 billion" in answer.answer and "spin-off" in answer.answer
    assert_citations_verifiable(answer)


def test_a_share_asked_in_percent_needs_a_percentage() -> None:
    asked = "By what % did Qwen2-VL beat GPT-4V?"
    assert not holds("how_many", "It won on three of the five benchmarks.", asked)
    assert holds("how_many", "It won by 12% on average.", asked)
    assert holds("how_many", "It won on three of the five benchmarks.", "On how many benchmarks did it win?")
