"""Questions typed without a question word ("Qwen2-VL release date?"): typed by the attribute they name."""

from __future__ import annotations

import pytest

from rag.answer.evidence import holds
from rag.casual import written_out
from rag.chat import Chat
from rag.kinds import kind_of
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
        # the words that head it say what it asks, not a noun after a preposition
        ("his take on qwen across model sizes?", ["what"]),
        ("revenue hit from the export ban, $?", ["how_much"]),  # a sign asks wherever it stands
    ],
)
def test_a_question_without_a_question_word_asks_for_the_attribute_it_names(question: str, kinds: list[str]) -> None:
    assert [p.kind for p in analyse(question).parts] == kinds


def test_a_keyword_search_naming_a_quality_is_not_typed_as_a_question() -> None:
    # no question mark: "qwen2.5 omni size" looks for passages on it (the name "Qwen2.5-Omni-7B" says its size)
    assert analyse("qwen2.5 omni size").parts[0].kind == "what"
    assert analyse("qwen-vl upgrade resolution").parts[0].kind == "what"  # "higher-resolution images"


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("qwen2-vl release date", "when"),  # a value named: a date, a count, a sum
        ("us chip export ban china start year", "when"),
        ("qwen-vl parameter count billion", "how_many"),
        ("alibaba cloud ai investment amount next 3 yrs", "what"),  # "3 yrs" is given, not asked
        ("kai wang works where", "where"),  # the question word left where the answer would stand
        ("alibaba open models where published", "where"),
        ("baichuan developer company", "who"),  # a role at the end asks who holds it
    ],
)
def test_words_typed_as_into_a_search_box_ask_for_the_value_they_name(query: str, kind: str) -> None:
    assert [p.kind for p in analyse(query).parts] == [kind]


def test_a_role_named_inside_a_query_is_not_what_it_asks() -> None:
    # "the author's piece", "the Qwen2-VL author recommends": the author is who did it, not who is asked for
    assert (
        analyse("time gap between the author's 'China's Recent AI Surge' piece and the Qwen2-VL one?").parts[0].kind
        != "who"
    )
    assert analyse("focus areas the Qwen2-VL author recommends for the West?").parts[0].kind != "who"
    assert analyse("china ai arms race alibaba article author").parts[0].author


def test_each_part_listed_with_a_plus_asks_of_the_same_subject() -> None:
    date, valuation = analyse("Alibaba Cloud spin-off - date + valuation $?").parts
    assert "date" in date.terms
    assert "Alibaba" in valuation.names and "cloud" in valuation.subject


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("who wrote the AI arms race article; headline?", ["who wrote the AI arms race article?", "headline?"]),
        (
            "Alibaba's AI spend pledge — amount, timeframe, where it goes",
            [
                "Alibaba's AI spend pledge - amount",
                "Alibaba's AI spend pledge - timeframe",
                "Alibaba's AI spend pledge - where it goes",
            ],
        ),
        ("What is Qwen - the model, not the company?", ["What is Qwen - the model, not the company?"]),
    ],
)
def test_a_semicolon_and_short_asks_after_a_topic_and_a_dash_each_ask_of_their_own(
    question: str, parts: list[str]
) -> None:
    from rag.parts import split_parts

    assert split_parts(question) == parts


def test_short_asks_after_a_topic_are_each_answered(chat: Chat) -> None:
    answer = chat.ask("Alibaba's AI spend pledge — amount, timeframe, where it goes")
    assert not answer.refused and "$53 billion" in answer.answer and "three years" in answer.answer, answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "Qwen2-VL release date?",  # "the unveiling of Qwen2-VL" gives no date
        "# of Nvidia GPUs Chinese firms stockpiled?",  # "stockpiled Nvidia GPUs" gives no number
        "Apple-Alibaba iPhone AI deal value $?",  # the partnership is named, its value is not
        "qwen2-vl release date",  # as typed into a search box: the unveiling has no date either
        "us chip export ban china start year",  # the ban is discussed, the year it began is not given
        "qwen-vl parameter count billion",  # Llama 2 is "ten times larger", Qwen-VL's count is never given
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


def test_words_joined_by_a_slash_are_both_asked_for(chat: Chat) -> None:
    assert written_out("Which outlets/institutions does it cite? and/or") == (
        "Which outlets and institutions does it cite? and/or"
    )
    answer = chat.ask("Which outlets/institutions does the Archyworldys open-source article cite? list them")
    assert "Forbes" in answer.answer and "Stanford" in answer.answer, answer.answer


def test_a_greeting_with_a_term_of_address_is_no_part_of_the_question() -> None:
    assert (
        written_out("Hello dear, what was the name of the Alibaba model?") == "what was the name of the Alibaba model?"
    )
    assert kind_of("how much bigger is the American one?") == "compare"  # by how much: a ratio, not a sum
