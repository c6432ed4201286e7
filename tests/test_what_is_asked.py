"""What is asked decides what answers: an amount is a figure of what was asked about, advice a sentence advising."""

from __future__ import annotations

import pytest

from rag.chat import Chat
from rag.kinds import kind_of
from rag.names import names
from rag.question import analyse
from rag.types import Turn
from tests.test_answers import _conversation, assert_citations_verifiable


@pytest.mark.parametrize(
    "question",
    [
        "What's the dollar value of Alibaba's AI deal with Apple for iPhones?",
        "What was Alibaba Cloud's revenue growth in the last fiscal year?",
        "What were the financial terms of the Alibaba-Meta arrangement?",
        "What did Meta get out of the Llama 2 deal with Alibaba financially?",
        "Alibaba and Meta agreed on Llama 2 - any dollar figure?",
    ],
)
def test_a_money_attribute_asked_for_asks_how_much(question: str) -> None:
    assert kind_of(question.lower()) == "how_much"


def test_the_worth_of_an_idea_is_no_sum_of_money() -> None:
    assert kind_of("what is the value of open source?") != "how_much"


@pytest.mark.parametrize(
    "question",
    [
        # the article names Baidu, but the only sum it gives is Alibaba Cloud's
        "How much has Baidu committed to spend on AI infrastructure this year?",
        # the sentence about the Apple deal states no sum
        "What's the dollar value of Alibaba's AI deal with Apple for iPhones?",
        # a ratio ("ten times larger") is no sum of money
        "What were the financial terms of the Alibaba-Meta arrangement to offer Llama 2 in China?",
        # the only sum said of Alibaba Cloud is an investment, not a revenue
        "What was Alibaba Cloud's revenue growth in the last fiscal year?",
        # a sum asked of a government: Alibaba Cloud's $53 billion is a company's
        "How much money does the Chinese government put into AI each year?",
        "how much money did the US government spend on ai this year",
        "What did Meta get out of the Llama 2 deal with Alibaba financially - any dollar figure?",
    ],
)
def test_a_sum_the_articles_do_not_give_for_the_thing_asked_is_refused(chat: Chat, question: str) -> None:
    answer = chat.ask(question)
    assert answer.refused and "$53 billion" not in answer.answer


def test_a_sum_given_for_the_thing_asked_is_answered(chat: Chat) -> None:
    answer = chat.ask("How much is Alibaba Cloud committing to invest in AI?")
    assert "$53 billion" in answer.answer and not answer.refused
    assert_citations_verifiable(answer)


def test_asked_what_should_be_done_the_sentence_that_says_what_should_be_done_answers(chat: Chat) -> None:
    answer = chat.ask("what does the qwen2-vl writer think the west should focus on? list em")
    assert "Key areas of focus should include" in answer.answer
    assert {c.source for c in answer.citations} == {"001_7aaf47b449a52241.txt"}
    assert_citations_verifiable(answer)


@pytest.mark.parametrize(
    "question",
    [
        "so what does that guy think the us should do now that qwen2-vl is winning",  # no word of the advice
        "What policy measures does the author recommend Western governments take in response to Qwen2-VL?",
        "what does the wake-up call guy say the west should focus on?",
    ],
)
def test_asked_for_advice_the_articles_advice_answers_not_its_topic_sentence(chat: Chat, question: str) -> None:
    answer = chat.ask(question)
    assert "Key areas of focus should include" in answer.answer, answer.answer
    assert_citations_verifiable(answer)


def test_advice_asked_of_a_named_article_is_answered_by_its_advice(chat: Chat) -> None:
    answer = chat.ask("what does the Qwen2-VL article say the US and allies should do about it? bullet points pls")
    assert "Key areas of focus should include" in answer.answer, answer.answer
    assert_citations_verifiable(answer)


def test_a_wake_up_call_for_someone_advises_nothing() -> None:
    from rag.answer.evidence import advises

    assert not advises("What should the West do?", "It serves as a stark wake-up call for the United States.")
    assert advises("What should the West do?", "The report calls for more funding of basic research.")


def test_which_agency_did_something_asks_for_an_agency_by_name() -> None:
    part = analyse("Which US agency issued the chip export restrictions on China?").parts[0]
    assert (part.kind, part.specific) == ("who", "agenc")


def test_an_agency_the_articles_never_name_is_not_answered_by_a_sentence_on_the_restrictions(chat: Chat) -> None:
    answer = chat.ask("Which US agency issued the chip export restrictions on China?")
    assert answer.refused


def test_a_company_known_by_launching_its_model_answers_which_company(chat: Chat) -> None:
    answer = chat.ask("Which company launched Qwen2.5-Omni-7B?")
    assert "Alibaba Cloud" in answer.answer and not answer.refused
    assert_citations_verifiable(answer)


def test_asked_what_things_are_called_their_noun_is_asked_for_by_name() -> None:
    part = analyse("What are China's AI regulations actually called?").parts[0]
    assert part.specific == "regul"


def test_everyday_words_for_what_the_articles_say_technically_are_answered(chat: Chat) -> None:
    # no word of "picture bot" or "got better" is in the articles; the passage on Qwen-VL means it nonetheless
    answer = chat.ask("ok so the other one is an upgrade of an older Alibaba picture bot — what actually got better?")
    assert "higher-resolution" in answer.answer and not answer.refused
    assert_citations_verifiable(answer)


