"""The Gradio page: a chat whose answers carry their own footnotes, and a documents tab. All document text is inert."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from ingest.readers import SUPPORTED
from rag.errors import FootnoteError
from rag.types import Answer, AnswerDelta, Turn
from ui.page_html import answer_markdown, answer_messages, inert_markdown, plain_words, welcome_markdown
from ui.service import Service, check_text
from ui.uploads import NOT_UPLOADED, read_uploaded

log = logging.getLogger(__name__)
EXAMPLES = [
    "How big is Llama 2 vs Qwen-VL?",
    "Which Nvidia systems can't be exported to China?",
    "What can Qwen-VL-Chat do with photos?",
    "How does the Chinese government support open-source AI?",
]
# Colours chosen for WCAG AA contrast (4.5:1) on white; Gradio's default orange primary and grey footer fall short.
CSS = """
#header { align-items: center; }
#header h1 { margin: 0; }
#new-chat { flex-grow: 0; min-width: 8em; }
#ask, #confirm-delete { background: #1d4ed8; border-color: #1d4ed8; color: #fff; }
#ask:hover { background: #1e40af; }
#examples { flex-wrap: wrap; gap: 8px; }
#examples .chip { flex: 0 1 auto !important; min-width: auto !important; width: auto; font-weight: 400; }
#notice p { margin: 4px 0; }
#notice .error { color: #991b1b; }
#doc-tab .or { color: #4b5563; }
#counter { color: #4b5563; font-size: 0.85rem; text-align: right; }
.tab-container button.selected, footer, footer a, footer button { color: #1f2937 !important; }
.doc-row { align-items: center; border-bottom: 1px solid #e5e7eb; padding: 4px 0; }
.doc-row button { flex-grow: 0; min-width: 7em; }
"""
# Two fixes to Gradio's markup that axe (WCAG 2.1 AA) asks for, applied as elements appear:
# - the collapsible blocks under each answer (the sources) make their title a role="button" div holding a nameless
#   icon button (a button without a name; nested controls): the icon button becomes the one control, named by the
#   title through aria-labelledby (Svelte resets its aria-label); a click on it still reaches the title's toggle;
# - the upload box is named "Click to upload or drop files" but reads "Drop File Here - or - Click to Upload"
#   (label in name): it is named by the text it shows.
HEAD = """<script>
(() => {
  let n = 0;
  const id = (e) => (e.id = e.id || `fn-a11y-${++n}`);
  const fix = () => {
    document.querySelectorAll('div[role="button"].title').forEach((t) => {
      const b = t.querySelector('button');
      if (!b) return;
      t.removeAttribute('role');
      t.removeAttribute('tabindex');
      b.setAttribute('aria-labelledby', id(t));
    });
    document.querySelectorAll('button.upload-container:not([aria-labelledby])').forEach((b) => {
      const text = b.querySelector('[data-testid="upload-text"]');
      if (text) b.setAttribute('aria-labelledby', id(text));
    });
  };
  new MutationObserver(fix).observe(document.documentElement, { subtree: true, childList: true });
})();
</script>"""
COUNTER_JS = "(q) => `${(q || '').length} / %d characters`"


def _notice(text: str, *, error: bool = False) -> str:
    role, cls = ("alert", "error") if error else ("status", "info")
    return f'<p role="{role}" class="{cls}">{html.escape(text)}</p>'


def build_page(service: Service) -> gr.Blocks:
    """The chat page and the documents tab, calling the service in-process."""
    limit = service.settings.max_question_chars
    deletable: Callable[[str], bool] = lambda trust: (  # noqa: E731
        trust == "contributed" or service.settings.upload_trust == "curated"
    )

    def welcome() -> Any:
        try:
            docs = service.documents()
        except FootnoteError as exc:  # store down: the page still loads
            log.warning("welcome without the document list: %s", exc)
            return gr.update(placeholder="The articles are not available right now; retry in a moment.")
        return gr.update(placeholder=welcome_markdown(docs))

    def respond(
        question: str, shown: list[dict[str, Any]] | None, turns: list[dict[str, str]] | None
    ) -> Iterator[tuple[Any, ...]]:
        shown, turns = list(shown or []), list(turns or [])
        history = [Turn(t["role"], t["content"]) for t in turns]  # type: ignore[arg-type]
        try:
            check_text(question, "the question")
            service.chat.check_question(question)
        except FootnoteError as exc:
            yield shown, _notice(plain_words(str(exc)), error=True), question, shown, turns
            return
        asked = [*shown, {"role": "user", "content": inert_markdown(question)}]
        partial_text = ""
        final: Answer | None = None
        try:
            with service.admit():
                for item in service.stream(question, history):
                    if isinstance(item, AnswerDelta):
                        partial_text += item.text
                        streaming = {"role": "assistant", "content": answer_markdown(partial_text)}
                        yield [*asked, streaming], "", "", shown, turns
                    else:
                        final = item
        except FootnoteError as exc:
            log.warning("page question failed: %s", exc)
            yield asked, _notice(plain_words(str(exc)), error=True), question, shown, turns
            return
        if final is None:  # the stream always ends in an Answer; guard for the type checker
            return
        shown = [*asked, *answer_messages(final)]
        turns = [*turns, {"role": "user", "content": question}, {"role": "assistant", "content": final.answer}]
        notice = _notice(plain_words(final.notice)) if final.notice else ""
        yield shown, notice, "", shown, turns

    def list_docs() -> list[dict[str, Any]]:
        try:
            return [
                {"source": d.source, "title": d.title, "trust": d.trust, "chunks": d.chunks, "at": d.ingested_at}
                for d in service.documents()
            ]
        except FootnoteError:  # store down: the page still loads; the API's /readyz says why
            return []

    def listing(pending: str | None = None) -> dict[str, Any]:
        """What the Documents tab renders: the documents, and the one whose deletion awaits confirmation."""
        return {"docs": list_docs(), "pending": pending}

    def upload(file: str | None) -> tuple[Any, ...]:
        message = _upload(file)
        return message, listing(), None, welcome()

    def _upload(file: str | None) -> str:
        if not file:
            return _notice("Choose a document first (.txt, .md, .pdf, .docx, .html or .epub).", error=True)
        data = read_uploaded(file, service.settings.max_upload_bytes)
        if data is None:
            return _notice(NOT_UPLOADED, error=True)
        try:
            with service.admit():
                result = service.upload(Path(file).name, data)
        except FootnoteError as exc:
            log.warning("page upload refused: %s", exc)
            return _notice(f"Not added: {plain_words(str(exc))}", error=True)
        return _notice(f"{result.source}: {result.status}, {result.chunks} chunks.")

    def delete(source: str) -> tuple[Any, ...]:
        try:
            with service.admit():
                n = service.delete(source)
        except FootnoteError as exc:
            log.warning("page delete refused: %s", exc)
            message = _notice(f"Not deleted: {plain_words(str(exc))}", error=True)
        else:
            message = _notice(f"Deleted {source} ({n} chunks).")
        return message, listing(), welcome()

    with gr.Blocks(title="Footnote") as page:
        shown = gr.State([])
        turns = gr.State([])
        with gr.Row(elem_id="header"):
            gr.Markdown(
                "# Footnote\nAnswers from the articles, each claim with a footnote you can check. "
                f"Answerer: **{html.escape(service.answerer)}**"
            )
            new = gr.Button("New chat", size="md", elem_id="new-chat")
        with gr.Tab("Ask"):
            chatbot = gr.Chatbot(
                label="Conversation",
                height="min(60vh, 640px)",
                sanitize_html=True,
                allow_tags=False,
                latex_delimiters=[],
                buttons=["copy"],
                feedback_options=None,
                elem_id="chat",
            )
            with gr.Row(equal_height=True):
                box = gr.Textbox(
                    label="Your question",
                    placeholder="Ask about the articles…",
                    scale=5,
                    elem_id="question",
                    max_lines=4,
                    max_length=limit,
                )
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
            counter = gr.HTML(f"0 / {limit} characters", elem_id="counter")
            notice = gr.HTML(elem_id="notice")
            with gr.Row(elem_id="examples"):
                chips = [gr.Button(q, size="sm", elem_classes=["chip"]) for q in EXAMPLES]
        with gr.Tab("Documents", elem_id="doc-tab"):
            shelf = gr.State({"docs": [], "pending": None})  # one state: one render per change
            up = gr.File(
                label="Upload a document (.txt, .md, .pdf, .docx, .html, .epub)",
                file_types=list(SUPPORTED),
                type="filepath",
            )
            status = gr.HTML(elem_id="doc-status")

            # Rendered when the state changes, not also on load. The page can still render twice on load (Gradio's
            # front end fires the state's change more than once), so each button's event is keyed by its document:
            # a button of the first render, clicked before the second arrives, keeps the same event id and works.
            # One render at a time: two at once in a session drop each other's events (a render takes milliseconds).
            @gr.render(inputs=shelf, triggers=[shelf.change], concurrency_limit=1, concurrency_id="documents-render")
            def rows(state: dict[str, Any]) -> None:
                items, pend = state["docs"], state["pending"]
                if not items:
                    gr.Markdown("No documents in the store yet.")
                for i, d in enumerate(items):
                    with gr.Row(elem_classes=["doc-row"], elem_id=f"doc-{i}"):
                        uploaded = " · *uploaded*" if d["trust"] == "contributed" else ""
                        gr.Markdown(
                            f"**{inert_markdown(d['title'])}**{uploaded}  \n"
                            f"{inert_markdown(d['source'])} · {d['chunks']} chunks · added {d['at'][:16]}"
                        )
                        if not deletable(d["trust"]):
                            continue
                        if pend == d["source"]:
                            gr.Markdown(f"Delete {inert_markdown(d['source'])} and its {d['chunks']} chunks?")
                            yes = gr.Button("Yes, delete", variant="stop", elem_id="confirm-delete")
                            no = gr.Button("Cancel")
                            yes.click(
                                partial(delete, d["source"]),
                                None,
                                [status, shelf, chatbot],
                                key=("yes", d["source"]),
                            )
                            no.click(lambda st: {**st, "pending": None}, shelf, shelf, key=("no", d["source"]))
                        else:
                            ask = gr.Button("Delete", size="sm")
                            ask.click(
                                partial(lambda s, st: {**st, "pending": s}, d["source"]),
                                shelf,
                                shelf,
                                key=("ask", d["source"]),
                            )

        outputs = [chatbot, notice, box, shown, turns]
        send.click(respond, [box, shown, turns], outputs, api_name="ask")
        box.submit(respond, [box, shown, turns], outputs, api_visibility="private")
        for chip in chips:
            chip.click(respond, [chip, shown, turns], outputs, api_visibility="private")
        new.click(lambda: ([], "", "", [], []), None, outputs, api_visibility="private")
        # The chat's own trash icon empties the messages in the browser; memory and notices go with them.
        chatbot.clear(lambda: ("", [], []), None, [notice, shown, turns], api_visibility="private")
        box.change(None, box, counter, js=COUNTER_JS % limit)
        up.upload(upload, up, [status, shelf, up, chatbot], api_visibility="private")
        page.load(listing, None, shelf, api_visibility="private")
        page.load(welcome, None, chatbot, api_visibility="private")
    page.queue(default_concurrency_limit=8, max_size=service.settings.max_pending)
    return page
