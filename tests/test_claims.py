"""A yes/no claim that names what the articles never mention is answered by what they say instead, or refused."""

from __future__ import annotations

import pytest

from rag.chat import Chat
from rag.in_place import fronted
from rag.kinds import kind_of
from tests.test_answers import assert_citations_verifiable


@pytest.mark.parametrize(
    ("question", "instead", "source", "unheard"),
    [
        (
            "Is it true that Qwen2-VL beat Anthropic's Claude on several benchmarks?",
            "GPT-4V",
            "001_7aaf47b449a52241.txt",
            "Anthropic's Claude",
        ),
        (
            "Was it the Wall Street Journal that reported Chinese developers building on these open-source "
            "foundations?",
            "South China Morning Post",
            "004_ad83150bec543e7f.txt",
            "Wall Street Journal",
        ),
        # the owner goes with the name it owns: the articles' Google is not Gemini's maker
        (
            "Did Qwen2-VL beat Google's Gemini on several key benchmarks?",
            "GPT-4V",
            "001_7aaf47b449a52241.txt",
            "Google's Gemini",
        ),
        # held by meaning rather than words: "is called" by "the launch of ... the Qwen2.5-Omni-7B"
        (
            "Is it true Alibaba's new omni model is called Qwen2.5-Omni-14B?",
            "Qwen2.5-Omni-7B",
            "002_f9dec77134c0a174.txt",
            "Qwen2.5-Omni-14B",
        ),
    ],
)
def test_a_claim_naming_what_the_articles_never_mention_is_answered_by_what_they_say_instead(
    chat: Chat, question: str, instead: str, source: str, unheard: str
) -> None:
    answer = chat.ask(question)
    assert not answer.refused
    assert answer.answer.startswith(f"The articles don't mention {unheard}.")
    assert instead in answer.answer and {c.source for c in answer.citations} == {source}
    assert_citations_verifiable(answer)


@pytest.mark.parametrize(
    "question",
    [
        "Does Qwen-VL support Japanese?",  # nothing but the name to check
        "Has Alibaba or Alibaba Cloud been added to the US Entity List?",
        "Is Qwen released under the Apache 2.0 license or something else?",  # no quote says what it is instead
        # the deal's sentence names China, which nearly every article names: it stands in the place of nothing
        "Did the Commerce Department or BIS weigh in on the Alibaba-Meta Llama 2 deal?",
    ],
)
def test_a_claim_the_articles_cannot_settle_is_refused(chat: Chat, question: str) -> None:
    assert chat.ask(question).refused


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        (
            "Grace Isford is a partner at Sequoia Capital, correct?",
            "Is it true that Grace Isford is a partner at Sequoia Capital?",
        ),
        ("The article mentions Apple and BMW, right?", "Is it true that the article mentions Apple and BMW?"),
        ("Qwen is open source - is that true?", "Is it true that Qwen is open source?"),
        ("Grace Isford is at Sequoia, isn't she?", "Is it true that Grace Isford is at Sequoia?"),
        ("Alibaba partnered with BMW, didn't it?", "Is it true that Alibaba partnered with BMW?"),
        ("Qwen-VL can't read Chinese, can it?", "Is it true that Qwen-VL can't read Chinese?"),
    ],
)
def test_a_claim_with_a_tag_asks_whether_it_is_true(typed: str, read: str) -> None:
    assert fronted(typed) == read


def test_a_claim_giving_a_deal_to_the_wrong_company_is_answered_by_whose_deal_it_was(chat: Chat) -> None:
    answer = chat.ask(
        "Did Google really strike a deal with Alibaba to offer its model in China through Alibaba's cloud?"
    )
    assert answer.answer.startswith("The articles don't say this of Google.")
    assert "Meta" in answer.answer and "Llama 2" in answer.answer
    assert {c.source for c in answer.citations} == {"000_238b3d5c562b5a75.txt"}
    assert_citations_verifiable(answer)


def test_a_claimed_sum_the_articles_never_state_is_corrected_by_theirs_or_refused(chat: Chat) -> None:
    corrected = chat.ask("Is it true Alibaba pledged $100 billion for AI and cloud?")
    assert "don't mention $100 billion" in corrected.answer and "$53 billion" in corrected.answer
    assert_citations_verifiable(corrected)
    # ... and where they give no sum for it, a sentence about the thing claimed does not answer
    unsaid = chat.ask("Is it true DeepSeek's R1 cost under $6 million to train?")
    assert unsaid.refused and not unsaid.citations


@pytest.mark.parametrize(
    ("claim", "instead"),
    [
        ("Grace Isford is at Sequoia, isn't she?", "Lux Capital"),
        ("Xin Sun teaches at Oxford, right?", "King’s College London"),
    ],
)
def test_a_wrong_affiliation_is_corrected_by_the_one_the_articles_give(chat: Chat, claim: str, instead: str) -> None:
    answer = chat.ask(claim)
    assert not answer.refused and "don't mention" in answer.answer and instead in answer.answer
    assert_citations_verifiable(answer)


@pytest.mark.parametrize(
    "question", ["Qwen2.5-Omni was released by Tencent, wasn't it?", "Did Tencent release Qwen2.5-Omni?"]
)
def test_a_claim_naming_a_maker_the_articles_never_mention_is_answered_by_the_maker_they_name(
    chat: Chat, question: str
) -> None:
    assert kind_of(question) == "yes_no"
    answer = chat.ask(question)
    assert not answer.refused and "Tencent" in answer.answer and "Alibaba Cloud" in answer.answer, answer.answer


def test_a_statement_asked_is_checked_against_what_the_articles_say_instead(chat: Chat) -> None:
    question = "I think there was an example about translating a Japanese train station sign into English?"
    assert kind_of(question) == "yes_no"
    answer = chat.ask(question)
    assert "Mandarin hospital sign" in answer.answer, answer.answer
    # ... but a word alone is no claim to correct: the articles never say which languages Qwen-VL supports
    assert chat.ask("Does Qwen-VL support Japanese?").refused
    assert kind_of("Hugging Face comes up a lot. Can you run down each mention?") != "yes_no"
