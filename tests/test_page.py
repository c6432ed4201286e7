"""The Gradio page: its Markdown, gradio_client against its chat endpoint, and real headless Chromium (Debian's)
through Playwright at a desktop (1280×900) and a phone (390×844) width, with axe-core checking WCAG 2.1 AA."""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.types import Citation
from tests.conftest import ROOT
from ui.page_html import answer_markdown, inert_markdown, plain_words, sources_markdown
from ui.service import Service

LLAMA = "How big is Llama 2 vs Qwen-VL?"
TEN_TIMES_FILE = "000_238b3d5c562b5a75.txt"
TEN_TIMES_TITLE = "China’s Advancement in the AI Arms Race"
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
# scripts/test.sh installs axe-core from npm here (gitignored); FOOTNOTE_AXE_JS points elsewhere.
AXE_JS = Path(os.environ.get("FOOTNOTE_AXE_JS", ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"))
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
WAIT = 60_000


# -- the page's Markdown -------------------------------------------------------------------------------------


def test_document_text_is_inert_markdown() -> None:
    shown = inert_markdown("<script>alert(1)</script> ![x](http://evil/x.png) [a][b]\n# Heading\n> quote\n1. list")
    assert "<script>" not in shown and "](" not in shown and "][" not in shown and "http://" not in shown
    assert "\n# " not in shown and "\n> " not in shown and "\n1. " not in shown


def test_plain_prose_is_copied_as_it_reads() -> None:
    prose = "Blackwell-based chips (B100, B200) cost $30,000. Qwen-VL's 7B model: 3.5 times larger!"
    assert inert_markdown(prose) == prose


def test_each_marker_links_to_its_lines_with_the_quote_as_hover_title() -> None:
    cite = Citation(1, TEN_TIMES_FILE, TEN_TIMES_TITLE, 33, 33, 'Llama 2 is "ten times" larger.', 1.0)
    md = answer_markdown("Llama 2 is bigger. [1] Unknown [7].", [cite])
    link = f'[[1]](/view/{TEN_TIMES_FILE}?lines=33-33#L33 "Llama 2 is \\"ten times\\" larger.")'
    assert md == f"Llama 2 is bigger. {link} Unknown [7]."


def test_sources_give_the_article_title_first_then_file_and_line(service: Service) -> None:
    title, body = sources_markdown(service.ask(LLAMA))
    assert title == "Sources (1)"
    assert body.startswith(f"1. **{TEN_TIMES_TITLE}**  \n[{TEN_TIMES_FILE}, line 33](/view/{TEN_TIMES_FILE}")
    # the footnote quotes what the answer quotes under [1]: the sentence and the one it leans on
    assert "“Despite China’s significant progress in AI" in body and "For instance, Meta’s Llama 2 model" in body


def test_setting_names_stay_out_of_the_page_words() -> None:
    said = plain_words("the question is 2400 characters long; the limit is 2000 (FOOTNOTE_MAX_QUESTION_CHARS)")
    assert said == "The question is 2400 characters long; the limit is 2000"


# -- gradio_client -------------------------------------------------------------------------------------------


def test_gradio_client_streams_the_answer_with_its_sources_attached(base_url: str) -> None:
    from gradio_client import Client

    client = Client(base_url, verbose=False)
    updates = list(client.submit(LLAMA, api_name="/ask"))
    assert len(updates) >= 2  # streamed: partial answers, then the final one
    chat, notice, box = updates[-1][:3]
    answer, sources = chat[-2], chat[-1]
    assert "ten times larger" in str(answer["content"]) and f"](/view/{TEN_TIMES_FILE}?lines=33-33#L33" in str(
        answer["content"]
    )
    assert sources["metadata"]["title"] == "Sources (1)" and TEN_TIMES_TITLE in str(sources["content"])
    assert notice == "" and box == ""


def test_a_too_long_question_is_refused_in_plain_words(base_url: str) -> None:
    from gradio_client import Client

    notice = Client(base_url, verbose=False).predict("x" * 2001, api_name="/ask")[1]
    assert "the limit is 2000" in notice and 'role="alert"' in notice and "FOOTNOTE_" not in notice


def _session_calls(client: Any, session: str, fn_index: int, data: list[Any], times: int = 1) -> list[dict[str, Any]]:
    """`times` calls joined at once on the page's queue in one browser session; their completed messages."""
    body = {"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None, "trigger_id": None}
    for _ in range(times):
        assert client.post("/gradio_api/queue/join", json=body).status_code == 200
    done: list[dict[str, Any]] = []
    with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as events:
        for line in events.iter_lines():
            if line.startswith("data:") and (message := json.loads(line[5:])).get("msg") == "process_completed":
                done.append(message)
                if len(done) == times:
                    return done
    raise AssertionError("the queue never completed the calls")


def test_a_document_rows_buttons_keep_their_events_when_the_list_renders_again(base_url: str, service: Service) -> None:
    # Gradio's front end can fire the list's change twice on load: the second render must not orphan the buttons the
    # first one put on screen (a click on them used to fail on the server with a KeyError, and nothing happened).
    service.upload("render_twice.txt", b"Kestrel Labs opened an office in Lisbon in 2024.\n")
    with httpx.Client(base_url=base_url, timeout=60) as client:
        deps = client.get("/config").json()["dependencies"]
        listing = next(d["id"] for d in deps if d["api_name"] == "listing")
        render = next(d["id"] for d in deps if d.get("render_id") is not None and d["api_name"] == "apply")
        session = uuid.uuid4().hex[:10]
        assert _session_calls(client, session, listing, [])[0]["success"]
        renders = _session_calls(client, session, render, [None], times=2)  # both at once, as the page sends them
        assert all(r["success"] for r in renders), renders
        clicks = [
            sorted(
                d["id"]
                for d in r["output"]["render_config"]["dependencies"]
                if [e for _, e in d["targets"]] == ["click"]
            )
            for r in renders
        ]
        assert clicks[0] and clicks[0] == clicks[1]
        for fn in clicks[0]:  # each of the first render's buttons still answers
            assert _session_calls(client, session, fn, [None])[0]["success"]
    service.delete("render_twice.txt")


def test_history_is_kept_per_session_not_shared(base_url: str) -> None:
    from gradio_client import Client

    a, b = Client(base_url, verbose=False), Client(base_url, verbose=False)
    a.predict("What is Qwen2-VL?", api_name="/ask")
    chat_b = b.predict("What can Qwen-VL-Chat do with photos?", api_name="/ask")[0]
    assert [m["role"] for m in chat_b] == ["user", "assistant", "assistant"]  # b's question, answer, sources
    chat_a = a.predict("And how does it compare with GPT-4V?", api_name="/ask")[0]
    assert len(chat_a) == 6 and "outperformed" in str(chat_a[-2]["content"])


# -- Chromium ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run ./scripts/test.sh (it installs it) or apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    p = context.new_page()
    p.goto(base_url + "/", wait_until="domcontentloaded")
    p.get_by_label("Your question").wait_for(timeout=WAIT)
    p.screenshot_name = f"page-{request.param}"  # type: ignore[attr-defined]
    yield p
    context.close()


def ask(page: Any, question: str, *, answers: int = 1) -> None:
    """Type a question, press Ask, wait until the answer's sources are in (the end of the stream)."""
    page.get_by_label("Your question").fill(question)
    page.locator("#ask").click()
    page.locator("#chat .thought").nth(answers - 1).wait_for(timeout=WAIT)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 AA violations on the page as it is now."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing at {AXE_JS}: run ./scripts/test.sh (it installs it from npm)")
    # Checked once the page is still: while an event runs, Gradio's progress timer fades in and out over its
    # component, and axe measures the contrast of text half-transparent.
    page.wait_for_function(
        """() => [...document.querySelectorAll('.progress-text')].every(
               (e) => e.offsetParent === null || getComputedStyle(e.closest('.wrap') || e).opacity === '0')""",
        timeout=WAIT,
    )
    page.add_script_tag(path=str(AXE_JS))
    found: list[dict[str, Any]] = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
            .map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' '))}))""",
        WCAG_AA,
    )
    return found


@pytest.mark.browser
def test_welcome_lists_the_articles_with_file_and_chunks(page: Any) -> None:
    welcome = page.locator("#chat .placeholder-content, #chat .placeholder").first
    welcome.get_by_text(TEN_TIMES_TITLE).wait_for(timeout=WAIT)
    text = welcome.inner_text()
    assert "these 5 articles" in text and TEN_TIMES_FILE in text and "16 chunks" in text


@pytest.mark.browser
def test_sources_sit_under_their_answer_and_each_marker_opens_its_lines(page: Any) -> None:
    ask(page, LLAMA)
    bubble = page.locator("#chat .bot-row").last
    marker = bubble.get_by_role("link", name="[1]").first
    assert marker.get_attribute("title", timeout=WAIT).startswith("Despite China’s significant progress in AI")
    sources = bubble.locator(".thought")
    assert sources.get_by_text("Sources (1)").is_visible()
    text = sources.inner_text()
    assert text.index(TEN_TIMES_TITLE) < text.index(f"{TEN_TIMES_FILE}, line 33")
    answer_box, sources_box = bubble.locator(".message-content").first.bounding_box(), sources.bounding_box()
    assert 0 <= sources_box["y"] - (answer_box["y"] + answer_box["height"]) < 40  # right under the answer
    page.screenshot(path=str(ARTIFACTS / f"{page.screenshot_name}.png"), full_page=True)
    with page.context.expect_page() as opened:
        marker.click()
    view = opened.value
    view.wait_for_load_state("domcontentloaded")
    line = view.locator("#L33")
    assert "hl" in line.get_attribute("class") and "ten times larger" in line.inner_text()
    in_view = (
        "() => { const r = document.getElementById('L33').getBoundingClientRect();"
        " return r.top >= 0 && r.top < innerHeight / 2; }"
    )
    view.wait_for_function(in_view, timeout=WAIT)  # scrolled into view on load
    assert view.locator("h1").inner_text() == TEN_TIMES_TITLE and view.get_by_text("curated article").is_visible()
    view.get_by_role("link", name="← Back to the chat").click()
    view.get_by_label("Your question").wait_for(timeout=WAIT)


@pytest.mark.browser
def test_an_earlier_answer_keeps_its_own_sources(page: Any) -> None:
    ask(page, LLAMA)
    ask(page, "Which Nvidia systems can't be exported to China?", answers=2)
    blocks = page.locator("#chat .thought")
    assert TEN_TIMES_FILE in blocks.nth(0).inner_text()
    assert TEN_TIMES_FILE not in blocks.nth(1).inner_text() and "Sources (" in blocks.nth(1).inner_text()


@pytest.mark.browser
@pytest.mark.parametrize("how", ["new chat", "trash icon"])
def test_clearing_the_chat_also_forgets_the_conversation(page: Any, how: str) -> None:
    ask(page, "What is Qwen-VL?")
    ask(page, "Who released it?", answers=2)
    assert "Qwen-VL and Qwen-VL-Chat, Alibaba" in page.locator("#chat .bot-row").last.inner_text()  # remembered
    if how == "new chat":
        page.get_by_role("button", name="New chat").click()
    else:
        page.get_by_role("button", name="Clear").click()
    page.locator("#chat .bot-row").first.wait_for(state="detached", timeout=WAIT)
    ask(page, "Who released it?")
    assert page.locator("#chat .bot-row").count() == 1
    assert "Qwen-VL and Qwen-VL-Chat, Alibaba" not in page.locator("#chat .bot-row").last.inner_text()


@pytest.mark.browser
def test_an_empty_question_is_refused_under_the_input_and_the_counter_counts(page: Any) -> None:
    box = page.get_by_label("Your question")
    box.fill("   ")
    page.locator("#ask").click()
    alert = page.locator("#notice [role=alert]")
    alert.wait_for(timeout=WAIT)
    assert alert.inner_text() == "The question is empty: type a question about the articles"
    below = page.locator("#notice").bounding_box()["y"] > box.bounding_box()["y"]
    assert below
    box.fill("Who made Qwen?")
    page.locator("#counter").get_by_text("14 / 2000 characters").wait_for(timeout=WAIT)
    assert box.get_attribute("maxlength") == "2000"


@pytest.mark.browser
def test_an_example_chip_asks_at_once(page: Any) -> None:
    page.get_by_role("button", name=LLAMA).click()
    page.locator("#chat .thought").first.wait_for(timeout=WAIT)
    assert page.locator("#chat .user-row").first.inner_text().strip() == LLAMA
    assert "ten times larger" in page.locator("#chat .bot-row").first.inner_text()


@pytest.mark.browser
def test_copy_gives_the_answer_with_its_footnotes_as_clean_text(page: Any) -> None:
    ask(page, LLAMA)
    page.locator("#chat .bot-row").last.hover()
    page.locator(".message-buttons-left button[aria-label='Copy message']").last.click()
    copied: str = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith("Despite China’s significant progress in AI")
    assert f"[[1]](/view/{TEN_TIMES_FILE}?lines=33-33#L33" in copied
    assert f"**{TEN_TIMES_TITLE}**" in copied and "line 33" in copied and "“Despite China’s significant" in copied
    assert "For instance, Meta’s Llama 2" in copied
    assert "\\-" not in copied and "<sup>" not in copied and not re.search(r"\\[.()]", copied)


@pytest.mark.browser
def test_documents_tab_uploads_then_deletes_a_row_after_confirmation(page: Any, tmp_path: Path) -> None:
    page.get_by_role("tab", name="Documents").click()
    page.locator(".doc-row", has_text=TEN_TIMES_FILE).wait_for(timeout=WAIT)
    note = tmp_path / "page_note.md"
    note.write_text("# Page note\n\nThe page note says the moon is made of basalt.\n", encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(note))
    status = page.locator("#doc-status")
    status.get_by_text("page_note.md: added, 1 chunks.").wait_for(timeout=WAIT)
    assert page.locator("input[type=file]").count() == 1 and page.get_by_text("Drop File Here").is_visible()  # reset
    row = page.locator(".doc-row", has_text="page_note.md")
    assert page.locator(".doc-row", has_text=TEN_TIMES_FILE).get_by_role("button").count() == 0  # curated: no delete
    row.get_by_role("button", name="Delete").click()
    row.get_by_text("Delete page_note.md and its 1 chunks?").wait_for(timeout=WAIT)
    row.get_by_role("button", name="Cancel").click()
    row.get_by_role("button", name="Delete").wait_for(timeout=WAIT)
    found = axe_violations(page)
    assert found == [], found
    row.get_by_role("button", name="Delete").click()
    row.get_by_role("button", name="Yes, delete").click()
    status.get_by_text("Deleted page_note.md (1 chunks).").wait_for(timeout=WAIT)
    page.locator(".doc-row", has_text="page_note.md").wait_for(state="detached", timeout=WAIT)


@pytest.mark.browser
def test_axe_finds_no_wcag_aa_violation_before_and_after_an_answer(page: Any) -> None:
    page.locator("#chat").get_by_text(TEN_TIMES_TITLE).first.wait_for(timeout=WAIT)  # the welcome is in
    assert axe_violations(page) == []
    ask(page, LLAMA)
    page.locator("#chat .bot-row").last.get_by_role("link", name="[1]").first.wait_for(timeout=WAIT)
    assert axe_violations(page) == []


@pytest.mark.browser
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_axe_finds_no_wcag_aa_violation_in_the_document_view(browser: Any, base_url: str, viewport: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)  # the view's CSP would block axe
    view = context.new_page()
    view.goto(f"{base_url}/view/{TEN_TIMES_FILE}?lines=33-35#L33", wait_until="domcontentloaded")
    view.locator("#L33.hl").wait_for(timeout=WAIT)
    assert axe_violations(view) == []
    context.close()
