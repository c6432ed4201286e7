"""The Gradio page: streamed answers with footnotes, a sources panel, a documents tab. All text is escaped."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
from gradio import utils as gr_utils

from rag.config import Settings
from rag.errors import FootnoteError
from rag.types import Answer, AnswerDelta, Turn
from ui.service import Service, check_text

EXAMPLES = [
    "How big is Llama 2 vs Qwen-VL?",
    "Which Nvidia systems can't be exported to China?",
    "What can Qwen-VL-Chat do with photos?",
    "How does the Chinese government support open-source AI?",
]
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_AUTOLINK = re.compile(r"(?<=[A-Za-z])(?=://)|(?<=\bwww)(?=\.)|(?<=\w)(?=@\w)", re.I)
_MARKER = re.compile(r"\\\[(\d{1,3})\\\]")
CSS = """
#sources mark { background: #fff3a3; padding: 0 2px; }
#sources blockquote { margin: 4px 0 12px; padding-left: 10px; border-left: 3px solid #ccc; white-space: pre-wrap; }
#sources .refusal { font-weight: 600; }
#sources .badge { font-size: 0.8em; padding: 0 4px; border: 1px solid #b45309; border-radius: 4px; color: #b45309; }
#sources .set-aside { margin-top: 12px; padding: 6px 10px; background: #fff7ed; border-radius: 6px; }
"""


def safe_markdown(text: str) -> str:
    """Text shown literally: HTML escaped, Markdown neutralized, no autolinks; our [n] markers become superscripts."""
    text = _AUTOLINK.sub("\u200b", text)  # a zero-width space after "http", "www" or "@" stops link detection
    escaped = _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    return _MARKER.sub(r"<sup>[\1]</sup>", escaped)


NOT_UPLOADED = (
    "Not ingested: that file did not come from this page's upload. Choose a .txt or .md file with the upload box."
)


def upload_folder() -> Path:
    """Gradio's upload cache (GRADIO_TEMP_DIR, else <tmp>/gradio), symlinks resolved."""
    return Path(gr_utils.get_upload_folder()).resolve()


def read_uploaded(file: str, limit: int) -> bytes | None:
    """The bytes of a file Gradio received through its upload route, then deleted; None for any other path.

    The path is resolved (symlinks too) and must lie inside the upload folder; missing, a folder, unreadable or
    outside all give None, so the one message shown never tells which.
    """
    try:
        path = Path(file).resolve(strict=True)
        if not path.is_relative_to(upload_folder()) or not path.is_file():
            return None
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except (OSError, ValueError, RuntimeError):
        return None
    discard_upload(path)
    return data


def discard_upload(path: Path) -> None:
    """Delete an uploaded file and its per-upload folder from Gradio's cache (never anything outside it)."""
    root = upload_folder()
    try:
        if not path.resolve().is_relative_to(root) or path.resolve() == root:
            return
        path.unlink(missing_ok=True)
        parent = path.parent
        if parent.resolve() != root and parent.resolve().is_relative_to(root):
            parent.rmdir()  # only when empty
    except OSError:
        pass


def upload_cache_guard(settings: Settings) -> Callable[[], str | None]:
    """Run before each page upload: delete cached files older than FOOTNOTE_UPLOAD_CACHE_MINUTES, then say why
    the cache is full (FOOTNOTE_UPLOAD_CACHE_FILES / _BYTES), or None when there is room."""

    def guard() -> str | None:
        root = upload_folder()
        if not root.is_dir():
            return None
        cutoff = time.time() - settings.upload_cache_minutes * 60
        files, size = 0, 0
        for path in list(root.rglob("*")):
            try:
                if path.is_symlink() or not path.is_file():
                    continue
                st = path.stat()
                if st.st_mtime < cutoff:
                    discard_upload(path)
                    continue
            except OSError:
                continue
            files += 1
            size += st.st_size
        if files >= settings.upload_cache_files or size >= settings.upload_cache_bytes:
            return (
                f"the page's upload cache is full ({files} files, {size} bytes; FOOTNOTE_UPLOAD_CACHE_FILES, "
                f"FOOTNOTE_UPLOAD_CACHE_BYTES); unused uploads are deleted after "
                f"{settings.upload_cache_minutes:g} minutes: retry then"
            )
        return None

    return guard


