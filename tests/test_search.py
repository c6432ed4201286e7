"""Hybrid search over the seeds: meaning and exact keywords both find their passage first."""

from __future__ import annotations

from rag.chat import Chat
from rag.config import Settings
from rag.retrieval.embeddings import Embedder
from rag.retrieval.retrieve import Retriever
from rag.retrieval.store import Store


def test_llama_vs_qwen_question_finds_the_ten_times_passage_among_the_first_two(
    seeded: tuple[Settings, Store], embedder: Embedder
) -> None:
    # No question-word expansion ("how big" -> larger) any more: the FAQ line comparing Chinese and US models
    # in 004 now edges ahead; the answerer still quotes the ten-times sentence (tests/test_answers.py).
    _, store = seeded
    top = Retriever(store, embedder).retrieve("How big is Llama 2 vs Qwen-VL?", top_k=5).passages[:2]
    assert any(p.source == "000_238b3d5c562b5a75.txt" and "approximately ten times larger" in p.text for p in top)


def test_exact_keyword_finds_its_passage_first(seeded: tuple[Settings, Store], embedder: Embedder) -> None:
    _, store = seeded
    top = Retriever(store, embedder).retrieve("Blackwell", top_k=5).passages[0]
    assert top.source == "003_86bf600701711a59.txt" and "Blackwell" in top.text


def test_passages_carry_file_lines_and_scores_in_rank_order(seeded: tuple[Settings, Store], embedder: Embedder) -> None:
    _, store = seeded
    passages = Retriever(store, embedder).retrieve("Qwen2-VL outperformed GPT-4V", top_k=3).passages
    assert len(passages) == 3
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert passages[0].source == "001_7aaf47b449a52241.txt"
    assert 1 <= passages[0].start_line <= passages[0].end_line
    shape = {"source", "title", "start_line", "end_line", "score", "text", "trust", "flags", "page"}
    assert set(passages[0].public()) == shape


def test_a_keyword_hit_past_the_end_of_the_dense_list_ranks_by_its_meaning_too(
    seeded: tuple[Settings, Store], embedder: Embedder
) -> None:
    # The one chunk that says "healthcare" is among the last of the dense list for this wording: asked for few
    # passages, the dense list stops before it, and it must still lead on its keyword and its own dense score.
    _, store = seeded
    retriever = Retriever(store, embedder)
    question = "how could these ai models help in healthcare"
    few = retriever.retrieve(question, top_k=5).passages
    many = retriever.retrieve(question, top_k=40).passages
    assert "healthcare" in few[0].text
    assert [(p.source, p.chunk_index, round(p.score, 6)) for p in few] == [
        (p.source, p.chunk_index, round(p.score, 6)) for p in many[:5]
    ]


def test_a_word_family_the_stemmer_splits_is_searched_too(seeded: tuple[Settings, Store], embedder: Embedder) -> None:
    # "partnering" stems to "partner", "partnerships" to "partnership": with the corpus's terms, the query's stem
    # finds the words that go on from it (within the 12 passages the answerer reads)
    from rag.retrieval.corpus import CorpusStats

    _, store = seeded
    corpus = CorpusStats.from_payloads(payload for _, payload in store.scroll_payloads())
    assert corpus.extensions("partner") == ["partnership"]
    assert corpus.extensions("ai") == []  # a short stem starts too many words
    query = "Which Western companies is Alibaba partnering with"
    found = Retriever(store, embedder).retrieve(query, top_k=12, corpus=corpus).passages
    assert any("partnerships with BMW" in p.text for p in found)


def test_a_word_the_corpus_never_uses_is_searched_as_the_words_news_text_uses_for_it(
    seeded: tuple[Settings, Store], embedder: Embedder
) -> None:
    # no article says "pitching": the Omni piece says Alibaba "touts" its model
    from rag.question import related_starts
    from rag.retrieval.corpus import CorpusStats

    _, store = seeded
    corpus = CorpusStats.from_payloads(payload for _, payload in store.scroll_payloads())
    assert "tout" in related_starts("pitch")
    assert related_starts("say") == ()  # saying is in nearly every paragraph of news text: no search for it
    query = "How is Alibaba pitching the Omni model?"
    found = Retriever(store, embedder).retrieve(query, top_k=5, corpus=corpus, related=related_starts).passages
    assert any("Alibaba touts" in p.text for p in found)
    plain = Retriever(store, embedder).retrieve(query, top_k=5, corpus=corpus).passages
    assert not any("Alibaba touts" in p.text for p in plain)


def test_search_and_the_llama_index_retriever_search_as_an_answer_does(chat: Chat) -> None:
    from rag.llama import FootnoteRetriever

    query = "How is Alibaba pitching the Omni model?"
    assert any("Alibaba touts" in p.text for p in chat.search(query, top_k=5))
    nodes = FootnoteRetriever.from_chat(chat, top_k=5).retrieve(query)
    assert any("Alibaba touts" in n.node.get_content() for n in nodes)
