"""A message that tells a story before it asks: the story is an earlier turn, the question a follow-up to it."""

from __future__ import annotations

import pytest

from rag.chat import Chat
from rag.kinds import kind_of
from rag.preamble import split_message, without_glosses
from rag.types import Turn
from tests.test_answers import _conversation, assert_citations_verifiable


@pytest.mark.parametrize(
    ("message", "told", "asked"),
    [
        # a personal story that names something is told; the question asks
        (
            "Sorry, I'm not technical at all, but there was a gentleman called Paul Triolo quoted about Chinese "
            "companies. Which firm is he with?",
            "Sorry, I'm not technical at all, but there was a gentleman called Paul Triolo quoted about Chinese "
            "companies.",
            "Which firm is he with?",
        ),
        # where the user heard it is theirs, not an article's author ("said Alibaba Cloud")
        (
            "The radio said Alibaba Cloud is spending a fortune on AI. How much is it, do you know?",
            "Alibaba Cloud is spending a fortune on AI.",
            "How much is it?",
        ),
        # a statement about the world is part of the question
        (
            "The 49ers will play the Chiefs in Super Bowl LVIII. Where will the game take place?",
            "",
            "The 49ers will play the Chiefs in Super Bowl LVIII. Where will the game take place?",
        ),
        # so is a sentence naming the article asked about, personal or not
        (
            "Our host handed round the Archyworldys article. I've lost my copy. What did it say, in a nutshell?",
            "I've lost my copy.",
            "Our host handed round the Archyworldys article. What did it say, in a nutshell?",
        ),
        # what follows the question is an afterthought, left out
        (
            "Which benchmarks did Qwen2-VL beat GPT-4V on? The article is vague, if you ask me.",
            "",
            "Which benchmarks did Qwen2-VL beat GPT-4V on?",
        ),
        # an aside opening a conversation is told ("These tools sound harmless to me. How could they be dangerous?")
        (
            "I'm not technical, sorry. Who wrote the Qwen-VL article?",
            "I'm not technical, sorry.",
            "Who wrote the Qwen-VL article?",
        ),
        # a request needs no question mark
        (
            "My grandson mentioned Qwen2-VL. Please tell me what it beat.",
            "Qwen2-VL.",
            "Please tell me what it beat.",
        ),
        # asking whether the story is true keeps the story as the question
        ("Baidu has a model too, I heard. Is that right?", "", "Baidu has a model too, I heard. Is that right?"),
        # nothing asked: the message as written
        ("Llama 2 is larger than Qwen-VL.", "", "Llama 2 is larger than Qwen-VL."),
        # a clause inside the question in which the user speaks of themselves asks nothing
        (
            "Can anybody tinker with these models, like my late husband with his old radios, or do you have to pay?",
            "",
            "Can anybody tinker with these models, or do you have to pay?",
        ),
        # ... but one that opens it is what it goes on from, and what one quotes is asked about
        (
            "we're scoping an assistant for blind users - would the Qwen-VL models fit that use case?",
            "",
            "we're scoping an assistant for blind users - would the Qwen-VL models fit that use case?",
        ),
        (
            "What is this 'Deep Seek moment', my grandson keeps going on about it?",
            "",
            "What is this 'Deep Seek moment'?",
        ),
    ],
)
def test_a_message_is_read_as_what_it_tells_and_what_it_asks(message: str, told: str, asked: str) -> None:
    assert split_message(message) == (told, asked)


def test_later_in_a_conversation_an_aside_that_names_nothing_is_left_out() -> None:
    message = "I'm not technical, sorry. Which firm is he with?"
    assert split_message(message, earlier=True) == ("", "Which firm is he with?")


def test_a_story_that_goes_on_from_the_conversation_stays_with_its_question() -> None:
    message = "I heard it's also available in China now. How did that come about?"
    assert split_message(message) == ("it's also available in China now.", "How did that come about?")
    assert split_message(message, earlier=True) == ("", "it's also available in China now. How did that come about?")


@pytest.mark.parametrize("question", ["What is the point of doing it?", "What's the purpose of the spin-off?"])
def test_asking_for_the_point_of_something_asks_why(question: str) -> None:
    assert kind_of(question) == "why"