@pytest.mark.parametrize(
    "question",
    [
        "what were the actual scores on those benchmarks?",
        "By what margin?",
        "What were the scores?",
        "what were DeepSeek R1's benchmark scores",  # a name of two words owns them
        "what was Qwen2-VL's exact score vs GPT-4V",  # a score against another's is still a figure
    ],
)
def test_scores_and_margins_ask_for_figures(question: str) -> None:
    assert analyse(question).parts[0].kind == "how_many"


@pytest.mark.parametrize(
    "question", ["what were deepseek r1's benchmark scores", "what was qwen2-vl's exact score vs gpt-4v"]
)
def test_scores_the_articles_never_give_are_refused_not_answered_by_a_sentence_on_benchmarks(
    chat: Chat, question: str
) -> None:
    answer = chat.ask(question)
    assert answer.refused and not answer.citations, answer.answer


def test_a_margin_the_articles_never_give_is_refused_not_answered_by_the_claim_it_measures(chat: Chat) -> None:
    history = _conversation(chat, "What did Qwen2-VL beat?")
    answer = chat.ask("By what margin?", history)
    assert answer.refused and not answer.citations


@pytest.mark.parametrize(
    "question",
    [
        "What's Huawei's alternative AI chip called?",  # "what's ... called" asks a name as "what is ... called" does
        "What's the name of Baidu's new all-in-one AI?",  # an AI is a product: "its multimodal model" names none
    ],
)
def test_a_product_name_the_articles_never_give_is_refused(chat: Chat, question: str) -> None:
    answer = chat.ask(question)
    assert answer.refused and not answer.citations


def test_what_a_question_sets_aside_is_not_what_answers_it(chat: Chat) -> None:
    assert analyse("Besides open-sourcing, how else does Alibaba sell its models?").parts[0].aside
    answer = chat.ask("Besides open-sourcing, how else does Alibaba sell its models?")
    assert answer.answer.startswith("Simultaneously, Alibaba offers proprietary models as a service")
    assert_citations_verifiable(answer)


def test_names_set_aside_are_not_words_set_aside() -> None:
    # "them and Alibaba": a pronoun and a name, which the names' own aside handles
    part = analyse("Which other Chinese AI player is mentioned, besides them and Alibaba?").parts[0]
    assert part.aside == ()


@pytest.mark.parametrize(
    "question",
    [
        "How much money, in concrete figures, has the Chinese government put into open-source AI development?",
        "What, in your view, did Alibaba release?",
    ],
)
def test_an_aside_between_commas_does_not_part_the_question_word_from_its_verb(question: str) -> None:
    assert [p.text for p in analyse(question).parts] == [question]


def test_a_second_question_after_a_comma_is_still_a_part_of_its_own() -> None:
    assert len(analyse("Who is Kai Wang, and does he work at Alibaba?").parts) == 2


@pytest.mark.parametrize(
    "question",
    [
        "Is Alibaba only doing open source, or does it sell proprietary models too?",  # the other choice asked
        "alibaba only open source or also paid models",  # "paid models" are a kind of model, not a sum asked
    ],
)
def test_a_choice_between_two_things_is_answered_on_the_other_one_too(chat: Chat, question: str) -> None:
    answer = chat.ask(question)
    assert "Alibaba offers proprietary models as a service" in answer.answer, answer.answer
    assert_citations_verifiable(answer)


def test_a_second_question_opening_with_a_preposition_of_time_is_a_part_of_its_own(chat: Chat) -> None:
    question = "How much cash is Alibaba's cloud side planning to pour into AI, and over how long?"
    assert [p.kind for p in analyse(question).parts] == ["how_much", "duration"]
    answer = chat.ask(question)  # was refused: a duration asked for "cash" found no cash word in the quote
    assert "$53 billion" in answer.answer and "three years" in answer.answer, answer.answer


def test_a_greeting_and_a_checked_story_before_the_question_still_get_the_names_asked(chat: Chat) -> None:
    answer = chat.ask("Hey, so Alibaba put out two new AIs that can look at pictures, right? What are they called?")
    assert "Qwen-VL-Chat" in answer.answer and not answer.refused
    assert_citations_verifiable(answer)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Kai Wang - who does he work for?", ["Kai", "Wang"]),  # a first name opening the question is a name
        ("Paul Triolo works where?", ["Paul", "Triolo"]),
        ("Compare Qwen and Llama", ["Qwen", "Llama"]),  # a request's verb is not
        ("Does Alibaba sell models?", ["Alibaba"]),
        ("Llama 2 param count?", ["Llama"]),  # ... and so is a word before the number of its name
        ("Is 2 enough?", []),
    ],
)
def test_a_name_opening_a_question_is_a_name_whole(text: str, found: list[str]) -> None:
    assert names(text) == found


def test_a_known_name_opening_a_query_is_a_name() -> None:
    # a query's first word is capitalized whether or not it names something: one of the corpus's names is one
    assert names("Baichuan developer company") == []
    assert names("Baichuan developer company", known={"baichuan"}) == ["Baichuan"]
    assert names("Gist of the Omni article?", known={"baichuan"}) == ["Omni"]


def test_who_developed_a_thing_named_first_in_a_query_is_not_answered_by_naming_it(chat: Chat) -> None:
    # "such as Qwen and Baichuan" named someone beside Baichuan, which, opening the query, was no name
    answer = chat.ask("baichuan developer company")
    assert answer.refused and not answer.citations, answer.answer


def test_an_employer_asked_of_one_person_is_not_answered_by_anothers_of_the_same_surname(chat: Chat) -> None:
    # the articles quote Kai Wang and Tiezhen Wang (of Hugging Face); where Kai Wang works they never say
    answer = chat.ask("Kai Wang - who does he work for?")
    assert answer.refused and "Hugging Face" not in answer.answer


