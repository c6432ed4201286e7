"""Footnote's hybrid retrieval as a llama-index retriever: NodeWithScore carrying file, lines, page and trust.

Import this module only where llama-index is wanted: nothing at server start-up imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from rag.question import related_starts
from rag.retrieval.corpus import CorpusStats
from rag.retrieval.retrieve import Retriever
from rag.types import Passage

_HIDDEN = ["source", "start_line", "end_line", "page", "trust", "score_dense", "score_sparse", "chunk_index"]


def node_of(p: Passage) -> NodeWithScore:
    """A passage as llama-index sees it: the verbatim text, where it lies in metadata, the fused score."""
    node = TextNode(
        id_=f"{p.source}#{p.chunk_index}",
        text=p.text,
        start_char_idx=p.char_start,
        end_char_idx=p.char_end,
        metadata={
            "source": p.source,
            "title": p.title,
            "chunk_index": p.chunk_index,
            "start_line": p.start_line,
            "end_line": p.end_line,
            "page": p.page,
            "trust": p.trust,
            "score_dense": p.dense_score,
            "score_sparse": p.sparse_score,
        },
        excluded_embed_metadata_keys=list(_HIDDEN),
        excluded_llm_metadata_keys=list(_HIDDEN),
    )
    return NodeWithScore(node=node, score=p.score)


class FootnoteRetriever(BaseRetriever):
    """Dense + BM25 retrieval over Footnote's Qdrant collection, uploads discounted, hostile passages left out."""

    def __init__(
        self,
        retriever: Retriever,
        *,
        top_k: int = 5,
        corpus: CorpusStats | None = None,
        include_flagged: bool = False,
        related: Callable[[str], Sequence[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.retriever = retriever
        self.top_k = top_k
        self.corpus = corpus
        self.include_flagged = include_flagged
        self.related = related  # words news text uses for a relation the corpus never names (see Retriever.retrieve)

    @classmethod
    def from_chat(cls, chat: Any, *, top_k: int | None = None) -> FootnoteRetriever:
        """The retriever a Chat uses, with its corpus statistics (keyword scores, half-written documents hidden)."""
        return cls(chat.retriever, top_k=top_k or chat.top_k, corpus=chat.corpus(), related=related_starts)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        found = self.retriever.retrieve(
            query_bundle.query_str, top_k=self.top_k, corpus=self.corpus, related=self.related
        )
        # Hostile text (orders to an assistant, stuffing) never reaches an LLM's context unless asked for.
        return [node_of(p) for p in found.passages if self.include_flagged or not p.flags]
