"""Asked what each of the articles that cover something says, each such article answers on its own."""

from __future__ import annotations

import pytest

from rag.chat import Chat
from rag.question import analyse, article_references
from rag.types import Turn
from tests.test_answers import assert_citations_verifiable

LLAMA_ARTICLES = {"000_238b3d5c562b5a75.txt", "004_ad83150bec543e7f.txt"}


@pytest.mark.parametrize(
    "question",
    [
        "Which articles mention Llama 2 and what do they say about it?",
        "DeepSeek pops up in two of the pieces - what do they say about it?",
        "Both the vision article and the open source one mention llama 2 - what does each say about it?",
        "Hugging Face comes up in a couple of pieces; what do they say about Qwen there?",
    ],
)
def test_a_question_about_what_several_articles_say_is_read_so(question: str) -> None:
    assert analyse(question).in_several


@pytest.mark.parametrize("question", ["What does the article say about Llama 2?", "Summarize the articles."])
def test_a_question_about_one_article_or_all_of_them_is_not(question: str) -> None:
    assert not analyse(question).in_several


def test_each_article_that_mentions_the_name_asked_about_is_quoted(chat: Chat) -> None:
    answer = chat.ask("Which articles mention Llama 2 and what do they say about it?")
    assert {c.source for c in answer.citations} == LLAMA_ARTICLES
    assert "Baichuan" in answer.answer  # the open-source article's own sentence on Llama 2
    assert_citations_verifiable(answer)


def test_without_a_name_the_articles_that_hold_the_subjects_words_are_quoted(chat: Chat) -> None:
    answer = chat.ask("Accessibility for the visually impaired - which pieces cover it and how?")
    assert {c.source for c in answer.citations} == {"000_238b3d5c562b5a75.txt", "002_f9dec77134c0a174.txt"}
    assert_citations_verifiable(answer)


def test_two_articles_named_before_one_plural_noun_are_two_sides() -> None:
    question = (
        "Both the Qwen-VL and Qwen2.5-Omni articles talk about helping visually impaired people. How do they compare?"
    )
    assert article_references(question) == [("Qwen-VL",), ("Qwen2.5-Omni",)]


def test_a_topic_before_a_question_word_names_no_article() -> None:
    assert article_references("Accessibility for the visually impaired - which pieces cover it and how?") == []


def test_each_of_two_articles_named_before_one_plural_noun_answers(chat: Chat) -> None:
    answer = chat.ask(
        "Both the Qwen-VL and Qwen2.5-Omni articles talk about helping visually impaired people. How do they compare?"
    )
    assert {c.source for c in answer.citations} == {"000_238b3d5c562b5a75.txt", "002_f9dec77134c0a174.txt"}
    assert_citations_verifiable(answer)


def test_a_name_said_to_come_up_in_more_than_one_article_is_answered_from_each(chat: Chat) -> None:
    # "more than one article" says where, not a comparison; "Llama 2" opening the question is a name
    answer = chat.ask("Llama 2 comes up in more than one article. What does each say about it?")
    assert {c.source for c in answer.citations} >= {"000_238b3d5c562b5a75.txt", "004_ad83150bec543e7f.txt"}
    assert "ten times larger" in answer.answer and "Baichuan" in answer.answer
    assert_citations_verifiable(answer)


def test_a_comparison_with_a_side_no_quote_names_is_refused(chat: Chat) -> None:
    history = [Turn("user", "How much is Alibaba Cloud putting into AI and cloud computing, and over what period?")]
    answer = chat.ask("How does that compare with what Baidu is spending?", history)
    assert answer.refused and not answer.citations
    # ... and whoever makes a comparison is not one of its sides
    forbes = chat.ask("How does Forbes characterize the Chinese approach compared to US strategies?")
    assert not forbes.refused and "US counterparts" in forbes.answer


