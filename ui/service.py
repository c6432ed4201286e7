"""The engine behind every face of the server: one store, one embedder, one Chat, bounded admission."""

from __future__ import annotations

import logging
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ingest.load import SUPPORTED, SUPPORTED_NAMES, parse_document
from ingest.pipeline import Ingestor, IngestReport, StoredDocument, manifest
from ingest.readers import ReadLimits
from rag.chat import Chat
from rag.config import Settings
from rag.errors import BadDocument, BadQuestion, CuratedDocument, FootnoteError, UnknownDocument
from rag.retrieval.embeddings import embedder_from_settings
from rag.retrieval.store import open_store
from rag.types import Answer, AnswerDelta, Passage, Trust, Turn
from ui.documents import DocumentText, document_text

log = logging.getLogger(__name__)


class Overloaded(FootnoteError):
    """Too many requests are already waiting."""


@dataclass(frozen=True)
class Upload:
    """What ingesting one document did."""

    source: str
    status: str  # added | updated | unchanged
    chunks: int
    chunks_embedded: int
    points: int
    trust: Trust = "contributed"


# Characters a document name may not hold: C0/C1 controls (NUL, CR, LF, ESC...) and format characters, among them
# the bidirectional overrides and isolates that make a name read differently from what it is.
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def check_name(source: str) -> None:
    """BadDocument when a document name holds a control, format (bidi) or unpaired surrogate character."""
    for i, ch in enumerate(source):
        if unicodedata.category(ch) in _INVISIBLE:
            raise BadDocument(
                f"the document name has an invisible or control character (U+{ord(ch):04X}) at position {i}; "
                "rename the file using visible characters only"
            )


def check_text(text: str, what: str) -> None:
    """BadQuestion when text holds an unpaired UTF-16 surrogate (JSON allows "\\ud800"; UTF-8 cannot carry it)."""
    for i, ch in enumerate(text):
        if "\ud800" <= ch <= "\udfff":
            raise BadQuestion(
                f"{what} has an unpaired UTF-16 surrogate (U+{ord(ch):04X}) at position {i}; send valid Unicode text"
            )


