"""The Gradio page: gradio_client against its chat endpoint, and real headless Chromium (Debian's) via Playwright."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from ui.service import Service
from ui.web import safe_markdown, sources_html

LLAMA = "How big is Llama 2 vs Qwen-VL?"
TEN_TIMES_FILE = "000_238b3d5c562b5a75.txt"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
    "--no-first-run",
]


def test_gradio_client_streams_the_answer_and_sources(base_url: str) -> None:
    from gradio_client import Client

    client = Client(base_url, verbose=False)
    job = client.submit(LLAMA, api_name="/ask")
    updates = list(job)
    assert len(updates) >= 2  # streamed: partial answers, then the final one
    chat, sources, box = updates[-1][:3]
    last = chat[-1]["content"]
    text = last if isinstance(last, str) else str(last)
    assert "ten times larger" in text and "<sup>[1]</sup>" in text
    assert TEN_TIMES_FILE in sources and "<mark>" in sources and box == ""


def test_page_escapes_document_and_model_text() -> None:
    shown = safe_markdown("<script>alert(1)</script> ![x](http://evil/x.png) [1]")
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "![x](" not in shown and "<sup>[1]</sup>" in shown


def test_sources_panel_marks_the_quote_inside_its_passage(service: Service) -> None:
    answer = service.ask(LLAMA)
    panel = sources_html(answer)
    assert f"[1] {TEN_TIMES_FILE}" in panel and "lines 33–33" in panel
    assert "<mark>For instance, Meta’s Llama 2 model" in panel


def test_history_is_kept_per_session_not_shared(base_url: str) -> None:
    from gradio_client import Client

    a, b = Client(base_url, verbose=False), Client(base_url, verbose=False)
    a.predict("What is Qwen2-VL?", api_name="/ask")
    chat_b = b.predict("What can Qwen-VL-Chat do with photos?", api_name="/ask")[0]
    assert len(chat_b) == 2  # b sees only its own question and answer
    chat_a = a.predict("And how does it compare with GPT-4V?", api_name="/ask")[0]
    assert len(chat_a) == 4 and "outperformed" in str(chat_a[-1]["content"])


@pytest.mark.browser
def test_chromium_asks_the_llama_question_and_shows_the_footnote(base_url: str) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run ./scripts/test.sh (it installs it) or apt-get install chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1100})
        page.goto(base_url + "/", wait_until="domcontentloaded")
        box = page.get_by_label("Your question")
        box.wait_for(timeout=30_000)
        assert page.get_by_text("Answerer:").is_visible()
        box.fill(LLAMA)
        page.get_by_role("button", name="Ask", exact=True).click()
        page.locator("#sources mark").first.wait_for(timeout=60_000)
        sources = page.locator("#sources").inner_text()
        assert TEN_TIMES_FILE in sources and "[1]" in sources
        assert "approximately ten times larger" in page.locator("#sources mark").first.inner_text()
        assert page.locator("#chat sup").first.inner_text() == "[1]"
        page.screenshot(path=str(ARTIFACTS / "page.png"), full_page=True)
        browser.close()
    assert (ARTIFACTS / "page.png").stat().st_size > 10_000