def test_the_one_article_naming_a_product_answers_where_it_calls_it_otherwise(chat: Chat) -> None:
    # The Omni article names Qwen2.5-Omni-7B once and then says "a multimodal AI capable of processing ...": it is read
    # whole, and what the model handles is quoted from there
    answer = chat.ask("What inputs can Qwen2.5-Omni-7B handle?")
    assert all(w in answer.answer for w in ("text", "images", "audio", "video"))
    assert {c.source for c in answer.citations} == {"002_f9dec77134c0a174.txt"}
    assert_citations_verifiable(answer)


def test_where_to_get_a_product_is_answered_in_its_own_article_where_it_goes_unnamed(chat: Chat) -> None:
    answer = chat.ask("where do I download Qwen2.5-Omni-7B?")
    assert not answer.refused and "Hugging Face and GitHub" in answer.answer
    assert answer.citations[0].source == "002_f9dec77134c0a174.txt"
    # ... but not its date, which there may be another thing's
    assert chat.ask("When did Alibaba release Qwen2.5-Omni-7B?").refused


def test_an_article_named_by_its_place_is_that_one_in_the_list_of_documents(chat: Chat) -> None:
    corpus = chat.corpus()
    listed = [src for src, _ in corpus.sources]
    assert corpus.article(("#1",)) == listed[0] and corpus.article(("#-1",)) == listed[-1]
    assert article_references("the article from last week") == [("last", "week")]  # no place in the list
    # ... not an article the question describes, which the articles themselves mention
    assert article_references("the author's first piece on China catching up") == [("China", "catching", "up")]
    answer = chat.ask("which news sources does the last article quote? list them")
    assert {c.source for c in answer.citations} == {listed[-1]}, answer.answer
    assert "Forbes" in answer.answer, answer.answer


def test_an_article_named_by_someone_it_quotes_is_that_one(chat: Chat) -> None:
    assert article_references("List everyone quoted in the article with Tiezhen Wang") == [("Tiezhen", "Wang")]
    assert article_references("Who is credited in the Omni piece with insights on big tech?") == [("Omni",)]
    answer = chat.ask("List everyone quoted in the article with Tiezhen Wang, plus their orgs.")
    for quoted in ("Grace Isford", "Paul Triolo", "Xin Sun"):
        assert quoted in answer.answer, answer.answer


@pytest.mark.parametrize(
    "question",
    ["what news sources does the archyworldys article cite", "Which news outlets are mentioned in the last article?"],
)
def test_the_sources_an_article_cites_are_listed_by_name(chat: Chat, question: str) -> None:
    # sources and news are things with names, and "last" says where to look, not a word to find
    part = analyse(question).parts[0]
    assert part.items_named and "last" not in part.terms
    answer = chat.ask(question)
    for outlet in ("Yahoo News Singapore", "Forbes", "South China Morning Post"):
        assert outlet in answer.answer, answer.answer
    assert {c.source for c in answer.citations} == {"004_ad83150bec543e7f.txt"}


@pytest.mark.parametrize(
    ("question", "source", "items"),
    [
        ("Which American companies have dominated AI headlines?", "004_ad83150bec543e7f.txt", ("Google", "OpenAI")),
        ("Which Western companies is Alibaba partnering with?", "002_f9dec77134c0a174.txt", ("Apple", "BMW")),
    ],
)
def test_a_list_whose_items_did_something_takes_no_other_articles_mere_mentions(
    chat: Chat, question: str, source: str, items: tuple[str, ...]
) -> None:
    answer = chat.ask(question)
    assert {c.source for c in answer.citations} == {source}, answer.answer
    assert all(item in answer.answer for item in items), answer.answer


def test_a_list_of_ideas_takes_the_lines_an_article_introduces_as_them(chat: Chat) -> None:
    answer = chat.ask("list the implications that 'wake-up call' article gives for the global AI competition")
    for implication in ("Shifting Balance of Power", "Accelerated Innovation", "National Security Concerns"):
        assert implication in answer.answer, answer.answer