def test_a_first_name_the_articles_only_write_opening_a_sentence_is_restored_before_a_surname() -> None:
    from rag.names import restore_case

    restored = restore_case("which company does kai wang work for?", {"wang": "Wang"}, None, {"kai": "Kai"})
    assert restored == "which company does Kai Wang work for?"
    # ... and not where no name follows it
    assert restore_case("kai is a word", {"wang": "Wang"}, None, {"kai": "Kai"}) == "kai is a word"


def test_a_sentence_opening_word_that_starts_no_name_stays_lower_case(chat: Chat) -> None:
    # "Let us know your thoughts" opens a sentence in one article: "let" before "Alibaba" is the verb still
    earlier = [Turn("user", "When did Alibaba and Meta make their Llama 2 agreement?")]
    analysis = chat.analyse("And what did that deal actually let Alibaba do?", earlier)
    assert "actually let Alibaba" in analysis.parts[0].text and "Let" not in analysis.parts[0].names


def test_an_employer_typed_in_lower_case_is_asked_of_the_whole_name(chat: Chat) -> None:
    answer = chat.ask("which company does kai wang work for?")
    assert answer.refused and "DGA Group" not in answer.answer and "Hugging Face" not in answer.answer


def test_what_a_company_is_said_to_say_is_answered_only_by_its_own_words(chat: Chat) -> None:
    # the articles never have Nvidia say anything: a sentence about its Blackwell systems is Triolo's words
    silent = chat.ask("What did Nvidia say in response to Blackwell systems being unexportable to China?")
    assert silent.refused and not silent.citations
    # ... Alibaba touts its model ("the perfect foundation ..."), and a writer says what the whole article says
    touted = chat.ask("what did alibaba say the omni model is a good foundation for?")
    assert "cost-effective AI agents" in touted.answer
    written = chat.ask("What does Manuel say the models can do for visually impaired shoppers?")
    assert "read the labels aloud" in written.answer and not written.refused
    assert_citations_verifiable(touted)
    assert_citations_verifiable(written)


def test_how_long_before_another_event_is_answered_by_a_relative_time(chat: Chat) -> None:
    answer = chat.ask("How long before Alibaba's Qwen2.5-Omni-7B did Baidu unveil its own multimodal model?")
    assert "last week" in answer.answer and not answer.refused
    assert_citations_verifiable(answer)


def test_who_talked_about_something_is_answered_by_whose_insights_about_it_are_given(chat: Chat) -> None:
    answer = chat.ask("who talked about the big tech players having an edge thanks to their data centers?")
    assert "Kai Wang" in answer.answer and not answer.refused
    assert_citations_verifiable(answer)


def test_a_hedge_in_a_claim_is_no_word_to_find(chat: Chat) -> None:
    # "actually" weighed as much as "phones": the launch sentence, which has neither, answered first
    assert "actual" not in analyse("Can the Omni model actually run on phones?").parts[0].terms
    answer = chat.ask("Can the Omni model actually run on phones?")
    assert "mobile phones" in answer.answer
    assert_citations_verifiable(answer)


def test_a_why_or_how_asked_of_a_named_article_is_answered_by_its_sentence_nearest_in_meaning(chat: Chat) -> None:
    # few of the question's words are the article's ("blind people", "about money"), but the article is named
    answer = chat.ask("how does the omni article think helping blind people might really just be about money?")
    assert "profit-driven motives" in answer.answer and not answer.refused
    assert {c.source for c in answer.citations} == {"002_f9dec77134c0a174.txt"}
    assert_citations_verifiable(answer)


@pytest.mark.parametrize(
    "question",
    [
        "How did the US government officially respond when Qwen2-VL outperformed GPT-4V?",
        "How did Alibaba's share price react after the Qwen2.5-Omni-7B launch?",
    ],
)
def test_a_response_the_articles_never_give_is_not_answered_by_restating_what_was_responded_to(
    chat: Chat, question: str
) -> None:
    answer = chat.ask(question)
    assert answer.refused and not answer.citations


def test_what_was_responded_to_sets_the_scene_and_the_response_answers() -> None:
    (part,) = analyse("How did Chinese firms respond after the chip export restrictions?").parts
    assert set(part.premise) == {"chip", "export", "restrict"}
    # "when" opening the question asks a date; "... mean when it says" asks about what is said
    assert analyse("When did Alibaba respond to the ban?").parts[0].premise == ()
    assert analyse('What does the article mean when it says "DeepSeek moment"?').parts[0].premise == ()


def test_a_name_the_articles_write_once_is_restored_when_typed_in_lower_case(chat: Chat) -> None:
    # "such as Qwen and Baichuan": once, capitalized, no English word; "the company that makes it" is never said
    assert "Baichuan" in chat.analyse("what company makes baichuan?").parts[0].names
    answer = chat.ask("what company makes baichuan?")
    assert answer.refused and not answer.citations
    # ... an English word written capitalized once ("Silicon Valley") is left as typed
    assert "Valley" not in chat.analyse("is the valley still ahead?").parts[0].text


def test_who_a_person_is_is_answered_by_what_they_do_or_refused(chat: Chat) -> None:
    # the articles give Tiezhen Wang's job; of Kai Wang they give only his insights
    known = chat.ask("Who is Tiezhen Wang?")
    assert "machine learning engineer" in known.answer
    assert_citations_verifiable(known)
    unknown = chat.ask("Who is Kai Wang, and which organization does he work for?")
    assert unknown.refused and not unknown.citations


