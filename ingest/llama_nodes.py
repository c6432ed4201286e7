"""Footnote's chunker as a llama-index NodeParser: TextNodes with source, title, lines, page, trust, content hash.

Import this module only where llama-index is wanted: nothing at server start-up imports it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from llama_index.core import Document as LlamaDocument
from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, NodeRelationship, TextNode
from pydantic import Field, PrivateAttr

from ingest.chunk import CountTokens, chunk_document, chunk_fields
from ingest.load import Document, load_paths, title_of
from ingest.readers import ReadLimits
from rag.retrieval.store import point_id

# Metadata an embedding or an LLM need not read (they stay on the node for citations).
_HIDDEN = ["source", "start_line", "end_line", "page", "pages", "trust", "sha256", "doc_sha256", "chunk_index"]


def to_llama(doc: Document, *, trust: str = "curated") -> LlamaDocument:
    """One of our documents (its extracted text, pages in the metadata) as a llama-index Document."""
    return LlamaDocument(
        id_=doc.source,
        text=doc.text,
        metadata={
            "source": doc.source,
            "title": doc.title,
            "trust": trust,
            "doc_sha256": doc.sha256,
            "page_starts": list(doc.page_starts),
        },
        excluded_embed_metadata_keys=[*_HIDDEN, "page_starts"],
        excluded_llm_metadata_keys=[*_HIDDEN, "page_starts"],
    )


def load_documents(
    paths: Sequence[Path], *, trust: str = "curated", limits: ReadLimits | None = None
) -> list[LlamaDocument]:
    """Files and folders (.txt, .md, .pdf, .docx, .html, .epub) read by Footnote's readers, as llama Documents."""
    docs, _skipped = load_paths(paths, limits=limits)
    return [to_llama(d, trust=trust) for d in docs]


class FootnoteNodeParser(NodeParser):
    """Sentence-aware chunks of about max_tokens word pieces with exact line spans (and PDF pages)."""

    max_tokens: int = Field(80, description="Word pieces per chunk, plus one sentence of overlap.")
    _count: CountTokens = PrivateAttr()

    def __init__(self, count_tokens: CountTokens, *, max_tokens: int = 80, **kwargs: Any) -> None:
        super().__init__(max_tokens=max_tokens, include_prev_next_rel=True, **kwargs)
        self._count = count_tokens

    @classmethod
    def from_embedder(cls, embedder: Any, *, max_tokens: int = 80) -> FootnoteNodeParser:
        """A parser counting word pieces with Footnote's embedder (as `footnote ingest` does)."""
        return cls(embedder.count_tokens, max_tokens=min(max_tokens, embedder.max_tokens - 2))

    @classmethod
    def class_name(cls) -> str:
        """llama-index's registry name."""
        return "FootnoteNodeParser"

    def _parse_nodes(self, nodes: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any) -> list[BaseNode]:
        out: list[BaseNode] = []
        for node in nodes:
            text = node.get_content()
            meta = node.metadata
            source = str(meta.get("source") or meta.get("file_name") or node.node_id)
            doc = Document(
                source=source,
                title=str(meta.get("title") or title_of(text, source)),
                text=text,
                sha256=str(meta.get("doc_sha256") or hashlib.sha256(text.encode("utf-8")).hexdigest()),
                path=source,
                page_starts=tuple(int(x) for x in meta.get("page_starts") or ()),
            )
            chunks = chunk_document(doc, max_tokens=self.max_tokens, count_tokens=self._count)
            for c in chunks:
                child = TextNode(
                    id_=point_id(source, c.index, c.sha256),
                    text=c.text,
                    start_char_idx=c.char_start,
                    end_char_idx=c.char_end,
                    metadata={**chunk_fields(doc, c), "trust": str(meta.get("trust", "curated"))},
                    excluded_embed_metadata_keys=list(_HIDDEN),
                    excluded_llm_metadata_keys=list(_HIDDEN),
                )
                child.relationships[NodeRelationship.SOURCE] = node.as_related_node_info()
                out.append(child)
        return out