def sources_html(answer: Answer) -> str:
    """The sources panel: each footnote with file, lines and the quote marked inside its passage."""
    esc = html.escape
    parts = []
    if answer.notice:
        parts.append(f'<p role="status"><em>{esc(answer.notice)}</em></p>')
    if answer.refused:
        parts.append(f'<p class="refusal">{esc(answer.answer.split(". The closest")[0])}. Closest matches:</p><ol>')
        for p in [p for p in answer.passages if not p.flags][:3]:
            parts.append(
                f"<li><strong>{esc(p.source)}</strong>{_badge(p.trust)}, lines {p.start_line}–{p.end_line}"
                f"<blockquote>{esc(p.text)}</blockquote></li>"
            )
        parts.append("</ol>")
        parts.append(_hostile_html(answer))
        return "".join(parts)
    parts.append('<ol class="footnotes">')
    for c in answer.citations:
        passage = next(
            (p for p in answer.passages if p.source == c.source and c.quote in p.text),
            None,
        )
        if passage is not None:
            before, _, after = passage.text.partition(c.quote)
            body = f"{esc(before)}<mark>{esc(c.quote)}</mark>{esc(after)}"
        else:
            body = f"<mark>{esc(c.quote)}</mark>"
        parts.append(
            f'<li id="fn-{c.n}" value="{c.n}"><strong>[{c.n}] {esc(c.source)}</strong>{_badge(c.trust)}, '
            f"lines {c.start_line}–{c.end_line}<blockquote>{body}</blockquote></li>"
        )
    parts.append("</ol>")
    if answer.set_aside:
        parts.append(
            '<div class="set-aside"><p>Set aside: an uploaded document matches more closely, '
            "but the curated articles take precedence. Not verified:</p><ul>"
        )
        for p in answer.set_aside:
            parts.append(
                f"<li><strong>{esc(p.source)}</strong>{_badge(p.trust)}, lines {p.start_line}–{p.end_line}"
                f"<blockquote>{esc(p.text)}</blockquote></li>"
            )
        parts.append("</ul></div>")
    parts.append(_hostile_html(answer))
    return "".join(parts)


def _hostile_html(answer: Answer) -> str:
    """Retrieved passages marked as hostile text, named with their reasons (never quoted)."""
    esc = html.escape
    hostile = [p for p in answer.passages if p.flags]
    if not hostile:
        return ""
    items = "".join(
        f"<li><strong>{esc(p.source)}</strong>{_badge(p.trust)}, lines {p.start_line}–{p.end_line}: "
        f"{esc(', '.join(p.flags))}</li>"
        for p in hostile
    )
    return (
        '<div class="hostile"><p>Set aside as hostile text (instructions, stuffing or hidden characters inside a '
        f"document); never quoted:</p><ul>{items}</ul></div>"
    )


def _badge(trust: str) -> str:
    return ' <span class="badge" title="uploaded through the page or the API">uploaded</span>' * (
        trust == "contributed"
    )


