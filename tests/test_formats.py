"""PDF, DOCX, HTML and EPUB end to end: ingested, answered with footnotes (PDF ones name the page), uploaded
through the API and the CLI; refused files leave nothing behind."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ingest.load import parse_document
from ingest.pipeline import Ingestor, manifest
from rag.chat import Chat
from rag.retrieval.embeddings import Embedder
from rag.retrieval.store import Store, open_store
from tests import bad_documents as bad
from tests.conftest import FOOTNOTE, ROOT, cli_env, make_settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTICLE = "000_238b3d5c562b5a75"
LLAMA = "How big is Llama 2 vs Qwen-VL?"


@pytest.fixture(scope="module")
def chats(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[dict[str, Chat]]:
    """One store per format holding the Llama article in that format (small: one article each)."""
    out: dict[str, Chat] = {}
    stores = []
    for fmt in ("pdf", "docx", "html", "epub"):
        settings = make_settings(tmp_path_factory.mktemp(fmt) / "qdrant")
        store = open_store(settings, model=embedder.model, dim=embedder.dim)
        stores.append(store)
        report = Ingestor(store, embedder, max_tokens=settings.chunk_tokens).ingest_paths(
            [FIXTURES / fmt / f"{ARTICLE}.{fmt}"], progress=False
        )
        assert report.added == 1 and not report.skipped, report.public()
        out[fmt] = Chat.from_settings(settings, store=store, embedder=embedder)
    yield out
    for s in stores:
        s.close()


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html", "epub"])
def test_each_format_answers_with_a_quote_verbatim_in_the_extracted_text(chats: dict[str, Chat], fmt: str) -> None:
    answer = chats[fmt].ask(LLAMA)
    assert not answer.refused and "ten times larger" in answer.answer
    text = parse_document(f"a.{fmt}", (FIXTURES / fmt / f"{ARTICLE}.{fmt}").read_bytes()).text
    lines = text.split("\n")
    for c in answer.citations:
        assert c.source == f"{ARTICLE}.{fmt}"
        assert c.quote in "\n".join(lines[c.start_line - 1 : c.end_line])
        assert (c.page is not None) == (fmt == "pdf")


def test_a_pdf_citation_names_its_page_and_the_lines_within_it(chats: dict[str, Chat]) -> None:
    answer = chats["pdf"].ask(LLAMA)
    c = answer.citations[0]
    doc = parse_document("a.pdf", (FIXTURES / "pdf" / f"{ARTICLE}.pdf").read_bytes())
    assert c.page == doc.page_of(c.start_line) == 2 and c.page_end == 2
    assert c.page_lines == (c.start_line - doc.page_starts[1] + 1, c.end_line - doc.page_starts[1] + 1)
    public = answer.public()
    assert public["citations"][0]["page"] == 2 and public["passages"][0]["page"] is not None
    assert {p["page"] for p in answer.public()["passages"]} <= {1, 2, 3}


def test_stored_pdf_chunks_carry_their_pages(chats: dict[str, Chat]) -> None:
    store = chats["pdf"].retriever.store
    payloads = [p for _, p in store.scroll_payloads()]
    assert {p["page"] for p in payloads} == {1, 2, 3}
    for p in payloads:
        assert p["pages"][0][0] == p["page"] and all(first <= p["end_line"] for _, first in p["pages"])


def test_refused_files_write_nothing(ingestor: Ingestor, store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(bad.scanned_pdf())
    (folder / "locked.pdf").write_bytes(bad.encrypted_pdf())
    (folder / "bomb.docx").write_bytes(bad.zip_bomb_docx())
    (folder / "laughs.docx").write_bytes(bad.billion_laughs_docx())
    report = ingestor.ingest_paths([folder], progress=False)
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert report.added == 0 and set(reasons) == {"scan.pdf", "locked.pdf", "bomb.docx", "laughs.docx"}
    assert "no text layer" in reasons["scan.pdf"] and "encrypted" in reasons["locked.pdf"]
    assert store.count() == 0 and manifest(store) == {}


def test_documents_upload_takes_a_pdf_and_refuses_a_bad_one_with_a_4xx(base_url: str) -> None:
    pdf = (FIXTURES / "pdf" / "001_7aaf47b449a52241.pdf").read_bytes()
    up = httpx.post(f"{base_url}/v1/documents", files={"file": ("leaderboard.pdf", pdf)}, timeout=120)
    assert up.status_code == 201, up.text
    assert up.json()["source"] == "leaderboard.pdf" and up.json()["chunks"] > 3
    found = httpx.get(f"{base_url}/v1/search", params={"q": "Open LLM Leaderboard Hugging Face", "top_k": 10})
    pages = {p["page"] for p in found.json()["passages"] if p["source"] == "leaderboard.pdf"}
    assert pages and pages <= {1, 2, 3}
    for name, data, reason in (
        ("locked.pdf", bad.encrypted_pdf(), "encrypted"),
        ("bomb.docx", bad.zip_bomb_docx(2_000_000), "zip bomb"),
    ):
        refused = httpx.post(f"{base_url}/v1/documents", files={"file": (name, data)}, timeout=60)
        assert refused.status_code == 400
        assert name in refused.json()["error"]["message"] and reason in refused.json()["error"]["message"]
    names = {d["source"] for d in httpx.get(f"{base_url}/v1/documents").json()["documents"]}
    assert "leaderboard.pdf" in names and not names & {"locked.pdf", "bomb.docx"}
    assert httpx.delete(f"{base_url}/v1/documents/leaderboard.pdf").status_code == 200


def test_cli_ingests_a_pdf_and_prints_the_page_of_each_footnote(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "qdrant")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(FOOTNOTE + list(args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / f"{ARTICLE}.pdf").write_bytes((FIXTURES / "pdf" / f"{ARTICLE}.pdf").read_bytes())
    (folder / "locked.pdf").write_bytes(bad.encrypted_pdf())
    ingested = run("ingest", str(folder), "--json")
    assert ingested.returncode == 0, ingested.stderr
    report = json.loads(ingested.stdout.strip().splitlines()[-1])
    assert report["added"] == 1 and "encrypted" in report["skipped"][0]["reason"]
    asked = run("ask", LLAMA)
    assert asked.returncode == 0, asked.stderr
    assert f"[1] {ARTICLE}.pdf, p. 2, lines " in asked.stdout and "Traceback" not in asked.stderr


def test_footnotes_appended_to_chat_content_name_the_pdf_page(chats: dict[str, Chat]) -> None:
    from ui.openai_api import render_footnotes

    answer = chats["pdf"].ask(LLAMA)
    c = answer.citations[0]
    assert c.page_lines is not None
    text = render_footnotes(answer.citations, "http://127.0.0.1:7860")
    assert f"{ARTICLE}.pdf, p. 2, line {c.page_lines[0]}" in text