def test_a_date_of_a_sentence_about_another_thing_does_not_answer_when(chat: Chat) -> None:
    # the Omni article names DeepSeek's R1 beside "Baidu ... unveiled its multimodal foundational model just last week"
    answer = chat.ask("When did DeepSeek unveil its R1 model?")
    assert answer.refused and not answer.citations


def test_the_name_of_a_thing_pointed_back_at_is_its_owners_or_refused(chat: Chat) -> None:
    # "that model" is Baidu's; the articles never name it, and Alibaba's or DeepSeek's model is not it
    history = _conversation(chat, "Did Baidu release a multimodal model too?")
    answer = chat.ask("What's that model called?", history)
    assert answer.refused and not answer.citations


@pytest.mark.parametrize(
    "question",
    [
        "where does the us still hold an advantage over china?",
        "where does the author stand on open source?",
        "If base models become table stakes, where does Isford say the real competition lies?",
        # ... or at what point an article says something
        "In the Qwen2-VL article, where does the author say AI raises national security issues?",
        "where in the article is Llama 2 mentioned?",
    ],
)
def test_where_asked_of_an_advantage_or_a_stance_asks_in_what_respect(question: str) -> None:
    assert kind_of(question) == "what"
    assert kind_of("where did alibaba release it?") == "where"


def test_where_the_us_holds_an_advantage_is_answered_by_what_it_is(chat: Chat) -> None:
    answer = chat.ask("Where does the US still hold an advantage over China on AI models, per the arms race article?")
    assert not answer.refused and "model size" in answer.answer
    assert_citations_verifiable(answer)


def test_a_subject_before_when_still_asks_when(chat: Chat) -> None:
    # a learner's word order: the subject, then the question word
    assert kind_of("alibaba when released the qwen2-vl?") == "when"
    assert kind_of("what happened when alibaba released it?") == "what"
    answer = chat.ask("Alibaba when released the Qwen2-VL? which date exactly?")
    assert answer.refused and not answer.citations  # the articles give no date for it


def test_a_remark_after_the_question_asks_nothing() -> None:
    parts = analyse("What did Qwen2-VL beat? my teacher said it was a big deal").parts
    assert [p.text for p in parts] == ["What did Qwen2-VL beat?"]
    # ... but a request after it does, and a question of one piece is kept whatever it looks like
    assert len(analyse("which news sources does the article quote? list them").parts) == 2
    assert [p.text for p in analyse("qwen2.5 omni size").parts] == ["qwen2.5 omni size"]


def test_letters_asked_to_be_spelled_out_are_answered_by_the_words_before_them_in_brackets(chat: Chat) -> None:
    from rag.answer.evidence import acronym_asked, spells_out

    assert acronym_asked("what does LLM stand for") == "LLM" and acronym_asked("What does GPU mean?") == "GPU"
    assert acronym_asked("What does it mean for the West?") is None
    assert spells_out("HAI", "Stanford’s Human-Centered AI Institute (HAI) highlights this trend")
    assert not spells_out("LLM", "the models (LLMs) and their data")
    answer = chat.ask("what does LLM stand for")
    assert "large language models (LLMs)" in answer.answer.split("[1]")[0]
    assert_citations_verifiable(answer)


def test_who_stands_to_do_something_is_asked_the_doer_of_the_verb_after_to() -> None:
    assert analyse("Who stands to benefit from cheaper access to powerful AI tools?").parts[0].verb == "benefit"
    assert analyse("Who seems to run the institute?").parts[0].verb == "run"
    assert kind_of("where does the author say the west should be putting money and effort?") == "what"


def test_a_first_name_opening_a_sentence_before_a_possessive_surname_is_a_name() -> None:
    # "Kai Wang's insights ..." (an answer a follow-up points back at): Kai is his, not a sentence's opening word
    assert names("Kai Wang’s insights about the advantages that large tech players have")[:2] == ["Kai", "Wang"]
    assert names("Despite that, Alibaba grows") == ["Alibaba"]


def test_name_of_something_asks_its_name_not_a_list() -> None:
    assert analyse("name of it").parts[0].kind == "which"
    assert analyse("Name the companies mentioned").parts[0].kind == "list"


def test_the_name_of_a_thing_pointed_at_is_refused_where_the_articles_give_none(chat: Chat) -> None:
    # "its multimodal foundational model": Baidu's model is never named
    answer = chat.ask("name of it", _conversation(chat, "baidu multimodal model when"))
    assert answer.refused and not answer.citations, answer.answer
    # ... and "that Baidu model" is Baidu's: DeepSeek's R1, in the same article, is not its name
    answer = chat.ask("What is that Baidu model called?", _conversation(chat, "When did Baidu unveil its model?"))
    assert answer.refused and not answer.citations, answer.answer


def test_the_name_of_an_article_is_answered_by_its_quoted_title(chat: Chat) -> None:
    answer = chat.ask("Name of the author's earlier article on China catching up?")
    assert "China's Recent AI Surge Challenges US Dominance" in answer.answer, answer.answer
    assert_citations_verifiable(answer)


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("What is Kai Wang's title?", True),  # a person's title is a job
        ("what's her official title at Lux Capital?", True),
        ("What was the title of his earlier article?", False),
        ("his article title?", False),
    ],
)
def test_a_persons_title_asks_their_job_an_articles_its_headline(question: str, role: bool) -> None:
    from rag.answer.evidence import asks_role

    assert asks_role(question) is role


