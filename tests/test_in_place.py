"""A question asked in place is read in question order."""

from __future__ import annotations

import pytest

from rag.chat import Chat
from rag.in_place import fronted
from tests.test_answers import assert_citations_verifiable


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("baichuan model is made by which company?", "which company is baichuan model made by?"),
        ("his earlier article name is what?", "what is his earlier article name?"),
        ("qwen2-vl get what score exactly vs gpt-4v?", "what score does qwen2-vl get exactly vs gpt-4v?"),
        ("so chinese companies do what instead?", "so what do chinese companies do instead?"),
        ("west countries must do which things to lead?", "which things must west countries do to lead?"),
        ("Qwen2.5-Omni understand which kind of input?", "which kind of input does Qwen2.5-Omni understand?"),
        ("the article, it cites which outlets?", "the article, which outlets does it cite?"),
        # a topic, then what is asked of it
        ("baidu new multimodal model, what is its name?", "what is the name of baidu new multimodal model?"),
        ("china ai arms race article, author name?", "who is the author of china ai arms race article?"),
        ("the omni model, release date?", "what is the release date of the omni model?"),
    ],
)
def test_a_question_word_left_in_place_is_read_first(typed: str, read: str) -> None:
    assert fronted(typed) == read


@pytest.mark.parametrize(
    "question",
    [
        "How could Qwen2.5-Omni-7B help people who are visually impaired?",  # opens with its question word
        "In what ways does the US still have an edge, according to Manuel?",  # "according to ..." is no topic
        "Besides Alibaba, which Chinese company released a model?",
        "Alibaba partner with which company?",  # a preposition's object: read as typed
        "Alibaba helps people who are blind?",  # a relative clause
        "The model, which beat GPT-4V, is called what?",
        "Llama 2 is ten times larger. Who made it?",
    ],
)
def test_a_question_in_question_order_or_with_a_relative_clause_is_read_as_typed(question: str) -> None:
    assert fronted(question) == question


@pytest.mark.parametrize(
    "question",
    [
        "baichuan model is made by which company?",  # the articles name no maker of Baichuan
        "baidu new multimodal model, what is its name?",  # nor Baidu's model
    ],
)
def test_what_the_articles_do_not_say_is_refused_however_it_is_asked(chat: Chat, question: str) -> None:
    assert chat.ask(question).refused


def test_an_author_asked_after_the_article_is_the_byline(chat: Chat) -> None:
    answer = chat.ask("china ai arms race article, author name?")
    assert "Franklin Manuel" in answer.answer and {c.source for c in answer.citations} == {"000_238b3d5c562b5a75.txt"}
    assert_citations_verifiable(answer)


def test_a_short_capitalized_word_saying_what_kind_is_asked_is_no_name_to_find(chat: Chat) -> None:
    from rag.names import only_kind_asked

    assert only_kind_asked("VC", "Grace Isford - which VC firm is she a partner at?")
    assert not only_kind_asked("Gemini", "Which Gemini model beat Qwen?")
    answer = chat.ask("Grace Isford - which VC firm is she a partner at?")
    assert "Lux Capital" in answer.answer
    assert chat.ask("Which Gemini model beat Qwen?").refused
    assert chat.ask("Which BMW car models will get Alibaba's AI?").refused  # BMW is a name the articles know
