"""A question asked inside a request ("A customer wants to know who ...", "Can you tell me whether ...") is the
question it holds."""

from __future__ import annotations

import pytest

from rag.chat import Chat
from rag.indirect import direct


@pytest.mark.parametrize(
    ("message", "asked"),
    [
        ("A customer wants to know who Tiezhen Wang is.", "Who is Tiezhen Wang?"),
        (
            "Customer is asking what Baidu's new multimodal model is called.",
            "What is Baidu's new multimodal model called?",
        ),
        ("my son wants to know what company Paul Triolo is from.", "What company is Paul Triolo from?"),
        (
            "Can you tell me whether the article on Qwen2.5-Omni raises any concerns about privacy?",
            "Is it true that the article on Qwen2.5-Omni raises any concerns about privacy?",
        ),
        ("customer asking which platforms it is released on", "Which platforms it is released on?"),
        (
            "A customer wants a list of the news outlets cited in the last article.",
            "List the news outlets cited in the last article.",
        ),
        (
            "A customer wants to know the exact date Alibaba released Qwen-VL.",
            "What is the exact date Alibaba released Qwen-VL?",
        ),
        ("Do you know who wrote it?", "Who wrote it?"),
        # the frame alone after the question asks nothing more
        ("Customer is asking who wrote the Omni piece. Can you tell me?", "Who wrote the Omni piece?"),
        # asked in the imperative, as an exam does
        ("State the date on which Alibaba released Qwen2-VL.", "What is the date on which Alibaba released Qwen2-VL?"),
        ("Identify the company that released Qwen2-VL.", "Which company released Qwen2-VL?"),
        ("Give me a list of the risks.", "List the risks."),
        ("State whether Qwen-VL is open source.", "Is it true that Qwen-VL is open source?"),
        # a claim put up to be checked
        ("Confirm or deny: Paul Triolo works for McKinsey.", "Is it true that Paul Triolo works for McKinsey?"),
        ("True or false - Llama 2 is bigger.", "Is it true that Llama 2 is bigger?"),
        (
            "Claim to check: Alibaba keeps Qwen-VL proprietary. Is that right?",
            "Is it true that Alibaba keeps Qwen-VL proprietary?",
        ),
        ("Please verify that Baidu made Qwen-VL.", "Is it true that Baidu made Qwen-VL?"),
        ("Check: who made it?", "Who made it?"),  # a question of its own
        (
            "The blogger claims Qwen models held five of the top ten spots. True?",
            "Is it true that the blogger claims Qwen models held five of the top ten spots?",
        ),
    ],
)
def test_a_question_held_in_a_request_is_asked_directly(message: str, asked: str) -> None:
    assert direct(message) == asked


@pytest.mark.parametrize(
    "message",
    [
        "Who wrote the Omni piece?",
        "Tell me who wrote it.",  # a request that already asks in question order
        "Can you summarize the Omni piece?",
        "The customer is happy with the answer.",
        "Users need the model to be small.",  # wanting a thing is no question
        "What is Kai Wang's job? The article mentions him but my daughter wants to know who he is.",
        "Name the companies that partner with Alibaba.",  # naming several is listing them
        "Name the experts quoted in the article.",
        "Give examples of what Qwen-VL-Chat can do.",
        "Give me the list",  # how to answer
        "Verify the numbers.",
        "Who made Qwen? Right?",  # a question, not a claim, before the check
    ],
)
def test_a_message_without_a_question_held_in_a_request_is_left_as_written(message: str) -> None:
    assert direct(message) == message


def test_a_relayed_who_question_is_answered_by_the_sentence_that_introduces_the_person(chat: Chat) -> None:
    answer = chat.ask("A customer wants to know who Tiezhen Wang is.")
    assert "machine learning engineer" in answer.answer and "Hugging Face" in answer.answer, answer.answer


def test_a_relayed_question_about_something_never_given_is_refused(chat: Chat) -> None:
    answer = chat.ask("Customer is asking what Baidu's new multimodal model is called.")
    assert answer.refused and not answer.citations, answer.answer


def test_a_polite_whether_question_is_answered_by_what_the_article_says(chat: Chat) -> None:
    answer = chat.ask("Can you tell me whether the article on Qwen2.5-Omni raises any concerns about users' privacy?")
    assert not answer.refused and "privacy" in answer.answer, answer.answer


def test_a_date_asked_in_the_imperative_the_articles_never_give_is_refused(chat: Chat) -> None:
    answer = chat.ask("State the date on which Alibaba released Qwen2-VL.")
    assert answer.refused and not answer.citations, answer.answer


def test_a_claim_put_up_to_be_checked_is_answered_by_what_the_articles_say_instead(chat: Chat) -> None:
    answer = chat.ask("Confirm or deny: Paul Triolo works for McKinsey.")
    assert not answer.refused and "don't mention McKinsey" in answer.answer and "DGA Group" in answer.answer