def test_a_persons_title_the_articles_never_give_is_refused(chat: Chat) -> None:
    # "Kai Wang's insights ..." names him and says nothing of his job
    answer = chat.ask("What is Kai Wang's title and who does he work for?")
    assert answer.refused and not answer.citations, answer.answer
    answer = chat.ask("What is Tiezhen Wang's title?")
    assert "machine learning engineer" in answer.answer, answer.answer


def test_a_word_of_a_product_name_typed_in_lower_case_names_that_product(chat: Chat) -> None:
    # "omni" is Qwen2.5-Omni-7B's: its article, not the Qwen-VL one, says how it helps the visually impaired
    answer = chat.ask("how does the omni model help visually impaired ppl")
    assert "audio descriptions" in answer.answer, answer.answer
    assert_citations_verifiable(answer)
    assert chat.analyse("can i chat with qwen").parts[0].names == ("Qwen",)  # an English word stays as typed


def test_what_a_model_takes_in_or_supports_is_what_it_handles(chat: Chat) -> None:
    answer = chat.ask("What kinds of stuff can that all-in-one Alibaba model take in?")
    assert "text, images, audio, and even video" in answer.answer, answer.answer
    assert_citations_verifiable(answer)
    answer = chat.ask("what input types does it support", _conversation(chat, "What is Qwen2.5-Omni-7B?"))
    assert "text, images, audio, and even video" in answer.answer, answer.answer


def test_a_question_far_in_meaning_from_its_passage_passes_the_gate_by_a_name_only_that_article_gives(
    chat: Chat,
) -> None:
    # the quote passage is far from the question in meaning (cosine below the gate's floor) but names the college
    answer = chat.ask("who from king's college london is quoted and what did they say?")
    assert "Xin Sun" in answer.answer, answer.answer
    assert_citations_verifiable(answer)


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        pytest.param(
            "what was the exact headline of the author's earlier piece that the Qwen2-VL article refers back to?",
            "China's Recent AI Surge Challenges US Dominance",  # none of headline/earlier/refers is in its sentence
            id="a-title-quoted-in-the-article-asked-about-answers-its-headline",
        ),
        pytest.param(
            "Who produced the comparison of the best Chinese open-weight models against their strongest US rivals?",
            "UnderstandingAI.org provides a comparative analysis",
            id="who-produced-a-piece-of-work-is-who-provides-it",
        ),
        pytest.param(
            "where is alibaba dropping its models, like which sites",
            "platforms like Hugging Face and GitHub",
            id="a-model-dropped-is-one-released",
        ),
    ],
)
def test_a_question_worded_otherwise_than_its_answer_is_answered_by_it(chat: Chat, question: str, quoted: str) -> None:
    answer = chat.ask(question)
    assert quoted in answer.answer, answer.answer
    assert_citations_verifiable(answer)


def test_each_of_two_articles_asked_about_by_their_subject_answers_on_its_own(chat: Chat) -> None:
    # "two" and "each" say how many articles, not what they are about; the Omni piece holds "visually impaired"
    # but not "help" or "users", and still covers the subject
    answer = chat.ask(
        "Two of the Alibaba articles mention help for visually impaired users - how does each describe it?"
    )
    assert "read the labels aloud" in answer.answer and "audio descriptions" in answer.answer, answer.answer
    assert_citations_verifiable(answer)


def test_asked_whether_the_article_gives_something_asks_for_that_thing() -> None:
    parts = analyse("Does the article name that Baidu model or give the date of its release?").parts
    assert [p.kind for p in parts] == ["which", "when"]
    assert parts[0].named
    assert analyse("Did the article say how these models could help blind people?").parts[0].kind == "how"
    # whether the article mentions something, or says that something is so, is still asked yes or no
    assert analyse("Does the article mention DeepSeek?").parts[0].kind == "yes_no"
    assert analyse("Did the article really say Alibaba only offers open-source models?").parts[0].kind == "yes_no"


def test_asked_whether_the_article_discloses_what_it_never_gives_is_refused(chat: Chat) -> None:
    history = _conversation(chat, "What did Alibaba and Meta agree to, according to the arms race article?")
    answer = chat.ask("Does the article disclose the financial terms of that agreement?", history)
    assert answer.refused and not answer.citations, answer.answer


def test_benchmarks_asked_for_by_name_are_refused_where_the_articles_name_none(chat: Chat) -> None:
    # "in several critical benchmarks" mentions some, names none
    for question in (
        "What were Qwen2-VL's actual scores vs GPT-4V, and on which named benchmarks?",
        "Does the author of the Qwen2-VL article identify by name which specific benchmarks those were?",
    ):
        answer = chat.ask(question)
        assert answer.refused and not answer.citations, answer.answer


def test_a_guess_at_the_answer_asks_nothing_of_its_own(chat: Chat) -> None:
    question = "How many Nvidia chips did the Chinese companies manage to stockpile? Thousands?"
    assert [p.kind for p in analyse(question).parts] == ["how_many"]
    answer = chat.ask(question)
    assert answer.refused and not answer.citations, answer.answer


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("Who does the Qwen2-VL article say is redrawing the finish line?", "redrawn by new frontrunners"),
        # whom a claim is attributed to need not be named
        (
            "To whom does the article about Qwen's popularity attribute its claim that China is often outpacing "
            "American counterparts?",
            "according to industry analysts",
        ),
    ],
)
def test_who_does_something_is_answered_by_whom_it_is_done_or_said_by(chat: Chat, question: str, quoted: str) -> None:
    answer = chat.ask(question)
    assert quoted in answer.answer, answer.answer
    assert_citations_verifiable(answer)