@pytest.mark.parametrize(
    ("message", "expected", "source"),
    [
        (
            "Sorry, I'm not technical at all, but there was a gentleman called Paul Triolo quoted about Chinese "
            "companies wanting to go global. Which firm is he with?",
            "DGA Group",
            "003_86bf600701711a59.txt",
        ),
        (
            # "this person" is who the story named; its podcast and daughter are no words to look for
            "I heard the name Tiezhen Wang on a podcast my daughter sent me and I couldn't catch a thing after that, "
            "the sound was dreadful. Who is this person and where do they work?",
            "Hugging Face",
            "003_86bf600701711a59.txt",
        ),
        (
            "Well! Apparently a Chinese model beat OpenAI's GPT-4V at some tests, my grandson was very excited about "
            "it over Sunday lunch. Which model was that?",
            "Qwen2-VL",
            "001_7aaf47b449a52241.txt",
        ),
    ],
)
def test_a_question_told_after_a_story_is_answered_from_the_article_the_story_points_at(
    chat: Chat, message: str, expected: str, source: str
) -> None:
    answer = chat.ask(message)
    assert not answer.refused and expected in answer.answer
    assert {c.source for c in answer.citations} == {source}
    assert_citations_verifiable(answer)


def test_the_story_of_an_earlier_turn_gives_the_next_question_its_subject(chat: Chat) -> None:
    history = [
        Turn("user", "My grandson mentioned Meta's Llama 2 model. Is it bigger than the new Alibaba ones?"),
        Turn("assistant", chat.ask("Is Meta's Llama 2 model bigger than the new Alibaba ones?").answer),
    ]
    answer = chat.ask("I heard it's also available in China now somehow. How did that come about?", history)
    assert "agreement" in answer.answer and "Llama 2" in answer.answer


def test_a_count_asked_is_not_answered_by_a_ratio(chat: Chat) -> None:
    answer = chat.ask(
        "Everyone says Qwen is one of the most downloaded models. How many times has it actually been downloaded?"
    )
    assert answer.refused and "ten times" not in answer.answer


def test_a_name_written_as_one_word_and_typed_as_two_is_read_as_the_articles_write_it(chat: Chat) -> None:
    answer = chat.ask("My grandson keeps going on about a 'Deep Seek moment' - what on earth is that?")
    assert "DeepSeek moment" in answer.answer, answer.answer
    assert_citations_verifiable(answer)


def test_a_term_of_address_is_no_word_to_find(chat: Chat) -> None:
    history = _conversation(chat, "How much money is Alibaba putting into this AI and cloud business?")
    answer = chat.ask("Over how many years is that, dear?", history)
    assert "three years" in answer.answer, answer.answer


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        (
            "What's the name of the leaderboard (kind of like a scoreboard for AI programs) where Qwen placed?",
            "What's the name of the leaderboard where Qwen placed?",
        ),
        ("What deal did Alibaba and Meta (the Facebook company) make?", "What deal did Alibaba and Meta make?"),
        # the word a gloss explains stays
        (
            "What scores did they get on those tests (benchmarks, which are like exams for AI)?",
            "What scores did they get on those tests (benchmarks)?",
        ),
        ("List the 'implications' (that just means the effects) it gives.", "List the 'implications' it gives."),
        ("What is Alibaba Cloud (ACS) doing?", "What is Alibaba Cloud (ACS) doing?"),
    ],
)
def test_what_the_user_explains_of_their_own_words_is_left_out(sentence: str, kept: str) -> None:
    assert without_glosses(sentence) == kept


def test_a_request_about_how_to_answer_asks_nothing_of_the_articles(chat: Chat) -> None:
    message = (
        "What deal did Alibaba and Meta (the Facebook company) make? Explain it simple enough for a 6th grader please"
    )
    assert split_message(message) == ("", "What deal did Alibaba and Meta make?")
    assert split_message("Keep it short.") == ("", "Keep it short.")  # alone, it is what was asked
    answer = chat.ask(message)
    assert not answer.refused and "Llama 2" in answer.answer, answer.answer


@pytest.mark.parametrize(
    ("message", "asked"),
    [
        (
            "How many Nvidia GPUs have Chinese tech firms stockpiled? Is there a number?",
            "How many Nvidia GPUs have Chinese tech firms stockpiled?",
        ),
        ("When did Alibaba and Meta sign the deal? What is the month?", "When did Alibaba and Meta sign the deal?"),
        ("When did they sign? Any date given?", "When did they sign?"),
        ("Who wrote it? Which year was it published?", "Who wrote it? Which year was it published?"),
        ("What is the date?", "What is the date?"),  # alone, it is what was asked
    ],
)
def test_a_question_asking_only_for_the_form_of_the_answer_before_it_asks_nothing_more(
    message: str, asked: str
) -> None:
    assert split_message(message) == ("", asked)


def test_a_figure_never_given_is_refused_when_the_question_also_asks_for_it_as_a_number(chat: Chat) -> None:
    answer = chat.ask("How many Nvidia GPUs have Chinese tech firms stockpiled? Is there a number?")
    assert answer.refused and not answer.citations, answer.answer
