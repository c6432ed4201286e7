"""Footnote inside llama-index: our chunker as a NodeParser, our hybrid retrieval as a retriever (README example)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.pipeline import Ingestor
from rag.retrieval.embeddings import Embedder
from rag.retrieval.store import open_store
from tests.conftest import ROOT, make_settings

PDFS = ROOT / "tests" / "fixtures" / "pdf"


@pytest.fixture(scope="module")
def pdf_store(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[Path, dict[str, dict]]:  # type: ignore[type-arg]
    """The seed articles as PDFs ingested into a store (closed again: the README example opens it)."""
    path = tmp_path_factory.mktemp("llama") / "qdrant"
    settings = make_settings(path)
    store = open_store(settings, model=embedder.model, dim=embedder.dim)
    Ingestor(store, embedder, max_tokens=settings.chunk_tokens).ingest_paths([PDFS], progress=False)
    points = dict(store.scroll_payloads())
    store.close()
    return path, points


def test_the_node_parser_makes_the_chunks_ingest_stores(pdf_store, embedder: Embedder) -> None:  # type: ignore[no-untyped-def]
    from llama_index.core.schema import NodeRelationship

    from ingest.llama_nodes import FootnoteNodeParser, load_documents

    _, points = pdf_store
    docs = load_documents([PDFS])
    nodes = FootnoteNodeParser.from_embedder(embedder, max_tokens=80).get_nodes_from_documents(docs)
    assert {n.node_id for n in nodes} == set(points)  # same chunks, same content-addressed ids
    for n in nodes:
        stored = points[n.node_id]
        assert n.get_content() == stored["text"]
        meta = n.metadata
        assert (meta["source"], meta["start_line"], meta["end_line"], meta["page"]) == (
            stored["source"],
            stored["start_line"],
            stored["end_line"],
            stored["page"],
        )
        assert meta["trust"] == "curated" and meta["sha256"] == stored["sha256"]
        assert n.relationships[NodeRelationship.SOURCE].node_id == meta["source"]
    first = [n for n in nodes if n.metadata["source"] == "000_238b3d5c562b5a75.pdf"]
    assert first[0].next_node is not None and first[0].next_node.node_id == first[1].node_id


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Footnote inside llama-index", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def test_the_readme_example_runs_a_query_engine_on_footnote_retrieval(
    pdf_store,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from llama_index.core.llms import MockLLM

    path, _ = pdf_store
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("FOOTNOTE_QDRANT_PATH", str(path))
    monkeypatch.setenv("FOOTNOTE_ANSWERER", "extractive")
    scope: dict[str, object] = {"llm": MockLLM(max_tokens=8)}  # no real LLM here: a mock writes the text
    exec(_readme_example(), scope)  # the README's own code
    response = scope["response"]
    nodes = response.source_nodes  # type: ignore[attr-defined]
    assert len(nodes) == 3 and str(response).strip()
    assert any("ten times larger" in n.node.get_content() for n in nodes)
    for n in nodes:
        meta = n.node.metadata
        assert meta["source"].endswith(".pdf") and meta["page"] >= 1 and meta["start_line"] <= meta["end_line"]
        assert n.score > 0
    assert scope["chat_response"].source_nodes  # type: ignore[attr-defined]
    scope["chat"].retriever.store.close()  # type: ignore[attr-defined]