def test_a_country_named_in_two_words_is_one_name_found_by_its_other_names(chat: Chat) -> None:
    assert names("Why is the United States restricting China's access?") == ["United States", "China"]
    answer = chat.ask("What reason does the article give for the United States restricting China's access to chips?")
    assert "national security" in answer.answer, answer.answer  # "With the U.S. restricting ..."
    assert_citations_verifiable(answer)


def test_where_an_article_says_something_is_answered_by_what_it_says_there(chat: Chat) -> None:
    answer = chat.ask("In the Qwen2-VL article, where does the author say AI raises national security issues?")
    assert "national security considerations" in answer.answer, answer.answer
    assert_citations_verifiable(answer)


@pytest.mark.parametrize(
    ("question", "listed"),
    [
        ("How many key focus areas does the author recommend for the West, and what are they?", "top AI talent"),
        ("How many types of input can Qwen2.5-Omni-7B process in real time, and which?", "audio"),
    ],
)
def test_how_many_things_and_which_asks_for_the_list_that_counts_them(chat: Chat, question: str, listed: str) -> None:
    assert [p.kind for p in analyse(question).parts] == ["list"]
    answer = chat.ask(question)
    assert listed in answer.answer, answer.answer


def test_the_end_of_a_hyphenated_product_name_names_that_product(chat: Chat) -> None:
    answer = chat.ask("What can Omni-7B process?")  # "Qwen2.5-Omni-7B", by the end of its name
    assert not answer.refused and "002_f9dec77134c0a174.txt" in {c.source for c in answer.citations}, answer.answer


def test_a_name_typed_a_letter_off_is_read_as_the_articles_spell_it(chat: Chat) -> None:
    from rag.names import Respeller

    def unknown(word: str) -> bool:
        return word.lower() in ("tiezen", "triollo", "kwen", "claude")

    names = ["Tiezhen", "Triolo", "Qwen", "Claudi", "Clause"]
    respelled = Respeller(names)
    assert respelled("who is Tiezen Wang? and Kwen?", unknown) == "who is Tiezhen Wang? and Qwen?"
    assert respelled("Did Claude beat it?", unknown) == "Did Claude beat it?"  # two names as near: neither
    answer = chat.ask("Paul Triollo work where?")
    assert "DGA Group" in answer.answer, answer.answer


def test_an_abbreviation_is_typed_as_meant_not_a_name_typed_off(chat: Chat) -> None:
    analysis = chat.analyse("which two Qwen VLMs did alibaba open-source in the first piece?")
    assert "VLMs" in analysis.parts[0].text and "LLMs" not in analysis.parts[0].text  # a name a letter off is respelled
    assert "Tiezhen" in chat.analyse("who is Tiezen Wang?").parts[0].text


def test_a_name_typed_as_the_capitals_that_shorten_it_is_read_as_that_name(chat: Chat) -> None:
    from rag.names import Abbreviations

    shorten = Abbreviations(
        ["Alibaba", "Alibaba Cloud", "Nvidia", "Google", "Google Bard", "Hugging Face", "Lux Capital"]
    )
    assert shorten("BABA x NVDA, GOOG and HF", lambda w: True) == "Alibaba x Nvidia, Google and Hugging Face"
    # a word that only goes on a compound name is none of its own, and a shouted question shortens nothing
    assert shorten("CATL batteries", lambda w: True) == "CATL batteries"
    assert shorten("WHO MADE BABA", lambda w: True) == "WHO MADE BABA"
    assert "Alibaba" in chat.analyse("what unit is BABA spinning off").parts[0].text
    assert "United States" not in chat.analyse("which US model are they challenging?").parts[0].text  # "us", a word
    answer = chat.ask("BABA x META deal - what is it")
    assert not answer.refused and "Llama 2" in answer.answer, answer.answer


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("NVDA china revenue hit from the export ban, $?", "how_much"),  # a currency sign for a word asks a sum
        ("qwen total downloads on HF?", "how_many"),  # a total is a count
    ],
)
def test_a_sum_asked_by_its_sign_or_a_total_asked_is_a_figure(chat: Chat, question: str, kind: str) -> None:
    assert chat.analyse(question).parts[0].kind == kind  # (", $?" is read in question order: "what is the $ of")


def test_which_things_specifically_asks_for_them_by_name(chat: Chat) -> None:
    history = _conversation(chat, "qwen2-vl beat GPT-4V?")
    answer = chat.ask("which benchmarks specifically?", history)
    assert answer.refused and not answer.citations, answer.answer


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What share of all Hugging Face downloads does Qwen account for?", "how_many"),
        ("What percentage of Alibaba's total revenue comes from Alibaba Cloud?", "how_many"),
        ("so what's the actual parameter count?", "how_many"),
        (
            "What is the official name of the Chinese government AI regulations mentioned in the Franklin Manuel "
            "article?",
            "which",
        ),
    ],
)
def test_a_share_a_count_or_an_official_name_asked_is_refused_where_none_is_given(
    chat: Chat, question: str, kind: str
) -> None:
    assert analyse(question).parts[0].kind == kind
    history = _conversation(chat, "How big is Llama 2?") if "count" in question else []
    answer = chat.ask(question, history)
    assert answer.refused and not answer.citations, answer.answer