class Service:
    """Shared by the REST API and the page; store access is serialized by the Store's lock."""

    def __init__(self, settings: Settings, *, chat: Chat, ingestor: Ingestor) -> None:
        self.settings = settings
        self.chat = chat
        self.ingestor = ingestor
        self.store = chat.retriever.store
        self.started = time.time()
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._warm = "off"  # the sentence warm-up: off, running, done (reported by /readyz)

    @classmethod
    def opening(cls, settings: Settings) -> Future[Service]:
        """from_settings() in a thread: the caller goes on (serve imports the web stack meanwhile, ~2 s) and
        takes the Service, or the error that stopped it, from .result()."""
        where = settings.qdrant_url or settings.qdrant_path
        print(f"Footnote: loading the embedder and opening the store ({where})…", file=sys.stderr, flush=True)
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="footnote-open")
        try:
            return pool.submit(cls.from_settings, settings)
        finally:
            pool.shutdown(wait=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Service:
        """Load the embedder, open the store, build the chat."""
        embedder = embedder_from_settings(settings)
        store = open_store(settings, model=embedder.model, dim=embedder.dim)
        chat = Chat.from_settings(settings, store=store, embedder=embedder)
        ingestor = Ingestor.from_settings(settings, store, embedder)
        return cls(settings, chat=chat, ingestor=ingestor)

    @property
    def answerer(self) -> str:
        """The active answerer's name."""
        return self.chat.answerer_name

    def acquire(self) -> None:
        """Take a slot; Overloaded when max_pending are taken. Pair with release()."""
        with self._pending_lock:
            if self._pending >= self.settings.max_pending:
                raise Overloaded(
                    f"{self._pending} requests are already waiting (FOOTNOTE_MAX_PENDING); retry in a moment"
                )
            self._pending += 1

    def release(self) -> None:
        """Give a slot back."""
        with self._pending_lock:
            self._pending -= 1

    @contextmanager
    def admit(self) -> Iterator[None]:
        """Count a request in for its duration; Overloaded when max_pending are already in."""
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def ingest_seeds_if_empty(self) -> IngestReport | None:
        """First start: ingest the seeds folder when the collection holds nothing."""
        if self.store.count() > 0 or not self.settings.seeds_dir.is_dir():
            if self.store.exists():
                self.store.check_schema()
            return None
        with self._write_lock:
            report = self.ingestor.ingest_paths([self.settings.seeds_dir], progress=False)
        self.chat.invalidate()
        log.info("ingested %s: %s", self.settings.seeds_dir, report.summary())
        return report

    def warm_in_background(self) -> threading.Thread:
        """Measure the refusal floor and embed the corpus's sentences for the extractive answerer, in a thread
        (readiness does not wait)."""

        self._warm = "running"

        def run() -> None:
            try:
                self.chat.floor(self.chat.corpus())  # a large library's refusal floor: not on the first question
                texts = (str(p.get("text", "")) for _, p in self.store.scroll_payloads(["text"]))
                n = self.chat.extractive.warm(texts)
                log.info("warmed %d sentence vectors", n)
            except FootnoteError as exc:
                log.warning("warm-up skipped: %s", exc)
            finally:
                self._warm = "done"

        thread = threading.Thread(target=run, name="footnote-warm", daemon=True)
        thread.start()
        return thread

    def ready(self) -> dict[str, Any]:
        """Readiness facts; raises when the store is not usable."""
        if not self.store.exists():
            raise FootnoteError(f"collection '{self.store.collection_name}' does not exist yet")
        self.store.check_schema()
        return {"status": "ready", "points": self.store.count(), "answerer": self.answerer, "warm_up": self._warm}

    def ask(self, question: str, history: Sequence[Turn] = (), *, top_k: int | None = None) -> Answer:
        """A cited answer (callers admit: the API's middleware, the page's handlers)."""
        return self.chat.ask(question, history, top_k=top_k)

    def stream(
        self, question: str, history: Sequence[Turn] = (), *, top_k: int | None = None
    ) -> Iterator[AnswerDelta | Answer]:
        """Deltas then the Answer; a bad question raises here, before any response has started."""
        self.chat.check_question(question)
        return self.chat.stream(question, history, top_k=top_k)

    def search(self, query: str, *, top_k: int | None = None) -> list[Passage]:
        """Hybrid search, no answer."""
        q = self.chat.check_question(query)
        return self.chat.search(q, top_k=top_k or self.settings.top_k)

    def drop_broken_uploads(self) -> list[str]:
        """Uploads a stop cut off mid-write: nothing on disk can complete them, so they go (they never answered)."""
        uploads = manifest(self.store, where={"trust": "contributed"})  # at start: not every curated point
        broken = [d.source for d in uploads.values() if not d.complete]
        with self._write_lock:
            for source in broken:
                self.ingestor.delete(source)
        if broken:
            self.chat.invalidate()
        return broken

    def documents(self) -> list[StoredDocument]:
        """Documents in the store, by name."""
        return sorted(manifest(self.store).values(), key=lambda d: d.source)

    def document(self, source: str) -> DocumentText:
        """One document whole (title, trust, chunks, text); UnknownDocument when the store holds no such name."""
        payloads = self.store.document(source)
        if not payloads:
            raise UnknownDocument(f"no document named {source!r} is in the store; GET /v1/documents lists them")
        return document_text(source, payloads)

    def upload(self, source: str, data: bytes, *, trust: Trust | None = None) -> Upload:
        """Ingest one document from bytes (trust: FOOTNOTE_UPLOAD_TRUST unless given); BadDocument when unusable.

        A contributed upload never replaces a curated document of the same name (CuratedDocument).
        """
        trust = trust or self.settings.upload_trust
        check_name(source)
        name = source.strip().replace("\\", "/").rsplit("/", 1)[-1]
        if not name or name.startswith(".") or not name.lower().endswith(SUPPORTED):
            raise BadDocument(
                f"the document name must end in {', '.join(SUPPORTED)} (got {source!r}): upload {SUPPORTED_NAMES}"
            )
        if len(data) > self.settings.max_upload_bytes:
            raise BadDocument(
                f"{name} is {len(data)} bytes; the limit is {self.settings.max_upload_bytes} bytes "
                "(FOOTNOTE_MAX_UPLOAD_BYTES)"
            )
        try:
            doc = parse_document(name, data, limits=ReadLimits.from_settings(self.settings))
        except ValueError as exc:
            raise BadDocument(f"{name}: {exc}") from None
        # The cap first, from one count of the whole text: each chunk holds at most max_tokens word pieces.
        cap, per_chunk = self.settings.max_upload_chunks, self.ingestor.max_tokens
        pieces = sum(self.ingestor.embedder.count_tokens([doc.text]))
        if pieces > cap * per_chunk:
            raise BadDocument(
                f"{name} holds {pieces} word pieces, more than {cap} chunks of {per_chunk} can hold "
                "(FOOTNOTE_MAX_UPLOAD_CHUNKS): split the file, or put it in a folder and run `footnote ingest`"
            )
        chunks = self.ingestor.count_chunks(doc)
        if chunks > self.settings.max_upload_chunks:
            raise BadDocument(
                f"{name} makes {chunks} chunks; one upload may make {self.settings.max_upload_chunks} "
                "(FOOTNOTE_MAX_UPLOAD_CHUNKS): split the file, or put it in a folder and run `footnote ingest`"
            )
        with self._write_lock:
            self._guard_curated(name, trust, "replace")
            report = self.ingestor.ingest_documents([doc], trust=trust)
        self.chat.invalidate()
        status = "added" if report.added else "updated" if report.updated else "unchanged"
        chunks = next((d.chunks for d in self.documents() if d.source == name), 0)
        return Upload(name, status, chunks, report.chunks_embedded, report.points, trust)

    def delete(self, source: str, *, trust: Trust | None = None) -> int:
        """Remove a document as a caller of this trust (default FOOTNOTE_UPLOAD_TRUST); UnknownDocument if absent."""
        with self._write_lock:
            self._guard_curated(source, trust or self.settings.upload_trust, "delete")
            n = self.ingestor.delete(source)
        self.chat.invalidate()
        return n

    def _guard_curated(self, source: str, trust: Trust, verb: str) -> None:
        if trust == "curated":
            return
        # Case-insensitive: "X.TXT" beside a curated "x.txt" would pass for it on most screens.
        docs = self.documents()
        stored = next((d for d in docs if d.source == source), None) or next(
            (d for d in docs if d.source.casefold() == source.casefold() and d.trust == "curated"), None
        )
        if stored is not None and stored.trust == "curated":
            same = "" if stored.source == source else f" (names are compared ignoring case: {source!r})"
            raise CuratedDocument(
                f"{stored.source} is a curated document{same}; an upload cannot {verb} it. Rename the upload, "
                "or change the file "
                "in its folder and run `footnote ingest` (through the API: with FOOTNOTE_API_KEY and trust=curated)"
            )

    def close(self) -> None:
        """Release the store."""
        self.store.close()
