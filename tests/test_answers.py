"""Cited answers from the extractive answerer: verifiable footnotes, plain refusals, follow-ups."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from rag.chat import Chat
from rag.cite import cite
from rag.errors import BadQuestion
from rag.types import Answer, AnswerDelta, Turn
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


def _conversation(chat: Chat, *questions: str) -> list[Turn]:
    """The turns of a conversation that asked these questions, each with the answer it got."""
    history: list[Turn] = []
    for q in questions:
        history += [Turn("user", q), Turn("assistant", chat.ask(q, history).answer)]
    return history


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
    assert set(data["citations"][0]) == citation | {"page", "page_end", "page_lines"}
    passage = {"source", "title", "start_line", "end_line", "score", "text", "trust", "flags", "page"}
    assert set(data["passages"][0]) == passage
    # Text files have no pages (PDF citations do: tests/test_formats.py).
    assert data["citations"][0]["page"] is None and data["passages"][0]["page"] is None
    assert data["timings_ms"]["total"] > 0


@pytest.mark.parametrize(
    "question",
    ["Who won the 2022 FIFA World Cup?", "What is the capital of Australia?", "When will Qwen4 be released?"],
)
def test_questions_the_corpus_cannot_answer_are_refused_with_closest_matches(chat: Chat, question: str) -> None:
    answer = chat.ask(question)
    assert answer.refused and answer.citations == ()
    assert "don't say" in answer.answer and len(answer.passages) > 0


def test_markers_are_renumbered_in_order_of_use_and_unsupported_claims_flagged(chat: Chat) -> None:
    passages = chat.search("How big is Llama 2 vs Qwen-VL?", top_k=5)
    cited = cite("Llama 2 is ten times larger than Alibaba's models [3]. Penguins dance on Mars [1].", passages)
    assert [c.n for c in cited.citations] == [1, 2]
    assert cited.text.startswith("Llama 2 is ten times larger than Alibaba's models [1].")
    assert any("Penguins" in s for s in cited.unsupported)


def test_a_citation_covers_the_lines_of_every_sentence_quoted_under_its_marker() -> None:
    from rag.types import Passage

    text = "Q: What is the main benefit of it?\nA: The main benefit is faster innovation for all.\nOther line here."
    p = Passage("faq.txt", "FAQ", 0, 10, 12, 0, len(text), text, 1.0)
    cited = cite("Q: What is the main benefit of it? A: The main benefit is faster innovation for all. [1]", [p])
    (c,) = cited.citations
    assert (c.start_line, c.end_line) == (10, 11) and c.quote.startswith("Q: What is the main benefit")


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
    assert deltas and not isinstance(final, AnswerDelta)
    assert "".join(d.text for d in deltas) == final.answer
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


def test_after_warming_a_question_embeds_no_sentence_of_the_corpus_again(chat: Chat) -> None:
    from rag.answer.extractive import ExtractiveAnswerer

    embedded: list[str] = []

    def counting(texts: Sequence[str]) -> list[list[float]]:
        embedded.extend(texts)
        return chat.retriever.embedder.embed_queries(texts)

    fresh = ExtractiveAnswerer(counting)
    fresh.warm(str(p["text"]) for _, p in chat.retriever.store.scroll_payloads(["text"]))
    warmed = len(embedded)
    other = Chat(retriever=chat.retriever, extractive=fresh, top_k=chat.top_k)
    answer = other.ask("How big is Llama 2 vs Qwen-VL?")  # its sentences are ranked in context too
    assert warmed > 100 and not answer.refused and embedded[warmed:] == [], embedded[warmed:][:3]


def test_a_sentence_ranks_by_its_meaning_after_the_one_before_but_answers_only_by_its_own() -> None:
    from rag.answer.evidence import Scored, judge, with_previous
    from rag.cite import Sentence
    from rag.question import Part

    text = "Kestrel's models read medical scans. For instance, they can spot a fracture."
    second = Sentence("For instance, they can spot a fracture.", 37, len(text))
    assert with_previous(text, second) == text
    assert with_previous(text, Sentence("Kestrel's models read medical scans.", 0, 36)).startswith("Kestrel's")
    part = Part("Could Kestrel help hospitals?", "yes_no", terms=("hospit",))

    def judged(context: float) -> tuple[float, float]:
        e = judge(
            part,
            part.text,
            Scored(1, second, None, 0.2, context),
            {"hospit": 1.0},
            rank_nudge=0.0,
            said_before=False,
            trust_weight=1.0,
            dense_weight=0.5,
        )
        return e.score, e.dense

    (in_context, own), (alone, _) = judged(0.7), judged(0.0)
    assert in_context > alone and own == 0.2  # ranked higher; accepted (or not) on its own cosine


# -- question analysis, evidence per part, one stream --------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("Who wrote the arms race article?", ["who"]),
        ("When did Baidu show off its model?", ["when"]),
        ("How much is Alibaba Cloud investing in AI?", ["how_much"]),
        ("How many top-10 spots did Qwen take?", ["how_many"]),
        ("How big is Llama 2 vs Qwen-VL?", ["compare"]),
        ("Summarize the article about Qwen2.5-Omni.", ["summary"]),
        ("What's the hook in the Qwen2-VL story?", ["summary"]),  # the point that pulls a reader in
        ("What's the bottom line of the Omni piece?", ["summary"]),
        ("List the models Alibaba released according to the articles.", ["list"]),
        ("Does China's AI progress have national security implications?", ["yes_no"]),
        ("Why do Chinese AI companies want their models used outside China?", ["why"]),
        ("What is Qwen2.5-Omni-7B and who made it?", ["definition", "who"]),
        ("Which university is Xin Sun at? And when did he say it?", ["which", "when"]),
        ("Which firm shipped more than 40,000 robots this year?", ["who"]),  # a count, not a comparison
        ("What is the name of the harbour festival in Bergen?", ["which"]),  # a name answers, not a person
        ("What is the name of the chief executive of Kestrel Labs?", ["who"]),
        ("Which athlete was named the league's best player?", ["which"]),  # named as, not mentioned: no list
        ("Which site compares the city's two bridges?", ["which"]),  # the site compares; the site is asked
        ("Who compared the two bridges?", ["who"]),
        ("What score did the new model get compared with the old one?", ["how_many"]),  # a figure is asked
    ],
)
def test_question_analysis_finds_the_asked_type_of_each_part_in_order(question: str, kinds: list[str]) -> None:
    from rag.question import analyse

    assert [p.kind for p in analyse(question).parts] == kinds


def test_a_clause_without_a_question_word_is_not_a_part_of_its_own() -> None:
    from rag.question import analyse

    parts = analyse("Apart from Alibaba, which Chinese AI developers get mentioned?").parts
    assert len(parts) == 1 and parts[0].kind == "list"


def test_follow_up_takes_its_subject_from_the_earlier_question_not_the_answer() -> None:
    from rag.question import analyse

    history = [Turn("user", "What is Qwen2-VL?"), Turn("assistant", "Meta's Llama 2 is ten times larger [1].")]
    analysis = analyse("And how does it compare with GPT-4V?", history)
    assert analysis.follow_up and "Qwen2-VL" in analysis.standalone
    assert "Llama" not in analysis.standalone and "Meta" not in analysis.standalone
    ellipsis = analyse("What about DeepSeek?", [Turn("user", "How big is Llama 2?")])
    assert "DeepSeek" in ellipsis.standalone and "Llama" not in ellipsis.standalone and "big" in ellipsis.standalone


def test_a_follow_up_stays_in_the_named_article_without_taking_its_name_for_the_subject() -> None:
    from rag.question import analyse, article_reference

    history = [Turn("user", "Which other company unveiled a model, per the Omni article?")]
    analysis = analyse("When did they do that?", history)
    assert analysis.follow_up and analysis.article == ("Omni",)
    assert "Omni" not in analysis.parts[0].names and "unveil" in analysis.parts[0].subject
    # "the op-ed about X say ..." names its article by X alone
    assert article_reference("What does the op-ed about Qwen2-VL say China has achieved?") == ["Qwen2-VL"]


def test_the_marker_stream_releases_checked_sentences_that_join_to_the_final_text(chat: Chat) -> None:
    from rag.cite import MarkerStream

    passages = chat.search("How big is Llama 2 vs Qwen-VL?", top_k=5)
    stream = MarkerStream(passages)
    raw = "Llama 2 is larger [3]. It is open [3][9] and cited [1]. Trailing claim [2]"
    pieces = [stream.feed(raw[i : i + 4]) for i in range(0, len(raw), 4)] + [stream.close()]
    assert "".join(pieces) == stream.text == "Llama 2 is larger [1]. It is open [1] and cited [2]. Trailing claim [3]"
    assert [p.source for p in stream.cited] == [passages[2].source, passages[0].source, passages[1].source]


def test_every_streamed_answer_is_exactly_the_final_answer_with_no_dangling_marker(chat: Chat) -> None:
    from rag.evaluate import dangling_markers

    for question in (
        "How big is Llama 2 vs Qwen-VL?",
        "What is Qwen2.5-Omni-7B and who made it?",
        "Summarize the article about Qwen2.5-Omni.",
        "Who won the 2022 FIFA World Cup?",
    ):
        items = list(chat.stream(question))
        final = items[-1]
        assert isinstance(final, Answer)
        assert "".join(i.text for i in items if isinstance(i, AnswerDelta)) == final.answer
        assert dangling_markers(final.answer, [c.public() for c in final.citations]) == 0
        assert_citations_verifiable(final)


def test_a_multi_part_question_gets_a_paragraph_per_part_in_the_order_asked(chat: Chat) -> None:
    answer = chat.ask("How much is Alibaba Cloud investing in AI, and who is Tiezhen Wang?")
    assert not answer.refused and "\n\n" in answer.answer
    assert "$53 billion" in answer.answer and "machine learning engineer" in answer.answer
    assert answer.answer.index("$53 billion") < answer.answer.index("machine learning engineer")
    assert_citations_verifiable(answer)


def test_a_part_the_articles_do_not_cover_is_said_while_the_other_is_answered(chat: Chat) -> None:
    answer = chat.ask("Which Nvidia systems can't be exported to China, and how many parameters does Qwen-VL have?")
    assert not answer.refused and "Blackwell" in answer.answer
    assert "don't say" in answer.answer and "parameters" in answer.answer
    assert_citations_verifiable(answer)


def test_a_number_question_whose_figure_the_articles_never_give_is_refused(chat: Chat) -> None:
    answer = chat.ask("How many people work at Alibaba Cloud?")
    assert answer.refused and answer.citations == () and "don't say" in answer.answer


def test_a_summary_quotes_key_sentences_of_that_article_in_document_order(chat: Chat) -> None:
    answer = chat.ask("Summarize the article about Qwen2.5-Omni-7B.")
    assert not answer.refused and {c.source for c in answer.citations} == {"002_f9dec77134c0a174.txt"}
    text = (SEEDS / "002_f9dec77134c0a174.txt").read_text(encoding="utf-8")
    starts = [text.index(c.quote) for c in answer.citations]
    assert starts == sorted(starts) and len(answer.answer) > 200


def test_a_summary_picks_key_sentences_that_name_the_articles_particulars(chat: Chat) -> None:
    # central sentences say "the AI race"; a summary a reader can use names who and what: each pick that names
    # something the others have not gains
    answer = chat.ask("Summarize the article about Qwen's popularity and chip sanctions")
    assert {c.source for c in answer.citations} == {"003_86bf600701711a59.txt"}
    for particular in ("Huawei", "Nvidia", "Blackwell", "Lux Capital", "DGA Group"):
        assert particular in answer.answer, answer.answer


def test_a_summary_keeps_the_articles_conclusion_beside_its_lead(chat: Chat) -> None:
    # an opinion piece states its case in its lead and its closing paragraph, not in its FAQ or its sign-off
    answer = chat.ask("Give me the gist of the Archyworldys piece on Chinese open-source models.")
    assert {c.source for c in answer.citations} == {"004_ad83150bec543e7f.txt"}
    assert "wake-up call for the US" in answer.answer and "Subscribe" not in answer.answer, answer.answer


def test_a_summary_of_all_articles_cites_every_article(chat: Chat) -> None:
    answer = chat.ask("Summarize the five articles.")
    assert {c.source for c in answer.citations} == {p.name for p in SEEDS.iterdir()}


def test_an_answer_never_opens_mid_thought(chat: Chat) -> None:
    from rag.answer.evidence import leans

    for q in ("How big is Llama 2 vs Qwen-VL?", "Could Alibaba's vision models be useful in medicine?"):
        answer = chat.ask(q)
        assert not leans(answer.answer), answer.answer


@pytest.mark.parametrize("question", ["How big is Llama2 vs QwenVL?", "How big is Llama-2 vs Qwen VL?"])
def test_a_name_written_another_way_finds_the_same_answer(chat: Chat, question: str) -> None:
    answer = chat.ask(question)
    assert not answer.refused and "ten times larger" in answer.answer, answer.answer
    assert answer.answer.startswith("Despite"), answer.answer  # with the sentence "For instance" leans on


def test_an_acronym_stands_for_the_capitalized_phrase_it_abbreviates(chat: Chat) -> None:
    from rag.retrieval.corpus import acronyms

    assert "faq" in acronyms("Frequently Asked Questions About China’s AI Development")
    answer = chat.ask("Summarize the FAQ section at the end of the Archyworldys article.")
    assert not answer.refused and {c.source for c in answer.citations} == {"004_ad83150bec543e7f.txt"}


def test_a_follow_up_about_someone_the_articles_barely_mention_is_refused_not_answered_from_another(
    chat: Chat,
) -> None:
    first = chat.ask("What does Kai Wang say?")
    history = [Turn("user", "What does Kai Wang say?"), Turn("assistant", first.answer)]
    answer = chat.ask("Where does he work?", history)
    assert answer.refused and not answer.citations, answer.answer  # "Tiezhen Wang" is another Wang


def test_a_list_of_ideas_brings_the_sentences_that_go_on_with_its_items(chat: Chat) -> None:
    answer = chat.ask("Which industries could use Qwen-VL and Qwen-VL-Chat?")
    assert "news organizations" in answer.answer and "healthcare" in answer.answer, answer.answer


def test_a_founding_date_is_not_answered_by_a_sentence_that_only_starts_alike(chat: Chat) -> None:
    answer = chat.ask("When was DeepSeek founded?")  # "foundational" is not "founded"
    assert answer.refused, answer.answer


def test_where_someone_works_is_answered_by_their_job_title(chat: Chat) -> None:
    answer = chat.ask("Where does Tiezhen Wang work?")
    assert not answer.refused and "engineer at Hugging Face" in answer.answer, answer.answer
    answer = chat.ask("Where does Xin Sun teach?")  # a lecturer teaches
    assert not answer.refused and "King’s College London" in answer.answer, answer.answer


def test_who_wrote_it_after_a_question_about_an_article_names_that_articles_author(chat: Chat) -> None:
    history = _conversation(chat, "Which article says Llama 2 is ten times larger than Alibaba's models?")
    answer = chat.ask("Who wrote it?", history)
    assert not answer.refused and "Franklin Manuel" in answer.answer, answer.answer
    assert {c.source for c in answer.citations} == {"000_238b3d5c562b5a75.txt"}


def test_a_summary_of_a_section_quotes_only_the_lines_under_its_heading(chat: Chat) -> None:
    source = "004_ad83150bec543e7f.txt"
    lines = (SEEDS / source).read_text(encoding="utf-8").split("\n")
    heading = next(i for i, line in enumerate(lines, 1) if line.startswith("Frequently Asked Questions"))
    answer = chat.ask("Summarize the FAQ section of the Archyworldys article.")
    assert answer.citations and {c.source for c in answer.citations} == {source}
    assert all(c.start_line > heading for c in answer.citations), answer.answer
    assert_citations_verifiable(answer)


def test_a_heading_of_names_alone_is_a_byline_not_a_section_to_summarize() -> None:
    from rag.answer.sections import section_asked
    from rag.types import Passage

    text = "Franklin Manuel\n\nA Competitive Landscape\n\nBaidu is not far behind in the race."
    p = Passage("a.txt", "A", 0, 1, 5, 0, len(text), text, 1.0)
    assert section_asked({"franklin", "manuel"}, {"franklin", "manuel"}, [p]) is None
    assert section_asked({"competit", "landscap", "omni"}, set(), [p]) == (3, 5)


def test_a_section_is_named_by_the_words_of_its_heading_the_question_repeats() -> None:
    from rag.answer.sections import section_asked
    from rag.types import Passage

    text = "Qwen Wins\nIt won.\nA Call to Action for the West\nAct now.\nLooking Ahead\nMore to come."
    p = Passage("a.txt", "A", 0, 1, 6, 0, len(text), text, 1.0)
    # capitalized, as a heading is typed, and with a stopword ("call") among its words
    asked = "Give me the main points of the Call to Action section in the Qwen article."
    assert section_asked({"action", "section"}, {"action"}, [p], asked) == (3, 4)
    # without saying it wants a section, a heading's words in a question's topic do not name it
    asked = "Summarize the Qwen article's call to action and what lies ahead"
    assert section_asked({"qwen", "action", "lie", "ahead"}, set(), [p], asked) is None
    # the title names the article, not a section of it
    assert section_asked({"qwen"}, set(), [p], "Summarize the Qwen Wins section") is None


def test_the_closing_paragraphs_are_the_articles_last_ones() -> None:
    from rag.answer.sections import section_asked
    from rag.types import Passage

    text = "Title Here\nOne.\nTwo.\n\nThree.\nFour.\nFive."
    p = Passage("a.txt", "A", 0, 1, 7, 0, len(text), text, 1.0)
    assert section_asked({"close", "paragraph"}, set(), [p], "Summarize the closing paragraphs") == (5, 7)
    assert section_asked({"final", "paragraph"}, set(), [p], "What does the final paragraph say?") == (7, 7)
    assert section_asked({"open", "paragraph"}, set(), [p], "Sum up the opening paragraph") == (2, 2)


def test_a_summary_of_a_section_named_in_title_case_quotes_its_lines(chat: Chat) -> None:
    source = "001_7aaf47b449a52241.txt"
    lines = (SEEDS / source).read_text(encoding="utf-8").split("\n")
    heading = next(i for i, line in enumerate(lines, 1) if line.startswith("A Call to Action"))
    end = next(i for i, line in enumerate(lines, 1) if line.startswith("Looking Ahead"))
    answer = chat.ask("Give me the main points of the Call to Action section in the Qwen2-VL article.")
    assert answer.citations and all(heading < c.start_line < end for c in answer.citations), answer.answer
    assert "increase investments" in answer.answer, answer.answer
    assert_citations_verifiable(answer)


def test_calls_to_share_or_subscribe_are_not_quoted_as_what_an_article_says(chat: Chat) -> None:
    answer = chat.ask("Summarize the Archyworldys article.")
    assert answer.citations
    assert not re.search(r"\b(Subscribe|Share this)\b", answer.answer), answer.answer


def test_a_summary_does_not_quote_a_sentence_twice(chat: Chat) -> None:
    for q in (
        "What are the main points about chips in the piece on Qwen's popularity?",
        "Summarize the five articles.",
    ):
        answer = chat.ask(q)
        sentences = [s for s in re.split(r"(?<=[.!?”])\s+(?:\[\d+\]\s*)?", answer.answer) if len(s) > 40]
        assert len(sentences) == len(set(sentences)), answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "Name every AI model the articles mention.",
        "What companies appear in the articles?",
        "Give me all the Chinese firms named in the articles.",
        "Who are the people quoted across the articles?",
    ],
)
def test_a_list_of_named_things_is_recognised_however_it_is_asked(question: str) -> None:
    from rag.question import analyse

    a = analyse(question)
    assert a.kind == "list" and a.parts[0].items_named and a.all_articles


def test_a_person_counts_as_a_list_item_where_they_speak_or_hold_a_job() -> None:
    from rag.answer.evidence import list_items

    said = "“Qwen is popular,” said Tiezhen Wang, a machine learning engineer at Hugging Face."
    assert list_items(said, people=True) == ["Tiezhen Wang"]
    assert "Hugging Face" in list_items(said)
    assert list_items("Collaborations with giants like Apple or partnerships with BMW.", people=True) == []


def test_a_list_of_people_quoted_quotes_only_sentences_that_quote_someone(chat: Chat) -> None:
    answer = chat.ask("Which experts are quoted across the articles?")
    assert not answer.refused and len(answer.citations) >= 3
    for name in ("Tiezhen Wang", "Xin Sun", "Isford", "Triolo"):
        assert name in answer.answer, answer.answer
    assert "BMW" not in answer.answer


def test_a_name_is_a_product_name_only_when_a_product_is_named() -> None:
    from rag.answer.evidence import holds
    from rag.question import analyse

    model = analyse("What is Kestrel's new vision model called?").parts[0]
    festival = analyse("What is the name of the festival Kestrel hosts in Bergen?").parts[0]
    assert model.named and not festival.named
    text = "Kestrel hosts Tidewater, a festival of sea music, in Bergen."
    assert holds(festival.kind, text, festival.text, product=festival.named)
    assert not holds(model.kind, text, model.text, product=model.named)  # "Tidewater" is no model's name
    assert holds(model.kind, "Its new model is Kestrel-V2.", model.text, product=model.named)


@pytest.mark.parametrize(
    ("question", "text", "answers"),
    [
        ("The bill passed by how much?", "The House passed the bill 352-65.", True),  # a margin
        ("How much did the bill cost?", "The House passed the bill 352-65.", False),  # money asked, none given
        ("How much did the bill cost?", "The bill will cost $4 billion.", True),
    ],
)
def test_how_much_wants_money_only_when_the_question_is_about_money(question: str, text: str, answers: bool) -> None:
    from rag.answer.evidence import holds

    assert holds("how_much", text, question) is answers


def test_a_place_name_answers_which_city_without_the_word_city(chat: Chat) -> None:
    from rag.answer import AnswerRequest
    from rag.answer.evidence import Scored, judge, part_weights
    from rag.cite import Sentence
    from rag.question import analyse
    from rag.types import Passage

    analysis = analyse("Which city did Kestrel Labs open an office in?")
    part = analysis.parts[0]
    text = "Kestrel Labs opened an office in Lisbon in 2024."
    passage = Passage("k.txt", "Kestrel", 0, 1, 1, 0, len(text), text, 1.0)
    corpus = chat.corpus()
    request = AnswerRequest(analysis=analysis, candidates=[passage], top_k=1, corpus=corpus)
    e = judge(
        part,
        part.text,
        Scored(1, Sentence(text, 0, len(text)), None, 0.5),
        part_weights(part, corpus.idf),
        rank_nudge=0.0,
        said_before=False,
        trust_weight=1.0,
        dense_weight=0.5,
    )
    assert part.kind == "where" and chat.extractive.rejection(part, e, request) is None


@pytest.mark.parametrize(
    ("text", "answers"),
    [
        ("It took two years to build.", True),
        ("Prices have climbed over the past year.", True),
        ("The rules have applied since 2023.", True),
        ("Labs have competed for decades.", True),
        ("The programme ran from 2019 to 2023.", True),
        ("The model was released last year.", False),  # a date, not how long
        ("The model is open source.", False),
    ],
)
def test_a_duration_is_a_count_of_time_or_a_span(text: str, answers: bool) -> None:
    from rag.answer.evidence import holds

    assert holds("duration", text, "How long has it taken?") is answers


def test_how_long_before_another_event_is_answered_by_the_last_week_or_month() -> None:
    from rag.answer.evidence import holds

    assert holds("duration", "Baidu unveiled its model just last week.", "How long before that did Baidu unveil it?")
    assert not holds("duration", "Baidu unveiled its model just last week.", "How long did it take to build?")


def test_a_sentence_that_introduces_a_list_with_a_colon_is_quoted_with_the_list(chat: Chat) -> None:
    answer = chat.ask("What implications of Qwen2-VL's emergence does the op-ed spell out?")
    assert not answer.refused
    for item in ("Shifting Balance of Power", "Accelerated Innovation", "National Security Concerns"):
        assert item in answer.answer, answer.answer


def test_a_labelled_line_runs_on_only_after_a_colon_or_another_labelled_line() -> None:
    from rag.answer.evidence import leaves_open, runs_on

    assert runs_on("It has far-reaching implications:", "Accelerated Innovation: Pressure spurs investment.")
    assert runs_on("Accelerated Innovation: Pressure spurs it.", "National Security Concerns: Speed raises them.")
    assert not runs_on("It has far-reaching implications.", "Accelerated Innovation: Pressure spurs investment.")
    assert leaves_open("Intro line.\nThe model has implications:") and not leaves_open("One. Two.")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What's the maximum image resolution the model can process?", "how_many"),
        ("What was the highest position the model reached on the leaderboard?", "how_many"),
        ("What is the highest priority for the company?", "definition"),
    ],
)
def test_an_extreme_of_a_measure_asks_for_a_figure(question: str, kind: str) -> None:
    from rag.question import analyse

    assert analyse(question).parts[0].kind == kind


def test_in_what_year_wants_a_year_not_a_relative_date() -> None:
    from rag.answer.evidence import holds

    assert holds("when", "The trial is set to start on March 4.", "Which month will the trial start?")
    assert not holds("when", "The trial starts next week.", "Which month will the trial start?")
    assert not holds("when", "Earlier this year, the firms agreed.", "In what year did the rules start?")
    assert holds("when", "In 2022 the rules began.", "In what year did the rules start?")
    assert holds("when", "Earlier this year, the firms agreed.", "When did the firms agree?")


def test_a_date_beside_one_common_word_of_the_question_does_not_answer_when(chat: Chat) -> None:
    # "advanced" in "... in the pursuit of AI advancements" is not "restricting access to chips"
    answer = chat.ask("In what year did the US start restricting China's access to advanced chips?")
    assert answer.refused, answer.answer


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("Where do Grace Isford and Xin Sun work?", 2),  # asked of each
        ("What does Alibaba making Qwen-VL and Qwen-VL-Chat open source let users do?", 1),  # done to both at once
        # ... after the topic it names first
        ("visually impaired use case - how do Qwen-VL and Qwen2.5-Omni each address it?", 2),
    ],
)
def test_a_pair_of_names_splits_a_question_only_when_it_is_what_is_asked_about(question: str, parts: int) -> None:
    from rag.parts import split_parts

    assert len(split_parts(question)) == parts


def test_a_pair_asked_of_each_is_answered_from_each_ones_article(chat: Chat) -> None:
    from rag.parts import split_parts

    # a dot inside a name ends nothing: "Qwen2.5-Omni" stays whole
    assert "Qwen2.5-Omni" in split_parts("how do Qwen-VL and Qwen2.5-Omni each address it?")[-1]
    answer = chat.ask("visually impaired use case - how do Qwen-VL and Qwen2.5-Omni each address it?")
    sources = {c.source for c in answer.citations}
    assert {"000_238b3d5c562b5a75.txt", "002_f9dec77134c0a174.txt"} <= sources, answer.answer


def test_who_is_answered_by_actors_named_by_role() -> None:
    from rag.answer.evidence import holds

    said = "It is crucial for governments, industry leaders, and researchers to strike a balance."
    assert holds("who", said, "Who needs to strike a balance?")
    assert not holds("who", "Researchers say the model is good.", "Who founded the lab?")


def test_months_weekdays_and_ordinals_are_when_a_question_asks_not_names_to_find() -> None:
    from rag.names import names

    asked = "Which event is Nvidia hosting in Dover, Delaware, from August 15th to August 18th on a Tuesday?"
    assert names(asked) == ["Nvidia", "Dover", "Delaware"]
    assert names("Why would under-16s be banned in the 1990s?") == []
    assert names("When did DeepSeek unveil R1 and Qwen2-VL?") == ["DeepSeek", "R1", "Qwen2-VL"]


def test_a_sentence_with_the_questions_own_figure_ranks_above_one_without() -> None:
    from rag.answer.evidence import Scored, judge
    from rag.cite import Sentence
    from rag.question import analyse

    part = analyse("Which carmaker recalled more than 114,000 cars?").parts[0]
    weights = {"recal": 1.0, "car": 1.0}

    def score(text: str) -> float:
        e = judge(
            part,
            part.text,
            Scored(1, Sentence(text, 0, len(text)), None, 0.5),
            weights,
            rank_nudge=0.0,
            said_before=False,
            trust_weight=1.0,
            dense_weight=0.5,
        )
        return e.score

    assert score("Volkswagen recalled 114,000 cars.") > score("Kia recalled 50,000 cars.")


def test_a_peoples_word_is_found_where_the_text_names_its_place() -> None:
    from rag.names import has_name, place_stems
    from rag.types import Passage

    text = "Masisi threatened to send 20,000 elephants from Botswana to Germany."
    passage = Passage("b.txt", "Elephants", 0, 1, 1, 0, len(text), text, 1.0)
    assert has_name("Botswanan", passage) and has_name("Germany", passage)
    assert not has_name("Namibian", passage) and not place_stems("GPT-5")
    assert {"korea", "japan", "iraq"} <= place_stems("Korean") | place_stems("Japanese") | place_stems("Iraqi")


def test_an_answer_does_not_run_on_into_a_sentence_that_turns_against_it(chat: Chat) -> None:
    answer = chat.ask("How much is Alibaba investing in AI?")
    assert "$53 billion" in answer.answer and "However" not in answer.answer, answer.answer


def test_a_sentence_opening_name_that_is_no_english_word_counts_as_a_name() -> None:
    from rag.answer.evidence import proper_names

    assert proper_names("Baidu is not far behind in the race.") == ["Baidu"]
    assert proper_names("Zorblax unveiled a model with Kestrel Labs.") == ["Zorblax", "Kestrel Labs"]
    # an English word, an inflection of one or a contraction opening a sentence names nothing
    assert proper_names("Despite the sanctions, firms progressed.") == []
    assert proper_names("Revolutionizing the field, Alibaba released Qwen.") == ["Alibaba", "Qwen"]
    assert proper_names("We’re told Senators agreed.") == ["Senators"]
    assert proper_names("Senators agreed.") == []


def test_a_list_of_named_things_takes_a_sentence_that_names_one_without_the_questions_words(chat: Chat) -> None:
    from rag.answer import AnswerRequest
    from rag.answer.evidence import Scored, judge, part_weights
    from rag.cite import Sentence
    from rag.question import analyse
    from rag.types import Passage

    corpus = chat.corpus()

    def rejection(question: str, text: str, dense: float) -> str | None:
        analysis = analyse(question)
        part = analysis.parts[0]
        assert part.items_named
        passage = Passage("k.txt", "Kestrel", 0, 1, 1, 0, len(text), text, 1.0)
        request = AnswerRequest(analysis=analysis, candidates=[passage], top_k=1, corpus=corpus)
        e = judge(
            part,
            part.text,
            Scored(1, Sentence(text, 0, len(text)), None, dense),
            part_weights(part, corpus.idf),
            rank_nudge=0.0,
            said_before=False,
            trust_weight=1.0,
            dense_weight=0.5,
        )
        return chat.extractive.rejection(part, e, request)

    named = "The Lisbon Herald echoes the urgency of the matter today."
    unnamed = "The paper echoes the urgency of the matter today."
    about = "Which news outlets do the articles cite on chip exports?"
    # no word of the question, a new name, near the question's meaning: an item of the list
    assert rejection(about, named, 0.3) is None
    # the same without a name, or far from the question's meaning, is not
    assert rejection(about, unnamed, 0.3) is not None
    assert rejection(about, named, 0.1) == "low support"
    # asked for nothing but the kind (within one article), any sentence naming one is an item
    kind_only = "Which news outlets does the Kestrel article cite?"
    assert rejection(kind_only, named, 0.1) is None
    assert rejection(kind_only, unnamed, 0.1) is not None


def test_a_sentence_does_not_end_at_a_title_or_at_an_abbreviation_before_a_figure() -> None:
    from rag.text import sentence_spans

    text = (
        "The 49ers face the Chiefs in Super Bowl LVIII on Feb. 11 in Las Vegas. It fell as low as No. 7 in 2012. "
        "Sen. Wyden and Gov. Newsom agreed. He left in Feb. Then he came back."
    )
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "The 49ers face the Chiefs in Super Bowl LVIII on Feb. 11 in Las Vegas.",
        "It fell as low as No. 7 in 2012.",
        "Sen. Wyden and Gov. Newsom agreed.",
        "He left in Feb.",
        "Then he came back.",
    ]


def test_a_list_asked_only_by_kind_gathers_the_things_of_that_kind_each_once(chat: Chat) -> None:
    answer = chat.ask("Which people are mentioned across the articles?")
    assert not answer.refused, answer.answer
    for name in ("Tiezhen Wang", "Xin Sun", "Triolo", "Isford"):
        assert name in answer.answer, answer.answer
    assert answer.answer.count("Isford") == 1  # "Isford pointed out" after "Grace Isford, partner at ..." adds no one
    assert "visually impaired" not in answer.answer  # the word "people" alone names no one


def test_a_list_of_a_kind_gathers_first_the_names_the_text_calls_that_kind() -> None:
    from rag.answer.evidence import typed_names

    texts = [
        "Kestrel Labs released the Falcon-3 model. Rivals such as Osprey and Harrier responded. "
        "Meanwhile Corvid-2, a small open-weight model, topped the chart, and Kestrel’s older models faded. "
        "Researchers at the Human-Centered AI Institute said Tern offers proprietary models as a service."
    ]
    found = ["Falcon-3", "Osprey", "Harrier", "Corvid-2", "Kestrel", "Kestrel Labs", "Tern", "AI"]
    found.append("Human-Centered AI Institute")
    assert typed_names(found, ["model"], texts) == {"falcon-3", "corvid-2"}
    # a people's word or a two-letter acronym describes the models, it names none
    assert typed_names(["Chinese", "AI", "Tern"], ["model"], ["Chinese AI models such as Tern lead."]) == {"tern"}
    assert typed_names(found, ["rival"], texts) == {"osprey", "harrier"}  # and what is listed with them
    # not "AI" inside a longer name; a name that says its kind is one
    assert typed_names(found, ["institut"], texts) == {"human-centered ai institute", "kestrel labs"}
    # a company is known by what it makes and puts out, a country is not
    made = [
        "Osprey GPUs power it.",
        "Harrier, far behind, having unveiled its model last week.",
        "Norway’s models",
        "Norwegian labs",
    ]
    assert typed_names(["Osprey", "Harrier", "Kenya"], ["compani"], made) == {"osprey", "harrier"}
    # a source is known by its reporting or its address
    said = ["Harbour Daily echoes the urgency.", "Tidewatch.org provides a comparison.", "Gull Labs built it."]
    assert typed_names(["Harbour Daily", "Tidewatch", "Gull Labs"], ["outlet"], said) == {"harbour daily", "tidewatch"}
    # set apart after a phrase about the kind: "the newest model in the Falcon line, the Falcon-4."
    assert typed_names(["Falcon-4"], ["model"], ["Kestrel shipped the newest model in the Falcon line, the Falcon-4."])


def test_a_name_with_a_version_number_is_one_name() -> None:
    from rag.answer.evidence import proper_names

    assert "Qwen2.5-Omni-7B" in proper_names("Alibaba Cloud launched the Qwen2.5-Omni-7B model.")


def test_a_summary_of_what_the_articles_say_about_a_topic_quotes_only_those_that_discuss_it(chat: Chat) -> None:
    answer = chat.ask("Summarize what the articles say about chip export restrictions.")
    assert not answer.refused and {c.source for c in answer.citations} == {"003_86bf600701711a59.txt"}, answer.answer
    assert_citations_verifiable(answer)


def test_a_section_named_by_its_topic_words_is_summarized_alone(chat: Chat) -> None:
    source = "000_238b3d5c562b5a75.txt"
    lines = (SEEDS / source).read_text(encoding="utf-8").split("\n")
    heading = next(i for i, line in enumerate(lines, 1) if line.startswith("Open-Source:"))
    answer = chat.ask("Give a short overview of the arms race article's section on open source.")
    assert answer.citations and all(heading < c.start_line <= heading + 3 for c in answer.citations), answer.answer


def test_whats_an_article_mainly_about_is_a_summary() -> None:
    from rag.question import analyse

    assert analyse("What's the Archyworldys article mainly about?").kind == "summary"


def test_who_wrote_a_named_article_is_not_answered_by_another_articles_byline(chat: Chat) -> None:
    answer = chat.ask("Who is the author of the Qwen2-VL op-ed?")  # the op-ed carries no byline
    assert answer.refused or "Franklin Manuel" not in answer.answer, answer.answer


def test_where_something_is_based_is_not_answered_by_a_compound_word_that_contains_based(chat: Chat) -> None:
    answer = chat.ask("Where is Lux Capital based?")  # "Blackwell-based systems" is no base
    assert answer.refused, answer.answer


def test_the_name_of_one_companys_model_is_not_taken_from_a_passage_about_another(chat: Chat) -> None:
    # the Omni article names Baidu's model nowhere; DeepSeek's R1, paragraphs away, is not Baidu's
    answer = chat.ask("What is the name of Baidu's multimodal model?")
    assert answer.refused or "R1" not in answer.answer, answer.answer
    answer = chat.ask("What's the name of the multimodal model Baidu put out?")  # the owner, said another way
    assert answer.refused or "R1" not in answer.answer, answer.answer


def test_how_much_did_a_names_thing_grow_measures_that_thing(chat: Chat) -> None:
    from rag.question import analyse

    assert analyse("How much did Kestrel's revenue grow?").parts[0].focus == ("revenu",)
    assert chat.ask("How much did Alibaba Cloud's revenue grow?").refused  # the articles give no revenue


def test_who_built_something_is_answered_where_the_text_says_developed(chat: Chat) -> None:
    answer = chat.ask("Who built the Qwen model?")  # "Companies like Alibaba ... having developed the Qwen model"
    assert not answer.refused and "Alibaba" in answer.answer, answer.answer


def test_a_list_of_ideas_takes_a_sentence_that_adds_an_idea_though_it_names_nothing_new(chat: Chat) -> None:
    answer = chat.ask("What ethical concerns are raised in the Omni article?")
    assert not answer.refused and "privacy" in answer.answer, answer.answer


def test_who_did_something_is_answered_only_where_the_sentence_holds_the_doing(chat: Chat) -> None:
    from rag.question import analyse

    assert [p.verb for p in analyse("Who runs the harbour festival?").parts] == ["run"]
    assert [p.verb for p in analyse("Who is Grace Isford?").parts] == [""]
    # "Stanford’s Human-Centered AI Institute (HAI) highlights this trend": the institute, no one running it
    assert chat.ask("Who runs the Stanford institute mentioned in the Archyworldys piece?").refused
    from rag.answer.acceptance import holds_relation

    assert holds_relation(["beat"], "Humphries defeated Littler 7-4 in the final.", lambda t: 1.0)
    assert not holds_relation(["beat"], "Littler reached the final at sixteen.", lambda t: 1.0)


def test_a_follow_up_in_the_article_the_last_answer_quoted_is_judged_by_its_own_words(chat: Chat) -> None:
    history = _conversation(chat, "Which company launched Qwen2.5-Omni-7B?")
    answer = chat.ask("How much is it investing?", history)  # "it" is the launcher, in the article just quoted
    assert not answer.refused and "$53 billion" in answer.answer, answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "Where is Alibaba putting its models for others to use?",
        "Where's Alibaba publishing the Omni model?",  # publishing a model is releasing it, not writing
    ],
)
def test_where_to_get_something_is_answered_where_the_text_says_it_is_released(chat: Chat, question: str) -> None:
    answer = chat.ask(question)
    assert not answer.refused and "Hugging Face" in answer.answer, answer.answer


def test_a_follow_up_that_points_back_and_names_something_is_about_both(chat: Chat) -> None:
    history = _conversation(chat, "Who is Paul Triolo?")
    answer = chat.ask("What did he say about the West's position?", history)
    # Triolo speaks in the Qwen popularity article; the op-ed's "Wake-Up Call for the West" is not his
    assert answer.refused or {c.source for c in answer.citations} == {"003_86bf600701711a59.txt"}, answer.answer


def test_a_follow_up_that_re_asks_with_a_new_noun_reads_the_passage_the_last_answer_quoted(chat: Chat) -> None:
    history = _conversation(chat, "Which carmaker is Alibaba partnering with?")
    answer = chat.ask("And which phone company?", history)  # "phone" is not "iPhones": retrieval alone misses it
    assert not answer.refused and "Apple" in answer.answer, answer.answer
    assert answer.citations[0].source == "002_f9dec77134c0a174.txt", answer.answer


def test_a_verb_and_its_noun_the_stemmer_writes_apart_are_one_relation() -> None:
    from rag.answer.acceptance import holds_relation

    # "compete" is stemmed "compet", "competition" "competit"
    assert holds_relation(["compet"], "Baidu joined the competition last week.", lambda t: 1.0)


def test_how_much_money_is_answered_by_a_sum_though_no_sentence_says_money(chat: Chat) -> None:
    answer = chat.ask("How much money will Alibaba Cloud put into AI and cloud computing?")
    assert not answer.refused and "$53 billion" in answer.answer, answer.answer


def test_how_many_is_answered_where_the_text_counts_the_thing_in_other_words() -> None:
    from rag.answer.evidence import counts_otherwise

    question = "How many places in the top ten did the Qwen models take?"
    assert counts_otherwise("The Qwen models occupied three spots in the top ten.", question)
    assert not counts_otherwise("The Qwen models took three places in the top ten.", question)
    assert not counts_otherwise("Princeton Tigers (11-1) at Delaware (8-4)", "What was the final score?")


def test_who_makes_something_is_answered_by_its_owners_name(chat: Chat) -> None:
    from rag.answer.acceptance import _owned_by_name

    assert _owned_by_name(["Qwen2-VL"], "Alibaba's latest offering, Qwen2-VL, a new model")
    assert not _owned_by_name(["Qwen2-VL"], "The emergence of Qwen2-VL as a leading AI model")
    answer = chat.ask("Which company makes Qwen2-VL?")  # "Alibaba's latest offering, Qwen2-VL, ..."
    assert not answer.refused and "Alibaba" in answer.answer, answer.answer


def test_a_list_is_of_what_its_asked_noun_names_not_of_another_plural_in_the_question(chat: Chat) -> None:
    from rag.question import analyse

    areas = analyse("What focus areas does the harbour report recommend for Nordic countries?").parts[0]
    assert areas.kind == "list" and not areas.items_named and not areas.kinds
    assert analyse("Which companies are named in the articles?").parts[0].items_named
    answer = chat.ask("What focus areas does the Qwen2-VL op-ed recommend for Western countries?")
    assert "fundamental AI research" in answer.answer and "top AI talent" in answer.answer, answer.answer


def test_a_word_before_the_listed_kind_says_which_things_not_what_they_did(chat: Chat) -> None:
    # "different" in "all the different Qwen models" is no deed another article's sentence must hold
    answer = chat.ask("can you list all the different qwen models mentioned")
    assert "Qwen-VL" in answer.answer and "Qwen2.5-Omni-7B" in answer.answer, answer.answer
    assert {"000_238b3d5c562b5a75.txt", "002_f9dec77134c0a174.txt"} <= {c.source for c in answer.citations}


def test_an_article_asked_for_by_what_it_was_called_is_answered_by_its_title_in_quotes(chat: Chat) -> None:
    answer = chat.ask(
        "The Qwen2-VL piece opens by citing the author's earlier article. What was that earlier article called?"
    )
    assert "China's Recent AI Surge Challenges US Dominance" in answer.answer, answer.answer
    assert_citations_verifiable(answer)


def test_a_question_for_a_specific_named_thing_is_not_answered_by_a_mention_of_the_kind(chat: Chat) -> None:
    from rag.answer.evidence import names_one
    from rag.question import analyse

    assert analyse("Which specific benchmarks did Kestrel win?").parts[0].specific == "benchmark"
    assert names_one("benchmark", "It beat its rival in several critical benchmarks.") is False
    assert names_one("benchmark", "It topped the MMLU benchmark.") is True
    assert names_one("benchmark", "Benchmarks such as MMLU and GSM8K favour it.") is True
    assert names_one("benchmark", "It beat its rival on MathVista.") is None
    assert names_one("articl", 'as I wrote in my article "A Wake-Up Call for the West," ...') is True  # a title
    assert chat.ask("Which specific benchmarks did Qwen2-VL beat GPT-4V on?").refused  # "several critical benchmarks"
    assert chat.ask("Which specific license is Qwen released under?").refused  # "the licensing flexibility of Qwen"
    answer = chat.ask("What is the exact name of Alibaba Cloud's new Omni model?")  # a name, by its shape
    assert not answer.refused and "Qwen2.5-Omni-7B" in answer.answer, answer.answer


def test_a_list_of_a_kind_counts_no_describing_word_as_a_new_item(chat: Chat) -> None:
    # "China’s", "AI" and "US" add nothing to a list of outlets; the sentences that name one do
    answer = chat.ask("Which news outlets and organizations does the Archyworldys article cite?")
    for outlet in ("Yahoo News Singapore", "Forbes", "South China Morning Post", "Stanford"):
        assert outlet in answer.answer, answer.answer


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("According to the harbour piece, does Kestrel still lead?", "yes_no"),  # where to look, then what is asked
        ("Which website put together the comparison of Kestrel and Tern?", "which"),  # the site, not a comparison
        ("What exact scores did Kestrel get vs Tern?", "how_many"),  # figures, not a list
        ("How does Kestrel compare with Tern?", "compare"),
    ],
)
def test_the_asked_type_is_read_past_an_attribution_and_a_compared_object(question: str, kind: str) -> None:
    from rag.question import analyse

    assert analyse(question).parts[0].kind == kind


def test_a_country_asked_by_another_of_its_names_is_the_one_the_articles_name(chat: Chat) -> None:
    from rag.names import names_an_alias

    assert names_an_alias("America", "the United States leads") and names_an_alias("America", "the U.S. leads")
    assert not names_an_alias("America", "let us lead")
    answer = chat.ask("Does America still have the edge in how big and sophisticated its models are?")
    assert not answer.refused and "United States" in answer.answer, answer.answer


def test_an_earlier_article_the_text_mentions_is_not_taken_for_one_of_the_articles() -> None:
    from rag.question import analyse, article_reference

    assert article_reference("How long after the author's earlier article did Kestrel lead?") == []
    assert article_reference("What does the harbour article say?") == ["harbour"]
    # the article on a topic of many words is named by all of them
    assert article_reference("summarize the article on China's advancement in the AI arms race") == [
        "China",
        "advancement",
        "in",
        "AI",
        "arms",
        "race",
    ]
    # ... and no topic runs on into another article's name ("the report on the harbour and the Kestrel piece")
    assert article_reference("How long between the report on the harbour and the Kestrel piece?") == ["Kestrel"]
    # ... nor into the next question ("the Omni article about and what input types ...": the Omni article)
    assert article_reference("Which model is the Omni article about and what can it handle?") == ["Omni"]
    # "which leaderboard did Qwen models show up on" asks for one leaderboard: the plural is its subject's
    assert analyse("Which leaderboard did Kestrel models show up on?").parts[0].kind == "which"
    assert analyse("Which companies show up in the articles?").parts[0].kind == "list"


def test_asked_which_organisation_someone_is_with_a_name_must_be_said_to_be_one(chat: Chat) -> None:
    # "Kai Wang's insights about ... LLM capabilities": a name ("LLM") in a sentence about him is no employer
    assert chat.ask("Which company is Kai Wang with?").refused
    # ... where the articles say it: a job at a place, "manufacturers like Huawei"
    assert "Lux Capital" in chat.ask("What firm is Grace Isford a partner at?").answer
    assert "Hugging Face" in chat.ask("Which organization employs Tiezhen Wang?").answer
    assert "Huawei" in chat.ask("Which firm did Chinese companies turn to for chips?").answer


def test_a_follow_up_goes_on_in_the_whole_article_the_last_answer_quoted(chat: Chat) -> None:
    # the Omni article names Qwen2.5-Omni-7B once; "releasing its models on platforms like Hugging Face and GitHub"
    # is in another chunk that no search for the model finds, and says "releasing" for where to download it
    history = _conversation(chat, "Which company launched Qwen2.5-Omni-7B?")
    answer = chat.ask("Where did they put it for people to download?", history)
    assert "Hugging Face and GitHub" in answer.answer, answer.answer
    assert {c.source for c in answer.citations} == {"002_f9dec77134c0a174.txt"}


def test_asked_for_a_makers_things_a_quote_names_the_maker_and_one_of_its_things(chat: Chat) -> None:
    # "partnerships with BMW for smarter vehicles" names BMW and no BMW car; "domestic manufacturers like Huawei"
    # names no Huawei chip
    assert chat.ask("Which BMW car models will get Alibaba's AI?").refused
    assert chat.ask("Which Huawei chip model are Chinese firms using in place of Nvidia?").refused
    # ... "OpenAI's GPT-4V" is one of OpenAI's
    assert "GPT-4V" in chat.ask("Which OpenAI model did Qwen2-VL beat?").answer


def test_asked_who_holds_a_role_the_quote_says_the_role(chat: Chat) -> None:
    # "The spin-off of Alibaba Cloud ..." names the company, not its chief
    assert chat.ask("Who is the CEO of Alibaba Cloud?").refused
    assert chat.ask("Who is Xin Sun's employer's president?").refused
    # a job the articles do give is answered
    assert "Tiezhen Wang" in chat.ask("Who is the machine learning engineer at Hugging Face?").answer


def test_asked_for_the_name_of_a_thing_a_quote_gives_a_name_of_that_kind(chat: Chat) -> None:
    # "Baidu ... having unveiled its multimodal foundational model" names no model, and the "R1 model" nearby is
    # DeepSeek's
    assert chat.ask("whats the name of baidus new multimodal model").refused  # "Baidu" only ever opens a sentence
    assert "Qwen2.5-Omni-7B" in chat.ask("What is the name of Alibaba's latest model in the Qwen series?").answer
    assert "Qwen2.5-Omni-7B" in chat.ask("Name of the Alibaba Cloud model launched in the omni piece?").answer


def test_which_thing_exactly_asks_for_it_by_name(chat: Chat) -> None:
    # "outperformed OpenAI's GPT-4V in several critical benchmarks" mentions benchmarks and names none
    assert chat.ask("which benchmarks exactly did qwen2 vl beat gpt4v on").refused
    assert chat.ask("what license does qwen use exactly, apache?").refused  # "its licensing model" names none
    assert "GPT-4V" in chat.ask("which model exactly did qwen2 vl beat?").answer


def test_asked_for_a_title_the_answer_quotes_one(chat: Chat) -> None:
    # the title is quoted in the op-ed's opening sentence, not in the sentences about Qwen2-VL that rank above it
    history = _conversation(chat, "When did the Qwen2-VL op-ed's author first report on China catching up?")
    answer = chat.ask("whats the title of that earlier piece?", history)
    assert "Recent AI Surge Challenges US Dominance" in answer.answer, answer.answer


def test_the_op_ed_is_the_article_whose_writer_speaks_in_the_first_person(chat: Chat) -> None:
    from rag.retrieval.corpus import CorpusStats

    stats = CorpusStats.from_payloads(
        [
            {"text": "Since I first reported on it in my article, much has changed.", "source": "mine.txt"},
            {"text": "“I think my model is best,” said Kai. The firm agreed.", "source": "theirs.txt"},
        ]
    )
    assert stats.first_person == {"mine.txt"}  # what a quoted speaker says of themself is not the writer's voice
    answer = chat.ask("How fast did China's advance happen, according to the op-ed?")
    assert {c.source for c in answer.citations} == {"001_7aaf47b449a52241.txt"}, answer.answer


def test_what_is_x_is_answered_by_the_sentence_that_says_what_x_is(chat: Chat) -> None:
    # four sentences of the op-ed name Qwen2-VL; "Qwen2-VL, a new vision-language AI model" says what it is
    for question in ("What is Qwen2-VL?", "whats qwen2 vl"):
        answer = chat.ask(question)
        assert answer.answer.startswith("Alibaba's latest offering, Qwen2-VL, a new vision-language AI model"), answer


def test_a_long_name_weighs_as_one_thing_not_as_each_of_its_terms() -> None:
    from rag.answer.evidence import part_weights
    from rag.question import analyse

    part = analyse("Where can developers run Qwen2.5-Omni-7B on phones?").parts[0]
    described = analyse("How could developers use Qwen2.5-Omni-7B on phones?").parts[0]
    for p in (part, described):
        assert {"qwen2.5-omni-7b", "omni", "7b", "phone"} <= set(p.terms)
    weights = part_weights(described, lambda t: 1.0)
    name = sum(weights[t] for t in ("qwen2.5-omni-7b", "qwen2", "5", "omni", "7b"))
    assert name == pytest.approx(weights["phone"])  # five terms, one name: it weighs as one word
    # asked for a place, date or name, a sentence must still say it of the thing: there the name keeps its weight
    assert sum(part_weights(part, lambda t: 1.0)[t] for t in ("qwen2.5-omni-7b", "omni", "7b")) == 3


def test_an_article_named_by_words_of_its_title_is_that_article() -> None:
    from rag.retrieval.corpus import CorpusStats

    payloads = [
        {"source": "a.txt", "title": "Harbour Models Surge", "text": "Open models spread along the harbour."},
        {"source": "b.txt", "title": "Kestrel's year", "text": "A surge of open models followed Kestrel's release."},
        {"source": "c.txt", "title": "Tern", "text": "Tern ships closed models."},
    ]
    stats = CorpusStats.from_payloads(payloads)
    assert stats.article(["open", "surge"]) == "a.txt"  # both mention a surge; one says it in its title


def test_a_question_about_two_articles_keeps_to_neither() -> None:
    from rag.question import analyse

    two = analyse("Who wrote the arms race article, and who is quoted in the piece on Qwen's popularity?")
    assert two.article == ()
    assert analyse("Who is quoted in the arms race article?").article == ("arms", "race")


def test_a_sentence_that_says_one_thing_differs_from_another_answers_a_comparison() -> None:
    from rag.answer.evidence import holds

    question = "Do US firms take a more closed approach than China?"
    assert holds("compare", "China's strategy differs significantly from the more closed-off approach.", question)
    assert not holds("compare", "China fosters a diverse ecosystem of projects.", question)
    # figures set side by side are asked by name: that one did better gives none
    better = "Falcon has outperformed Tern in several critical benchmarks."
    assert not holds("compare", better, "exact benchmark scores Falcon vs Tern?")
    assert holds("compare", "Falcon scored 81%, higher than Tern's 74%.", "exact benchmark scores Falcon vs Tern?")
    assert holds("compare", better, "Which scores higher, Falcon or Tern?")  # "scores" the verb asks no figure


def test_a_date_asked_exactly_is_not_given_by_a_time_relative_to_the_article() -> None:
    from rag.answer.evidence import holds

    assert holds("when", "Kestrel unveiled its model just last week.", "When did Kestrel launch?")
    assert not holds("when", "Kestrel unveiled its model just last week.", "When exactly did Kestrel launch?")
    assert not holds("when", "Earlier this year, they reached an agreement.", "What date did they sign?")
    assert holds("when", "Kestrel unveiled it in March 2024.", "When exactly did Kestrel launch?")


@pytest.mark.parametrize(
    "question",
    [
        "What's the exact closing sentence of the Qwen2-VL article?",
        "how does the Qwen2-VL column end - there's some race metaphor in the last line, what is it?",
    ],
)
def test_how_an_article_ends_is_its_last_sentence_of_prose(chat: Chat, question: str) -> None:
    # (not the "Comments" line of the page after it)
    answer = chat.ask(question)
    assert "technological marathon" in answer.answer and "new frontrunners" in answer.answer, answer.answer
    assert {c.source for c in answer.citations} == {"001_7aaf47b449a52241.txt"}
    assert_citations_verifiable(answer)


def test_a_name_called_by_a_piece_of_its_longer_form_is_found() -> None:
    from rag.names import has_name
    from rag.types import Passage

    text = "Kestrel launched the Falcon2.5-Omni-7B model."
    p = Passage("a.txt", "a", 0, 1, 1, 0, len(text), text, 1.0)
    assert has_name("Omni", p) and has_name("Falcon2.5-Omni-7B", p)
    assert not has_name("Omnibus", p)


def test_a_choice_between_two_by_a_measure_is_a_comparison_and_one_to_another_counts_nothing(chat: Chat) -> None:
    from rag.answer.evidence import holds
    from rag.question import analyse

    assert analyse("Which scores higher, Falcon or Tern?").parts[0].kind == "compare"
    assert not holds("how_many", "It translates from one language to another.", "How many languages?")
    assert holds("how_many", "It speaks two languages.", "How many languages?")
    # "Qwen and Baichuan ... competitive performance in various benchmarks" compares neither with the other
    assert chat.ask("Which scores higher on benchmarks, Baichuan or Qwen?").refused


def test_how_much_time_asks_for_a_span_which_a_count_of_months_gives(chat: Chat) -> None:
    from rag.question import analyse

    part = analyse("How much time passed between the two reports?").parts[0]
    assert part.kind == "duration" and part.focus == ()
    answer = chat.ask("How much time passed between the op-ed author's first report on China catching up and now?")
    assert not answer.refused and "two months" in answer.answer, answer.answer


def test_a_specific_thing_is_asked_by_its_head_noun_and_the_questions_own_name_is_no_instance(chat: Chat) -> None:
    from rag.answer.evidence import names_one
    from rag.question import analyse

    assert analyse("Which specific open-source license is Kestrel under?").parts[0].specific == "licens"
    question = "Which specific Huawei chips replace Nvidia?"
    assert names_one("chip", "Whether or not Nvidia chips are banned", question) is False
    assert names_one("chip", "the Ascend chips", question) is True


def test_what_someones_job_is_is_answered_only_by_a_sentence_that_names_a_job(chat: Chat) -> None:
    from rag.answer.evidence import asks_role

    assert asks_role("What is his role?") and asks_role("What is Kai Wang's job title?")
    assert not asks_role("What role does open source play?") and not asks_role("What is the title of the op-ed?")
    answer = chat.ask("What is Kai Wang's job title?")  # "Kai Wang's insights about ..." names no job
    assert answer.refused, answer.answer
    answer = chat.ask("What is Tiezhen Wang's role?")
    assert not answer.refused and "machine learning engineer" in answer.answer, answer.answer


def test_an_uploads_title_gives_it_no_claim_to_be_the_article_named() -> None:
    from rag.retrieval.corpus import CorpusStats

    payloads = [
        {"source": "a.txt", "title": "Harbour news", "text": "Tern gains popularity on Harbour Hub, said Kestrel."},
        {"source": "b.txt", "title": "Harbour Hub data", "text": "Tern is not downloaded.", "trust": "contributed"},
        {"source": "c.txt", "title": "Falcon", "text": "Falcon ships closed models."},
    ]
    assert CorpusStats.from_payloads(payloads).article(["Harbour", "Hub"]) == "a.txt"


def test_a_name_that_opens_a_sentence_is_kept_when_it_runs_on_or_speaks() -> None:
    from rag.answer.evidence import proper_names
    from rag.question import analyse

    proper = frozenset({"chinese", "china"})
    assert proper_names("Yahoo News Singapore echoes the urgency.", proper) == ["Yahoo News Singapore"]
    assert proper_names("Forbes emphasizes that the leap is real.", proper) == ["Forbes"]
    assert proper_names("The Chinese government acts.", proper) == ["Chinese"]
    assert proper_names("Despite China's progress, it lags.", proper) == ["China's"]
    # "approaches" are ideas, not apps
    assert not analyse("What two approaches did Chinese firms adopt?").parts[0].items_named


def test_a_trailing_part_that_opens_with_a_preposition_is_its_own_part_and_asks_for_its_noun() -> None:
    from rag.question import analyse

    parts = analyse("What can Kestrel-7B process, and on which platforms is it out?").parts
    assert [p.kind for p in parts] == ["what", "which"] and parts[1].focus == ("platform",)
    # "exact" in one part asks the other for specific ones too
    exact = analyse("What exact scores did Kestrel get, and on which benchmarks?").parts
    assert exact[1].specific == "benchmark"
    assert analyse("Which big-name companies is Kestrel teaming up with?").parts[0].kind == "list"


def test_a_list_of_an_articles_ideas_takes_sentences_that_word_them_otherwise(chat: Chat) -> None:
    answer = chat.ask("What worries or downsides does the Omni article bring up?")  # "concerns", "pitfalls"
    assert not answer.refused and "privacy" in answer.answer, answer.answer


def test_a_leading_clause_is_read_after_what_is_asked_and_what_is_set_aside_is_not_required() -> None:
    from rag.question import analyse

    besides = analyse("Besides Kestrel, which tech companies get a mention?")
    assert besides.question == "Which tech companies get a mention, besides Kestrel?"
    assert besides.parts[0].kind == "list" and "Kestrel" not in besides.parts[0].names
    assert analyse("List the Nordic AI companies the articles mention.").parts[0].kinds == ("compani",)
    assert analyse("Which other AI models or chatbots are named in the articles?").parts[0].kind == "list"
    # "who needs to strike a balance" asks who strikes it
    assert analyse("According to the harbour piece, who needs to strike a balance?").parts[0].verb == "strike"


def test_the_pieces_and_the_stories_mean_all_the_articles() -> None:
    from rag.question import analyse

    assert analyse("What do the pieces say about Hugging Face?").all_articles
    assert analyse("What do the stories say about Kestrel?").all_articles
    assert not analyse("What does the Omni piece say about Kestrel?").all_articles


def test_what_about_x_asks_the_last_question_again_with_x_in_the_earlier_subjects_place() -> None:
    from rag.question import analyse

    history = [Turn("user", "What does the chip export piece say about Nvidia?"), Turn("assistant", "...")]
    again = analyse("What about Blackwell?", history)
    assert again.standalone == "What does the chip export piece say about Blackwell?"
    assert again.article == ("chip", "export") and again.parts[0].names == ("Blackwell",)
    pair = analyse("What about DeepSeek?", [Turn("user", "How big is Llama 2 vs Qwen-VL?"), Turn("assistant", "...")])
    assert pair.standalone == "How big is DeepSeek?"


def test_a_summary_starts_from_the_lead_only_when_the_lead_names_what_the_article_is_about(chat: Chat) -> None:
    # the surge article opens "The global artificial intelligence landscape is undergoing a significant shift.":
    # it names nothing, so the sentences that say what the article is about are quoted instead
    answer = chat.ask("Summarize the open-source surge article for me.")
    assert not answer.refused and "landscape is undergoing a significant shift" not in answer.answer, answer.answer
    assert "closing the gap" in answer.answer, answer.answer


def test_what_someone_thinks_is_answered_in_their_own_quoted_words(chat: Chat) -> None:
    from rag.answer.evidence import in_their_words, opinion_of

    assert opinion_of("And what does she think it comes down to?", ("Grace", "Isford")) == "Isford"
    assert opinion_of("What did Triolo say about chips?", ()) == "Triolo"
    assert in_their_words("Isford", "“We’ve seen it,” Grace Isford, partner at Lux Capital, mentioned.")
    assert not in_their_words("Isford", "The race is on, and the consequences will reverberate.")
    history = _conversation(chat, "What does Grace Isford do?")
    answer = chat.ask("And what does she think the race ultimately comes down to?", history)
    assert "what these models are used for" in answer.answer, answer.answer


def test_a_sentence_that_refers_back_to_the_named_model_answers_how_it_is_described(chat: Chat) -> None:
    # "Alibaba touts their latest model as “the perfect foundation for developing agile ... AI agents”", in the
    # article that names Qwen2.5-Omni-7B: "their latest model" is it
    answer = chat.ask("How does Alibaba describe Qwen2.5-Omni-7B as a base for AI agents?")
    assert "perfect foundation" in answer.answer, answer.answer
    assert chat.ask("Where did Alibaba unveil Qwen2.5-Omni-7B?").refused  # a place is named, never referred to


def test_a_span_counted_back_from_now_says_when() -> None:
    from rag.answer.evidence import holds

    question = "When did the author first write about it?"
    assert holds("when", "Almost two months to the day since I first reported on it, things changed.", question)
    assert not holds("when", "I first reported on it, and things changed.", question)


def test_each_place_a_question_names_an_article_is_a_side_of_its_own() -> None:
    from rag.question import analyse, article_references

    question = "Compare how the Qwen-VL article and the Qwen2.5-Omni-7B commentary treat visually impaired users."
    assert article_references(question) == [("Qwen-VL",), ("Qwen2.5-Omni-7B",)]
    assert analyse(question).sides == (("Qwen-VL",), ("Qwen2.5-Omni-7B",))
    assert analyse("How does Qwen-VL compare with Qwen2.5-Omni-7B?").compared == ("Qwen-VL", "Qwen2.5-Omni-7B")
    assert article_references("What does the Qwen2-VL author recommend?") == [("Qwen2-VL",)]
    assert analyse("Contrast Qwen-VL with Qwen2.5-Omni-7B.").kind == "compare"


def test_two_articles_set_side_by_side_are_answered_a_paragraph_each_from_their_own_text(chat: Chat) -> None:
    answer = chat.ask(
        "Compare how the Qwen-VL article and the Qwen2.5-Omni-7B commentary treat the benefits of Alibaba's AI "
        "for visually impaired users."
    )
    assert not answer.refused
    paragraphs = answer.answer.split("\n\n")
    assert len(paragraphs) == 2, answer.answer
    assert "read the labels aloud" in paragraphs[0] and "audio descriptions" in paragraphs[1], answer.answer
    sources = [c.source for c in answer.citations]
    assert sources[0].startswith("000_") and sources[-1].startswith("002_") and len(set(sources)) == 2
    assert_citations_verifiable(answer)


@pytest.mark.parametrize(
    "question",
    [
        "what are these articles about",
        "whats the overall takeaway on china vs the us in ai across all of these?",
    ],
)
def test_asking_what_all_the_articles_are_about_is_a_summary_of_all_of_them(question: str) -> None:
    from rag.question import analyse

    analysis = analyse(question)
    assert analysis.kind == "summary" and analysis.all_articles


def test_an_article_is_named_by_what_it_says_but_not_by_what_is_asked_of_it() -> None:
    from rag.question import article_references

    claim = "Name the experts quoted in the article saying China often outpaces American counterparts."
    assert article_references(claim) == [("China", "often", "outpaces", "American", "counterparts")]
    assert article_references("Which article says Llama 2 is ten times larger than Qwen-VL?") == []
    assert article_references("What does the Omni article say about the competitive landscape?") == [("Omni",)]


def test_a_fragment_without_verb_or_name_goes_on_from_the_question_before(chat: Chat) -> None:
    from rag.question import analyse, is_follow_up

    assert is_follow_up("Over what time span?") and not is_follow_up("Who is Tiezhen Wang?")
    history = _conversation(chat, "How much is Alibaba Cloud planning to invest in AI and cloud computing?")
    assert analyse("Over what time span?", history).follow_up
    answer = chat.ask("Over what time span?", history)
    assert not answer.refused and "three years" in answer.answer, answer.answer


def test_a_phrasal_verb_asks_for_the_relation_news_text_names_in_one_word(chat: Chat) -> None:
    from rag.question import analyse

    part = analyse("Who put out Qwen-VL and Qwen-VL-Chat?").parts[0]
    assert part.verb == "releas" and "releas" in part.terms
    # ... with what is put out between its words, which is no word to find
    assert analyse("and when did Baidu put theirs out?").parts[0].terms == ("baidu", "releas")
    assert "long" not in analyse("How long did it take?").parts[0].terms  # "how long" is the asked type
    assert "Alibaba" in chat.ask("Who put out Qwen-VL and Qwen-VL-Chat?").answer


def test_specific_ideas_are_answered_by_the_ideas_and_specific_named_things_only_by_a_name(chat: Chat) -> None:
    from rag.question import analyse, is_named_kind

    question = "What specific areas of focus does the Qwen2-VL author recommend for Western nations?"
    part = analyse(question).parts[0]
    assert part.focus == ("area", "focus") and "doe" not in part.gathers and not part.items_named
    assert not is_named_kind("area") and is_named_kind("licens") and is_named_kind("benchmark")
    assert "fundamental AI research" in chat.ask(question).answer
    assert chat.ask("Which specific license is Qwen released under?").refused  # "licensing model" names none


def test_the_named_articles_writer_says_where_to_look_not_what_to_find() -> None:
    from rag.question import analyse

    part = analyse("Why is the author of the Qwen2.5-Omni-7B commentary skeptical of Alibaba's push?").parts[0]
    assert "author" not in part.terms and "commentari" not in part.terms and "skeptic" in part.terms
    assert analyse("Who is the author of the Qwen2-VL piece?").parts[0].author
    assert "report" in analyse("What does the South China Morning Post report?").parts[0].terms  # a verb there


def test_that_company_after_a_which_question_is_the_one_its_answer_named(chat: Chat) -> None:
    from rag.question import analyse

    first = "According to Franklin Manuel, which US open-source model is ten times larger than Alibaba's new models?"
    history = [Turn("user", first), Turn("assistant", chat.ask(first).answer)]
    follow = "How did Alibaba and that company work together on it?"
    assert "Meta" in analyse(follow, history).parts[0].names
    assert "available in China" in chat.ask(follow, history).answer
    # "she" after "Who is Grace Isford?" is Grace Isford, not a name her answer adds
    who = [Turn("user", "Who is Grace Isford?"), Turn("assistant", chat.ask("Who is Grace Isford?").answer)]
    assert "Lux Capital" not in analyse("What did she say about Nvidia chip bans?", who).parts[0].names


def test_names_typed_in_lower_case_are_read_as_the_articles_spell_them() -> None:
    from rag.names import restore_case
    from rag.retrieval.corpus import CorpusStats

    stats = CorpusStats.from_texts(
        [
            "The model was built by Alibaba and praised by Tiezhen Wang, an engineer at Hugging Face.",
            "Analysts at Alibaba say Tiezhen Wang is right; the open-source model is popular with us.",
            "China AI Rivals US: Open Source Models Surge",
        ]
    )
    assert stats.spellings["alibaba"] == "Alibaba" and stats.spellings["wang"] == "Wang"
    assert "source" not in stats.spellings and "open" not in stats.spellings  # a headline's, and "open-source"
    assert stats.n == 3  # the counts of spellings are not the corpus's size
    typed = "what does tiezhen wang say about alibaba and us, and is it open source?"
    assert restore_case(typed, stats.spellings) == (
        "what does Tiezhen Wang say about Alibaba and us, and is it open source?"
    )
    assert restore_case("What does ALIBABA say?", stats.spellings) == "What does ALIBABA say?"  # as the user typed


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("whats qwen2 vl acc to the piece", "what's qwen2 vl according to the piece"),
        ("how come the us is still ahead", "why the US is still ahead"),
        ("what r devs supposed to build w/ it pls", "what are developers supposed to build with it"),
        ("who is alibaba partnering w for cars", "who is alibaba partnering with for cars"),
        ("why shld ppl care abt us-china chips", "why should people care about US-china chips"),
        ("Who is the author? It's not clear.", "Who is the author? It's not clear."),  # nothing to spell out
        ("does it help us", "does it help us"),  # "us" alone may be the pronoun
        ("Is it R1 or r1?", "Is it R1 or r1?"),  # a name's letter is no word
        ("what were the areas he named", "what were the areas he named"),  # "were" is a word, not "we're"
        ("So how on earth could they be dangerous?", "So how could they be dangerous?"),  # the question word alone
        ("Hey, so Alibaba put out two new AIs, right?", "Alibaba put out two new AIs, right?"),  # a greeting opens
        ("hi there! what is qwen", "what is qwen"),
        ("history of AI?", "history of AI?"),  # a word that begins with "hi" is no greeting
        # spoken: sounds of hesitating and an opening "okay" ask nothing
        ("um whats the name of the new model", "what's the name of the new model"),
        ("okay and over how many years", "and over how many years"),
        ("Well, who made it?", "who made it?"),
        ("Well known firms?", "Well known firms?"),
        ("the umbrella", "the umbrella"),
        ("wat year did it start", "what year did it start"),
        ("wen was it out, wats it called", "when was it out, what's it called"),
        # how to answer, not what
        ("give me the quick version of the restructuring thing", "give me the restructuring thing"),
        ("a short summary of the Omni article?", "a short summary of the Omni article?"),  # a summary is asked
    ],
)
def test_chat_shorthand_is_read_written_out(typed: str, written: str) -> None:
    from rag.casual import written_out

    assert written_out(typed) == written


def test_a_spoken_follow_up_opening_with_okay_goes_on_from_the_question_before(chat: Chat) -> None:
    first = "what does alibaba cloud plan to invest in ai"
    history = [Turn("user", first), Turn("assistant", chat.ask(first).answer)]
    answer = chat.ask("okay and over how many years", history)
    assert not answer.refused and "three years" in answer.answer, answer.answer


def test_compound_names_typed_otherwise_are_read_as_the_articles_spell_them() -> None:
    from rag.names import restore_case
    from rag.retrieval.corpus import CorpusStats

    stats = CorpusStats.from_texts(
        [
            "Alibaba released Qwen2-VL and the Qwen2.5-Omni-7B model, which beat GPT-4V; Meta's Llama 2 is larger.",
            "WHAT IS NEW: the open-source model from Alibaba, and Open-Source AI at Hugging Face.",
            "Analysts asked what is new, and what is next.",
        ]
    )
    spell = stats.compound_spellings
    assert spell["qwen2vl"] == "Qwen2-VL" and spell["llama2"] == "Llama 2" and spell["gpt4v"] == "GPT-4V"
    assert spell["qwen25omni"] == "Qwen2.5-Omni"  # the start of a name
    assert "whatis" not in spell and "opensource" not in spell  # a shouted headline, a word written in lower case
    typed = "is qwen2 vl better than gpt4v, and is llama2 or qwen2.5 omni open-source? what is new?"
    assert restore_case(typed, stats.spellings, spell) == (
        "is Qwen2-VL better than GPT-4V, and is Llama 2 or Qwen2.5-Omni open-source? what is new?"
    )
    assert restore_case("how big is alibabas model", {"alibaba": "Alibaba"}) == "how big is Alibaba's model"
    # a word that only ever opens a sentence is offered to the caller, who knows which are names ("Baidu")
    opened = CorpusStats.from_texts(["Baidu is not far behind. Despite that, Alibaba leads, and it grows."])
    assert opened.openers == {"baidu": "Baidu", "despite": "Despite"}
    # ... and one followed by a capitalized word may open a name ("Kai Wang"), "Let us know" does not
    led = CorpusStats.from_texts(["Kai Wang said so. Let us know your thoughts."])
    assert set(led.openers) == {"kai", "let"} and led.leads == {"kai": "Kai"}


def test_a_question_typed_in_haste_is_answered_like_one_written_out(chat: Chat) -> None:
    phones = chat.ask("is qwen2.5 omni meant to run on phones")
    assert "mobile phones" in phones.answer and {c.source for c in phones.citations} == {"002_f9dec77134c0a174.txt"}
    bigger = chat.ask("how much bigger is llama2 than alibabas models")
    assert "ten times larger" in bigger.answer
    assert_citations_verifiable(bigger)


@pytest.mark.parametrize(
    ("question", "kind", "focus"),
    [
        ("how many parameters qwen2-vl have?", "how_many", ("paramet",)),  # the counted thing, not the named one
        ("price of qwen2.5-omni api", "how_much", ("price",)),  # a query opens with what it asks for
        ("Which Hugging Face ranking did Qwen models appear in?", "which", ("hug", "face", "rank")),  # names one
        ("which car company Alibaba partner with?", "who", ("car", "compani")),  # no "does": up to the name
        ("whats the name of baidus new multimodal model", "which", ()),  # a name asked for, typed without marks
        ("what is name of baidu new multimodal model?", "which", ()),
        # a query's opening noun is what it asks for, though what it names compares
        ("Source for the comparative analysis of Chinese open-weight models vs their US rivals?", "what", ("sourc",)),
    ],
)
def test_the_asked_attribute_of_terse_and_broken_questions(question: str, kind: str, focus: tuple[str, ...]) -> None:
    from rag.question import analyse

    part = analyse(question).parts[0]
    assert (part.kind, part.focus) == (kind, focus)


def test_a_figure_the_articles_never_give_is_refused_however_the_question_is_typed(chat: Chat) -> None:
    for question in ("how many parameters qwen2-vl have?", "price of qwen2.5-omni api"):
        assert chat.ask(question).refused, question


def test_a_capital_named_for_its_government_is_its_country(chat: Chat) -> None:
    answer = chat.ask("Has Beijing put rules in place for AI development, according to the arms race piece?")
    assert "comprehensive regulations" in answer.answer, answer.answer
    assert "restricting China’s access" in chat.ask("Has Washington limited China's access to top-end chips?").answer


def test_when_is_answered_by_a_date_not_by_the_verb_may() -> None:
    from rag.answer.evidence import holds

    assert holds("when", "Alibaba launched it in May.", "When did Alibaba launch it?")
    assert not holds("when", "Partnerships may enhance Alibaba's market penetration.", "When did they sign?")


def test_the_name_asked_for_is_the_owners_where_the_quote_names_the_owner(chat: Chat) -> None:
    assert chat.ask("What is the name of the model Baidu released?").refused  # the articles never name it
    assert "R1" in chat.ask("Which DeepSeek model's unveiling is tied to the 'DeepSeek moment'?").answer
    byline = chat.ask("Who wrote the article claiming China took the lead in key AI benchmarks two months on?")
    assert byline.refused or "Franklin Manuel" not in byline.answer  # that article carries no byline


def test_what_the_articles_say_about_a_topic_is_a_summary_of_it_article_by_article(chat: Chat) -> None:
    from rag.question import analyse

    assert analyse("What do the articles say about Meta's Llama 2?").kind == "summary"
    assert analyse("How do the articles portray the AI rivalry?").kind == "summary"
    assert analyse("What do the articles say the West should do?").kind != "summary"  # a question about what they say
    answer = chat.ask("What do the articles say about Meta's Llama 2?")
    assert {c.source[:3] for c in answer.citations} >= {"000", "004"}, answer.answer


def test_two_names_that_did_one_thing_together_are_one_part() -> None:
    from rag.question import analyse

    joint = analyse("When did Apple and Alibaba sign their agreement to integrate AI into iPhones?")
    assert len(joint.parts) == 1
    assert len(analyse("Where do Grace Isford and Xin Sun work?").parts) == 2  # the same asked of each


def test_a_name_every_article_carries_tells_no_answer_apart(chat: Chat) -> None:
    corpus = chat.corpus()
    assert corpus.everywhere("AI") and corpus.everywhere("China") and not corpus.everywhere("Alibaba")
    # the Alibaba-Meta agreement is no answer to when Apple signed (the articles never say)
    assert chat.ask("When did Apple and Alibaba sign their agreement to integrate AI into iPhones?").refused


def test_pitching_a_product_is_the_relation_news_text_calls_touting() -> None:
    from rag.question import relation_group

    assert relation_group("pitch") is not None and relation_group("pitch") == relation_group("tout")


def test_a_name_compared_is_a_side_only_where_one_whole_article_alone_mentions_it(chat: Chat) -> None:
    corpus = chat.corpus()
    assert corpus.only_document("Qwen2.5-Omni-7B") == "002_f9dec77134c0a174.txt"
    assert corpus.only_document("Llama 2") is None  # two articles mention it
    answer = chat.ask("How big is Llama 2 compared to Qwen-VL?")  # one article answers: no side by side
    assert "\n\n" not in answer.answer and answer.citations[0].source == "000_238b3d5c562b5a75.txt"


def test_partnering_with_is_a_collaboration_not_a_job(chat: Chat) -> None:
    from rag.question import analyse

    assert "collabor" in analyse("Which carmaker is Alibaba partnering with?").parts[0].terms
    assert "partner" in analyse("Where is Grace Isford a partner?").parts[0].terms
    assert "BMW" in chat.ask("which car company Alibaba partner with?").answer


def test_a_who_after_another_question_word_opens_a_relative_clause_not_the_question() -> None:
    from rag.question import analyse

    assert analyse("How could Qwen2.5-Omni-7B help people who are visually impaired?").kind == "how"
    assert analyse("Tell me who wrote the Qwen-VL article.").kind == "who"
    # the name of a blogger is a person's: asked of a person, it needs one
    assert analyse("What is the name of the blogger who wrote that China leads?").kind == "who"


def test_how_a_model_helps_people_who_cannot_see_is_answered_by_what_it_does(chat: Chat) -> None:
    answer = chat.ask("How could Qwen2.5-Omni-7B help people who are visually impaired?")
    assert not answer.refused and "audio descriptions" in answer.answer, answer.answer
    assert_citations_verifiable(answer)


def test_the_number_in_a_models_name_is_not_a_figure() -> None:
    from rag.answer.evidence import holds, numbers

    assert numbers("models like Llama 2.") == []
    assert numbers("GPT-4V, Qwen2-VL and Qwen2.5-Omni-7B") == []
    assert numbers("$53 billion, 7.3 percent, a 352-65 vote, 72B parameters") == [
        "53",
        "billion",
        "7.3",
        "352-65",
        "72B",
    ]
    sentence = "Qwen and Baichuan are competitive in various benchmarks, challenging models like Llama 2."
    assert not holds("how_many", sentence, "What benchmark scores did Baichuan get?")


def test_scores_the_articles_never_give_are_refused(chat: Chat) -> None:
    answer = chat.ask("What benchmark scores did Baichuan get compared with Llama 2?")
    assert answer.refused and not answer.citations, answer.answer


def test_who_made_a_named_thing_is_answered_only_where_the_quote_names_it(chat: Chat) -> None:
    # the articles name Baichuan but never its maker; "AI development" near it is not who developed it
    answer = chat.ask("Which company developed the Baichuan model?")
    assert answer.refused and not answer.citations, answer.answer
    answer = chat.ask("Which company developed the Qwen model?")
    assert not answer.refused and "Alibaba" in answer.answer, answer.answer


def test_who_made_a_thing_asks_who_built_it_though_made_is_a_stopword(chat: Chat) -> None:
    # with "made" dropped the question asked no relation, and "such as Qwen and Baichuan" named someone beside it
    answer = chat.ask("and who made baichuan?", _conversation(chat, "which chinese models are competing with llama 2"))
    assert answer.refused and not answer.citations, answer.answer
    answer = chat.ask("who made qwen?")
    assert not answer.refused and "Alibaba" in answer.answer, answer.answer
    from rag.question import analyse

    assert "built" not in analyse("Who made that point?").parts[0].terms  # a point made is a point said


def test_which_ranking_asks_for_a_ranking_not_a_figure(chat: Chat) -> None:
    from rag.question import analyse

    assert analyse("Which Hugging Face ranking did the Qwen2-VL author cite?").kind == "which"
    assert analyse("What rank did Qwen reach?").kind == "how_many"  # a place in a ranking is a figure
    answer = chat.ask("On which public ranking did Alibaba's Qwen models take three of the top ten places?")
    assert not answer.refused and "Open LLM Leaderboard" in answer.answer, answer.answer


def test_who_makes_it_after_what_is_a_named_thing_asks_about_that_thing(chat: Chat) -> None:
    # "What is Qwen2-VL?" asks about Qwen2-VL, and what it names is what "it" points back at
    history = _conversation(chat, "what is Qwen2-VL?")
    answer = chat.ask("who makes it?", history)
    assert not answer.refused and "Alibaba" in answer.answer, answer.answer


def test_a_verb_typed_without_its_ending_is_not_the_asked_noun(chat: Chat) -> None:
    from rag.question import analyse

    # "which company develop Baichuan?" asks for a company; "develop" is what it did, which the articles never say
    assert "develop" not in analyse("which company develop Baichuan?").parts[0].focus
    answer = chat.ask("which company develop Baichuan?")
    assert answer.refused and not answer.citations, answer.answer


def test_what_a_named_article_is_asked_is_ranked_by_the_ask_not_the_articles_name(chat: Chat) -> None:
    # "Qwen2-VL" names the op-ed; sentences about Qwen2-VL's emergence say nothing of what the West should focus on
    answer = chat.ask("What should the West focus on, per the author of the Qwen2-VL piece?")
    assert not answer.refused and "fundamental AI research" in answer.answer, answer.answer
    assert {c.source for c in answer.citations} == {"001_7aaf47b449a52241.txt"}


def test_a_question_about_problems_takes_the_however_that_names_them(chat: Chat) -> None:
    answer = chat.ask("How could putting AI on phones cause problems, according to the Omni piece?")
    assert not answer.refused and "privacy and data security" in answer.answer, answer.answer
    assert_citations_verifiable(answer)


def test_a_list_is_answered_by_a_series_under_the_asked_verb(chat: Chat) -> None:
    # "capable of processing text, images, audio, and even video": the input types, in no words of the question
    answer = chat.ask("Which input types can Qwen2.5-Omni-7B process?")
    assert not answer.refused, answer.answer
    assert all(w in answer.answer for w in ("text", "images", "audio", "video")), answer.answer
    assert {c.source for c in answer.citations} == {"002_f9dec77134c0a174.txt"}


def test_which_site_published_an_article_is_answered_by_the_line_that_names_its_site(chat: Chat) -> None:
    from rag.question import analyse

    assert analyse("What site published the open-source surge article?").parts[0].publisher
    assert not analyse("Which outlets does the Archyworldys article cite?").parts[0].publisher
    answer = chat.ask("Which website published the piece on Chinese open-source models rivaling US giants?")
    assert not answer.refused and "Archyworldys" in answer.answer, answer.answer
    assert [c.source for c in answer.citations] == ["004_ad83150bec543e7f.txt"]
    assert_citations_verifiable(answer)
    # a site the article cites did not publish it, and an article with no such line does not say
    answer = chat.ask("Which website published the op-ed about Qwen2-VL?")
    assert answer.refused and not answer.citations, answer.answer


def test_another_articles_site_line_does_not_say_where_an_article_ran(chat: Chat) -> None:
    answer = chat.ask("Which news site published Franklin Manuel's article on the AI arms race?")
    assert answer.refused and not answer.citations, answer.answer


def test_a_why_is_answered_by_the_reasoning_past_the_writers_own_question(chat: Chat) -> None:
    # "... a fine line between innovation and exploitation. Is the primary objective ...? The narrative of altruism
    # can easily serve as a veneer for profit-driven motives ...": the question itself is not quoted
    answer = chat.ask(
        "Why is the author of the Qwen2.5-Omni-7B commentary skeptical of Alibaba's emphasis on helping visually"
        " impaired users?"
    )
    assert not answer.refused and "profit-driven motives" in answer.answer, answer.answer
    assert "Is the primary objective" not in answer.answer
    assert_citations_verifiable(answer)


def test_a_summary_leads_with_the_opening_sentence_that_names_what_the_article_is_about(chat: Chat) -> None:
    # the Omni piece opens "As major tech companies scramble ..., the stakes couldn't be higher." and names its
    # subject in the next sentence
    answer = chat.ask("Give me the gist of the Omni article.")
    assert not answer.refused and "Qwen2.5-Omni-7B" in answer.answer, answer.answer


def test_a_faq_answer_is_quoted_with_the_question_it_answers(chat: Chat) -> None:
    # "advantage" is in the FAQ's question line, not in its answer line ("The main benefit is ...")
    answer = chat.ask("According to the FAQ, what is the main advantage of China's open-source approach?")
    assert not answer.refused and "increased accessibility and faster innovation" in answer.answer, answer.answer
    assert "Q: What is the primary advantage" in answer.answer
    assert_citations_verifiable(answer)
    # the question line quoted before the marker is inside the cited lines too
    lines = (SEEDS / "004_ad83150bec543e7f.txt").read_text(encoding="utf-8").split("\n")
    asked = next(i for i, line in enumerate(lines, 1) if line.startswith("Q: What is the primary advantage"))
    first = answer.citations[0]
    assert first.start_line <= asked < first.end_line and "Q: What is the primary advantage" in first.quote


def test_an_irregular_past_is_its_verb_when_a_sentence_is_judged() -> None:
    from rag.answer.evidence import overlap
    from rag.retrieval import sparse

    assert sparse.base_form("spun") == "spin" and sparse.base_form("sold") == "sell"
    assert sparse.base_form("found") == "found"  # to found a company is no past of "find"
    weights = {t: 1.0 for t in sparse.terms("Which unit was spun off?")}
    assert overlap(weights, "The spin-off of Alibaba Cloud, the unit housing its AI research") == 1.0


def test_which_unit_is_spun_off_is_answered_by_the_spin_off(chat: Chat) -> None:
    answer = chat.ask("Which Alibaba unit is being spun off?")
    assert "Alibaba Cloud" in answer.answer and "spin-off" in answer.answer.split("[1]")[0]
    assert_citations_verifiable(answer)


def test_a_persons_insights_are_their_words(chat: Chat) -> None:
    from rag.answer.evidence import in_their_words

    assert in_their_words("Wang", "Kai Wang’s insights about the advantages that large tech players have")
    assert not in_their_words("Wang", "Kai Wang’s company released a model")
    answer = chat.ask("What did Kai Wang say gives the big tech players an advantage?")
    assert not answer.refused and "data centers" in answer.answer
    assert_citations_verifiable(answer)


def test_a_partnership_is_no_one_working_somewhere(chat: Chat) -> None:
    from rag.question import relation_groups

    assert relation_groups("partner") == relation_groups("work") and not relation_groups("partnership")
    history = [Turn("user", "What does Kai Wang say?")]
    history.append(Turn("assistant", chat.ask(history[0].content).answer))
    answer = chat.ask("Where does he work?", history)
    assert answer.refused and not answer.citations


def test_a_thing_of_its_maker_is_that_makers_where_the_quote_names_it(chat: Chat) -> None:
    # "the multimodal model of Baidu" is Baidu's, as "Baidu's multimodal model" is: the articles never name it
    answer = chat.ask("What is the name of the multimodal model of Baidu?")
    assert answer.refused and not answer.citations


def test_the_gate_counts_a_word_of_the_same_family_as_present() -> None:
    from rag.gate import Gate
    from rag.question import analyse
    from rag.retrieval.corpus import CorpusStats
    from rag.types import Passage

    text = "The site gives a comparative breakdown of the strongest open models and their rivals in detail."
    stats = CorpusStats.from_texts([text])
    passage = Passage("a.txt", "A", 0, 1, 2, 0, len(text), text, 1.0, dense_score=0.3)
    # "comparison", "comparative"; "provides" and "gives" share nothing: one term of two is there
    analysis = analyse("Which site provides the comparison?")
    verdict = Gate(min_coverage=0.5).before_answer(analysis, [passage], 0.3, stats)
    assert not verdict.refuse, verdict.reason
    pricing = analyse("Which site provides the pricing?")
    assert Gate(min_coverage=0.5).before_answer(pricing, [passage], 0.3, stats).refuse


def test_a_name_and_the_capitalized_words_after_it_are_one_name_typed_in_lower_case() -> None:
    from rag.names import restore_case
    from rag.retrieval.corpus import CorpusStats

    text = (
        "The market says Alibaba Cloud grows in the cloud. We hear that Alibaba Cloud and Alibaba agreed. Analysts at "
        "Hugging Face counted. Both of them wrote on Hugging Face. The one Alibaba grows."
    )
    stats = CorpusStats.from_texts([text])
    assert {"Alibaba Cloud", "Hugging Face"} <= set(stats.compound_spellings.values())
    typed = restore_case("when is the alibaba cloud spin off", stats.spellings, stats.compound_spellings)
    assert typed == "when is the Alibaba Cloud spin off"


def test_a_date_for_a_named_units_event_is_not_another_events_date(chat: Chat) -> None:
    answer = chat.ask("when is the alibaba cloud spin off happening, what date")
    assert answer.refused and not answer.citations  # the articles give no date for the spin-off


def test_a_follow_up_pointing_at_what_was_asked_retrieves_with_its_words() -> None:
    from rag.question import analyse

    earlier = [Turn("user", "What has the US done to limit China's access to advanced AI chips?")]
    analysis = analyse("and how did Chinese companies work around that?", earlier)
    assert {"chip", "access"} <= set(analysis.standalone.split())
    # ... not when it points at nothing: a person is asked about by the names alone
    assert "chip" not in analyse("and what did Nvidia say?", earlier).standalone


def test_the_writers_own_question_comes_with_the_sentence_that_answers_it(chat: Chat) -> None:
    from rag.answer.evidence import candidate_sentences

    text = "Is it merely a play for market share? The narrative of altruism can hide profit-driven motives here."
    scored = candidate_sentences(1, text)
    assert [s.lead.text if s.lead else None for s in scored] == ["Is it merely a play for market share?"]
    answer = chat.ask("Does the Qwen2.5-Omni author think the accessibility pitch is really just a market share play?")
    assert "market share" in answer.answer and "profit-driven" in answer.answer
    assert_citations_verifiable(answer)