def build_page(service: Service) -> gr.Blocks:
    """The chat page and the documents tab, calling the service in-process."""

    def respond(
        question: str, turns: list[dict[str, str]] | None
    ) -> Iterator[tuple[list[dict[str, str]], str, str, list[dict[str, str]]]]:
        turns = list(turns or [])
        shown = [{"role": t["role"], "content": safe_markdown(t["content"])} for t in turns]
        history = [Turn(t["role"], t["content"]) for t in turns]  # type: ignore[arg-type]
        try:
            check_text(question, "the question")
            service.chat.check_question(question)
        except FootnoteError as exc:
            yield shown, f'<p role="alert">{html.escape(str(exc))}</p>', question, turns
            return
        shown.append({"role": "user", "content": safe_markdown(question)})
        partial = ""
        try:
            with service.admit():
                for item in service.stream(question, history):
                    if isinstance(item, AnswerDelta):
                        partial += item.text
                        yield [*shown, {"role": "assistant", "content": safe_markdown(partial)}], "", "", turns
                    else:
                        final = item
        except FootnoteError as exc:
            yield shown, f'<p role="alert">{html.escape(str(exc))}</p>', "", turns
            return
        turns = [*turns, {"role": "user", "content": question}, {"role": "assistant", "content": final.answer}]
        shown.append({"role": "assistant", "content": safe_markdown(final.answer)})
        yield shown, sources_html(final), "", turns

    def list_docs() -> list[list[Any]]:
        try:
            return [[d.source, d.title, d.trust, d.chunks, d.ingested_at] for d in service.documents()]
        except FootnoteError:  # store down: the page still loads; the API's /readyz says why
            return []

    def upload(file: str | None) -> tuple[str, list[list[Any]]]:
        if not file:
            return "Choose a .txt or .md file first.", list_docs()
        data = read_uploaded(file, service.settings.max_upload_bytes)
        if data is None:
            return NOT_UPLOADED, list_docs()
        name = Path(file).name
        try:
            with service.admit():
                result = service.upload(name, data)
        except FootnoteError as exc:
            return f"Not ingested: {safe_markdown(str(exc))}", list_docs()
        return f"{safe_markdown(result.source)}: {result.status}, {result.chunks} chunks.", list_docs()

    def delete(source: str) -> tuple[str, list[list[Any]]]:
        try:
            with service.admit():
                n = service.delete(source.strip())
        except FootnoteError as exc:
            return safe_markdown(str(exc)), list_docs()
        return f"Deleted {safe_markdown(source.strip())} ({n} chunks).", list_docs()

    with gr.Blocks(title="Footnote") as page:
        gr.Markdown(
            "# Footnote\nAnswers from the articles, each claim with a footnote you can check. "
            f"Answerer: **{html.escape(service.answerer)}**",
            elem_id="header",
        )
        turns = gr.State([])
        with gr.Tab("Ask"):
            chatbot = gr.Chatbot(label="Conversation", height=380, sanitize_html=True, allow_tags=False, elem_id="chat")
            with gr.Row():
                box = gr.Textbox(
                    label="Your question",
                    placeholder="Ask about the articles…",
                    scale=5,
                    elem_id="question",
                    max_lines=4,
                )
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
            gr.Examples(EXAMPLES, inputs=box, label="Example questions")
            gr.Markdown("### Sources")
            sources = gr.HTML(elem_id="sources", label="Sources")
            new = gr.Button("New conversation", size="sm")
        with gr.Tab("Documents"):
            table = gr.Dataframe(
                headers=["source", "title", "trust", "chunks", "ingested at"],
                value=list_docs,
                interactive=False,
                label="Documents in the store",
            )
            up = gr.File(label="Upload a .txt or .md file", file_types=[".txt", ".md"], type="filepath")
            with gr.Row():
                name = gr.Textbox(label="File name to delete", scale=4)
                remove = gr.Button("Delete", variant="stop", scale=1)
            status = gr.Markdown(elem_id="doc-status")
        outputs = [chatbot, sources, box, turns]
        send.click(respond, [box, turns], outputs, api_name="ask")
        box.submit(respond, [box, turns], outputs, api_visibility="private")
        new.click(lambda: ([], "", "", []), None, outputs, api_visibility="private")
        up.upload(upload, up, [status, table], api_visibility="private")
        remove.click(delete, name, [status, table], api_visibility="private")
        page.load(list_docs, None, table, api_visibility="private")
    page.queue(default_concurrency_limit=8, max_size=service.settings.max_pending)
    return page