@pytest.mark.parametrize(
    "question", ["what does the 7B in qwen2.5-omni-7b stand for?", "What does the name 'Qwen' actually stand for?"]
)
def test_what_a_name_or_a_piece_of_one_stands_for_is_refused_where_the_articles_never_spell_it_out(
    chat: Chat, question: str
) -> None:
    from rag.answer.evidence import acronym_asked

    assert acronym_asked(question) in ("7B", "QWEN") and acronym_asked("What do they stand for?") is None
    answer = chat.ask(question)
    assert answer.refused and not answer.citations, answer.answer


def test_an_example_asked_after_a_definition_is_one_of_the_thing_defined(chat: Chat) -> None:
    answer = chat.ask("what are edge devices? give an example")
    assert "mobile phones" in answer.answer and "DeepSeek" not in answer.answer, answer.answer
    assert {c.source for c in answer.citations} == {"002_f9dec77134c0a174.txt"}


@pytest.mark.parametrize(
    ("question", "kind", "focus"),
    [
        # the noun a clause of its own follows ("the date Alibaba released ...") is what is asked
        ("What is the exact date Alibaba released Qwen-VL and Qwen-VL-Chat?", "when", ("date",)),
        # "Which ..." as typed with a capital, the verb's subject a name: the asked noun runs to the name
        ("Which benchmarks Qwen2-VL beat GPT-4V on?", "which", ("benchmark",)),
        ("Which business moves by Alibaba Cloud do the articles describe?", "which", ("busi", "move")),
    ],
)
def test_the_asked_noun_is_found_before_a_clause_whose_subject_is_a_name(
    question: str, kind: str, focus: tuple[str, ...]
) -> None:
    part = analyse(question).parts[0]
    assert (part.kind, part.focus) == (kind, focus)


def test_specific_things_asked_before_a_clause_about_a_name_are_asked_for_by_name(chat: Chat) -> None:
    part = analyse("Which specific benchmarks Qwen2-VL beat GPT-4V on?").parts[0]
    assert part.specific == "benchmark"
    answer = chat.ask("Which specific benchmarks Qwen2-VL beat GPT-4V on?")
    assert answer.refused and not answer.citations, answer.answer


def test_an_article_named_by_its_topic_ends_where_the_article_does_something() -> None:
    from rag.articles_named import article_references

    assert article_references("Does the article on Qwen2.5-Omni raise any concerns about users' privacy?") == [
        ("Qwen2.5-Omni",)
    ]
    assert article_references("the article about China catching up to the US") == [
        ("China", "catching", "up", "to", "US")
    ]


def test_the_name_of_a_thing_where_something_happened_is_that_things_name(chat: Chat) -> None:
    # a leaderboard is no product (nor a leader): its name is any name, "Hugging Face Open LLM Leaderboard"
    part = analyse("What's the name of the leaderboard where Alibaba's Qwen models showed up in the top ten?").parts[0]
    assert part.kind == "which" and not part.named
    answer = chat.ask("What's the name of the leaderboard where Alibaba's Qwen models showed up in the top ten?")
    assert "Hugging Face Open LLM Leaderboard" in answer.answer, answer.answer


def test_things_called_out_are_things_said_not_a_name_asked_for(chat: Chat) -> None:
    assert not analyse("list Qwen-VL-Chat capabilities called out").parts[0].named
    assert analyse("what is Baidu's new model called?").parts[0].named
    answer = chat.ask("list Qwen-VL-Chat capabilities called out")
    assert "street signs" in answer.answer and "math equations" in answer.answer, answer.answer


def test_a_measure_set_against_anothers_is_answered_by_a_ratio(chat: Chat) -> None:
    answer = chat.ask("llama 2 vs alibaba's qwen-vl models, size delta?")
    assert not answer.refused and "ten times larger" in answer.answer, answer.answer
    # ... and a count asked is still no ratio
    assert chat.ask("How many times has Qwen been downloaded?").refused


def test_a_deal_struck_is_an_agreement_reached(chat: Chat) -> None:
    from rag.question import relation_groups

    assert relation_groups("struck") & relation_groups("reach")
    history = _conversation(chat, "What's the Alibaba–Meta Llama 2 arrangement?")
    answer = chat.ask("when was that struck?", history)
    assert "Earlier this year" in answer.answer, answer.answer


def test_which_articles_say_something_asks_for_the_articles_and_any_sentence_on_it_answers(chat: Chat) -> None:
    # the article is what is asked ("bring up" is a verb, not the asked noun), and the sentence naming DeepSeek in
    # each article answers, though it names nothing else
    part = analyse("which articles bring up DeepSeek?").parts[0]
    assert part.kind == "what" and not part.focus
    answer = chat.ask("which articles bring up DeepSeek?")
    assert "Beyond DeepSeek" in answer.answer and "DeepSeek moment" in answer.answer, answer.answer
    assert {c.source for c in answer.citations} == {"002_f9dec77134c0a174.txt", "004_ad83150bec543e7f.txt"}


def test_the_one_about_something_names_an_article_once_the_question_has_named_one() -> None:
    from rag.articles_named import article_references

    assert article_references("Both the first article and the Qwen2.5-Omni one help blind people. how?") == [
        ("#1",),
        ("Qwen2.5-Omni",),
    ]
    assert article_references("The first article and the one about Qwen's popularity both contrast it with X") == [
        ("#1",),
        ("Qwen", "popularity"),
    ]
    assert article_references("Is Qwen-VL the best one?") == []  # no article named: "one" is any one


