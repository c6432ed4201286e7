"""Settings: the only reader of the environment (FOOTNOTE_ prefix, plus OPENAI_API_KEY/OPENAI_BASE_URL)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.types import Trust

DEFAULT_EMBEDDING = "all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Every knob of Footnote; see .env.example and the README's settings table."""

    model_config = SettingsConfigDict(
        env_prefix="FOOTNOTE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # -- store
    qdrant_path: Path = Field(
        Path("data/qdrant"),
        description="Directory of the embedded store (used when qdrant_url is unset): Qdrant Edge keeps each "
        "collection in <dir>/edge/<collection>; one process at a time (<dir>/.lock). A store of the earlier "
        "release (<dir>/collection, <dir>/meta.json) is moved into it when it first opens.",
    )
    qdrant_engine: Literal["edge", "local"] = Field(
        "edge",
        description="Engine of the embedded store: edge (Qdrant Edge, the default) or local (qdrant-client's local "
        "mode, the earlier release's engine, kept for comparison: `footnote bench`; slow past 20k chunks).",
    )
    qdrant_url: str | None = Field(
        None, description="URL of a Qdrant server, e.g. http://localhost:6333; replaces the embedded store."
    )
    qdrant_api_key: SecretStr | None = Field(None, description="API key for the Qdrant server, if it needs one.")
    qdrant_timeout: float = Field(5.0, description="Seconds before a Qdrant server request gives up.")
    collection: str = Field("footnote", description="Qdrant collection name.")

    # -- ingest
    seeds_dir: Path = Field(Path("seeds"), description="Folder ingested by default and on first start.")
    embedding: str = Field(
        DEFAULT_EMBEDDING,
        description="Embedding model: the packaged all-MiniLM-L6-v2, or openai:text-embedding-3-small.",
    )
    embedding_backend: Literal["onnx", "torch"] = Field(
        "onnx",
        description="How the packaged all-MiniLM-L6-v2 runs: onnx (onnxruntime, no torch at run time; the model is "
        "exported to ONNX with torch once and cached in FOOTNOTE_MODEL_CACHE) or torch (sentence-transformers, "
        "for comparison). Both give the same vectors (cosine 0.9999+ in fp32).",
    )
    embedding_precision: Literal["fp32", "int8"] = Field(
        "int8",
        description="Weights of the onnx backend, for documents and questions alike: int8 (onnxruntime's dynamic "
        "quantization, ~3x torch's ingest speed and a question in ~1.5 ms; hit@1 and fact recall within 0.01 of fp32 "
        "on every eval set) or fp32 (the exported model, vectors equal to torch's).",
    )
    model_cache: Path | None = Field(
        None,
        description="Folder of the exported ONNX embedding model (made once, at first use; the folder name carries "
        "a hash of the packaged weights). Default: $XDG_CACHE_HOME/footnote, else ~/.cache/footnote.",
    )
    chunk_tokens: int = Field(80, ge=32, le=250, description="Max word pieces per chunk (MiniLM truncates past 256).")
    embed_batch_size: int = Field(
        64, ge=1, description="Chunks embedded per embedder call (the onnx backend runs them 16 at a time)."
    )
    max_pdf_bytes: int = Field(50_000_000, ge=1, description="Largest PDF a reader opens (ingest and upload).")
    max_pdf_pages: int = Field(2000, ge=1, description="Most pages a PDF may have.")
    max_docx_bytes: int = Field(20_000_000, ge=1, description="Largest Word (.docx) file a reader opens.")
    max_epub_bytes: int = Field(50_000_000, ge=1, description="Largest EPUB a reader opens.")
    max_html_bytes: int = Field(10_000_000, ge=1, description="Largest HTML page a reader opens.")
    max_unzipped_bytes: int = Field(
        200_000_000, ge=1, description="Most bytes a DOCX or EPUB (zip files) may unpack to (zip bombs)."
    )
    max_zip_ratio: float = Field(
        100.0, gt=1, description="Highest unpacked-to-packed size ratio of a DOCX or EPUB (zip bombs)."
    )

    # -- retrieval and answers
    top_k: int = Field(5, ge=1, le=50, description="Passages retrieved per question.")
    answerer: Literal["auto", "extractive", "openai"] = Field(
        "auto", description="auto: openai when OPENAI_API_KEY or OPENAI_BASE_URL is set, else extractive."
    )
    llm_model: str = Field("gpt-4o-mini", description="Chat model name for the openai answerer.")
    llm_timeout: float = Field(30.0, description="Seconds before the LLM call gives up (then: extractive).")
    openai_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("OPENAI_API_KEY", "FOOTNOTE_OPENAI_API_KEY"),
        description="OPENAI_API_KEY: key for OpenAI or a compatible server.",
    )
    openai_base_url: str | None = Field(
        None,
        validation_alias=AliasChoices("OPENAI_BASE_URL", "FOOTNOTE_OPENAI_BASE_URL"),
        description="OPENAI_BASE_URL: an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.",
    )
    min_dense_score: float = Field(
        0.17,
        description="Refusal gate: below this cosine for the best passage, the question is refused (the middle of"
        " the gap between off-topic and answerable questions of the tune split: 0.13 and 0.21).",
    )
    calibrate_gate: bool = Field(
        True,
        description="In a library of 50+ documents, also refuse a question whose best passage is no closer than "
        "a typical sentence of one document comes to other documents (read from the library, once per store "
        "version).",
    )
    contributed_weight: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Uploaded (contributed) passages' scores are multiplied by this when ranking passages and "
        "choosing answer sentences, so curated articles win where both speak (not on names only uploads "
        "mention); 1 ranks them alike.",
    )

    # -- serving
    host: str = Field("127.0.0.1", description="Address `footnote serve` binds.")
    port: int = Field(7860, description="Port `footnote serve` binds.")
    api_key: SecretStr | None = Field(
        None, description="When set, every /v1 route needs 'Authorization: Bearer <key>'."
    )
    public_url: str | None = Field(
        None,
        description="The server's address as clients reach it (e.g. https://footnote.example.org), used in citation "
        "links (OpenAI annotations, footnotes); default: the address each request came to.",
    )
    footnotes_in_content: bool = Field(
        False,
        description="Append rendered footnotes ([n] title, file, lines, quote, link) to the content of every "
        "/v1/chat/completions answer, for clients that show nothing but the text (a request may ask with "
        "footnotes: true).",
    )
    max_question_chars: int = Field(2000, ge=1, description="Longest question accepted.")
    max_upload_bytes: int = Field(2_000_000, ge=1, description="Largest document upload accepted.")
    max_upload_chunks: int = Field(
        2000,
        ge=1,
        description="Most chunks one upload may make (caps the embedding work one request causes); larger "
        "documents go through `footnote ingest`.",
    )
    upload_trust: Trust = Field(
        "contributed",
        description="Trust given to documents uploaded through the page or the API: contributed (ranked below "
        "curated folders, cannot replace or delete them) or curated. An API-key holder may ask for curated.",
    )
    max_pending: int = Field(
        64, ge=1, description="Requests waiting for the engine before 503 (taken only once the key and body are in)."
    )
    body_timeout: float = Field(
        20.0,
        gt=0,
        description="Seconds a client has to send a whole request body; slower senders get 408 and lose the "
        "connection (a trickled body never holds a slot).",
    )
    max_bodies_per_client: int = Field(
        8,
        ge=1,
        description="Slow request bodies (not all in within 0.5 s) one client address may be sending at once; more "
        "get 429 (caps what one client can make the server hold). Bodies that arrive whole are not counted.",
    )
    max_auth_failures: int = Field(
        10,
        ge=1,
        description="Wrong API keys or page logins one client address may send in a minute; then 429 until the "
        "minute is over.",
    )
    allowed_hosts: str = Field(
        "",
        description="Comma-separated host names the server answers to besides localhost, 127.0.0.1, ::1 and "
        "FOOTNOTE_HOST (other Host headers get 400: DNS rebinding); * allows any. Set it to the name clients use "
        "when the port is exposed, e.g. footnote.example.org.",
    )
    allowed_origins: str = Field(
        "",
        description="Comma-separated origins (scheme://host[:port]) whose web pages may POST, PUT, PATCH or DELETE "
        "here besides the server's own; other browser Origins get 403 (cross-site requests). * allows any.",
    )
    upload_cache_files: int = Field(
        100,
        ge=1,
        description="Files the page's upload cache (Gradio's, under GRADIO_TEMP_DIR) may hold; files older than "
        "FOOTNOTE_UPLOAD_CACHE_MINUTES are deleted first, then uploads get 503 until there is room.",
    )
    upload_cache_bytes: int = Field(
        50_000_000, ge=1, description="Bytes the page's upload cache may hold (see FOOTNOTE_UPLOAD_CACHE_FILES)."
    )
    upload_cache_minutes: float = Field(
        10.0, gt=0, description="Minutes an unused page upload is kept in the cache before it is deleted."
    )

    @field_validator("embedding_backend", "embedding_precision", mode="before")
    @classmethod
    def _one_of(cls, value: object, info: ValidationInfo) -> object:
        """A clear error naming the variable, e.g. FOOTNOTE_EMBEDDING_BACKEND=cuda."""
        field = info.field_name or ""
        allowed = {"embedding_backend": ("onnx", "torch"), "embedding_precision": ("fp32", "int8")}[field]
        text = value.strip().lower() if isinstance(value, str) else value
        if text not in allowed:
            name = f"FOOTNOTE_{field.upper()}"
            raise ValueError(f"{name}={value!r} is not one of: {', '.join(allowed)}")
        return text

    def hosts(self) -> set[str]:
        """Host names served: localhost, the loopback addresses, FOOTNOTE_HOST and FOOTNOTE_ALLOWED_HOSTS."""
        names = {"localhost", "127.0.0.1", "::1"} | {h.strip().lower() for h in self.allowed_hosts.split(",")}
        if self.host not in ("0.0.0.0", "::", ""):
            names.add(self.host.lower())
        return names - {""}

    def origins(self) -> set[str]:
        """Origins allowed besides the server's own (FOOTNOTE_ALLOWED_ORIGINS), without trailing slashes."""
        return {o.strip().rstrip("/").lower() for o in self.allowed_origins.split(",")} - {""}

    def use_openai(self) -> bool:
        """Whether answers come from the OpenAI-compatible LLM."""
        if self.answerer == "auto":
            return self.openai_api_key is not None or self.openai_base_url is not None
        return self.answerer == "openai"