def test_the_owner_of_a_named_thing_only_says_whose_it_is(chat: Chat) -> None:
    # 004 mentions Llama 2 but never Meta: it still covers "Meta's Llama 2"
    answer = chat.ask("Two of the articles mention Meta's Llama 2 - what context does each bring it up in?")
    assert "ten times larger" in answer.answer and "challenging the dominance" in answer.answer, answer.answer
    assert_citations_verifiable(answer)


def test_a_name_set_before_the_asked_noun_names_that_thing(chat: Chat) -> None:
    # "its Blackwell-based systems" names the systems, though "Blackwell" has no digit nor inner capital
    answer = chat.ask("what are the new Nvidia systems called that China legally can't get?")
    assert not answer.refused and "Blackwell-based systems" in answer.answer, answer.answer


def test_that_last_article_is_the_last_one_by_place() -> None:
    from rag.articles_named import article_references

    assert article_references("which news outlets does that last article lean on?") == [("#-1",)]


def test_a_hedged_paraphrase_is_answered_by_what_it_paraphrases(chat: Chat) -> None:
    # "basically", "somebody": hedges and anyone at all, not words a passage must hold
    answer = chat.ask(
        "So what's the military worry here - is it basically that somebody else could repurpose the tech?"
    )
    assert not answer.refused and "weaponization" in answer.answer, answer.answer


def test_an_articles_section_headings_are_listed_in_the_order_written(chat: Chat) -> None:
    answer = chat.ask("What section headings does the Qwen2-VL vs GPT-4V article use?")
    headings = ["The Rapid Shift in AI Landscape", "Implications for Global AI Competition", "Looking Ahead"]
    assert all(h in answer.answer for h in headings), answer.answer
    assert [answer.answer.index(h) for h in headings] == sorted(answer.answer.index(h) for h in headings)
    assert {c.source for c in answer.citations} == {"001_7aaf47b449a52241.txt"}
    assert_citations_verifiable(answer)
    # the byline at the head of an article and the page's furniture are no headings
    byline = chat.ask("Can you list the section headings in Franklin Manuel's article?")
    assert "Open-Source: Fueling Innovation" in byline.answer and "- Franklin Manuel" not in byline.answer
    assert "Share This Article" not in byline.answer, byline.answer
    # ... and "headings only is fine" says how to answer, not what
    assert not analyse("list the implications as the author lays them out, headings only is fine").parts[0].headings


def test_who_did_a_comparison_is_answered_by_whoever_provides_the_comparative_analysis(chat: Chat) -> None:
    # "comparison" and "comparative" are one word's family ("compar" + "ison")
    history = _conversation(chat, "which chinese open-weight models are competing with llama 2?")
    answer = chat.ask("who did that comparison?", history)
    assert "UnderstandingAI.org" in answer.answer, answer.answer


def test_numbered_sub_questions_are_each_asked_on_their_own(chat: Chat) -> None:
    from rag.preamble import unnumbered

    assert unnumbered("1. Who wrote it? 2. When?") == "Who wrote it? When?"
    assert unnumbered("What is Qwen 2.5? It costs 3.5 dollars.") == "What is Qwen 2.5? It costs 3.5 dollars."
    analysis = chat.analyse(
        "Llama 2 is mentioned in more than one article. (a) According to the article on the AI arms race, how much "
        "larger is it than Alibaba's models? (b) According to the Archyworldys article, which Chinese models "
        "challenge its dominance?"
    )
    # where to look is no topic ("the dominance of According to ..."), and a statement before a question's "According
    # to ..." is no part of its own
    assert len(analysis.parts) == 2 and "(b)" not in analysis.standalone, analysis.parts
    assert "dominance of According" not in analysis.standalone
    # ... and "According to Franklin Manuel, are X closed, proprietary systems?" is one question, not "what is the
    # proprietary systems of According to Franklin Manuel"
    closed = chat.analyse("According to Franklin Manuel, are Qwen-VL and Qwen-VL-Chat closed, proprietary systems?")
    assert [p.kind for p in closed.parts] == ["yes_no"] and closed.article == ("Franklin", "Manuel")


def test_a_date_near_in_meaning_but_of_another_event_does_not_answer_when(chat: Chat) -> None:
    # "Almost two months to the day since I first reported on China catching up ..." is the author's report's time
    answer = chat.ask("When did China's comprehensive AI regulations take effect?")
    assert answer.refused and not answer.citations, answer.answer


def test_who_ran_a_comparison_asks_who_made_it_not_where_it_was_published(chat: Chat) -> None:
    assert not analyse("who ran that comparison").parts[0].publisher
    assert analyse("who ran the Omni piece?").parts[0].publisher
    history = _conversation(chat, "which chinese open-weight models rival llama 2?")
    answer = chat.ask("who ran that comparison", history)
    assert "UnderstandingAI.org" in answer.answer and "Discover more" not in answer.answer, answer.answer
    # ... while who runs an institute asks who leads it, which the articles never say
    assert chat.ask("Who runs the Stanford institute mentioned in the Archyworldys piece?").refused


def test_a_plus_joins_two_asks_even_when_the_second_has_a_question_word(chat: Chat) -> None:
    from rag.parts import split_parts

    assert split_parts("new Alibaba Omni model - ticker-style name + what inputs it handles") == [
        "new Alibaba Omni model - ticker-style name",
        "what inputs it handles",
    ]
    answer = chat.ask("new BABA omni model - ticker-style name + what inputs it handles")
    assert not answer.refused and "Qwen2.5-Omni-7B" in answer.answer, answer.answer
