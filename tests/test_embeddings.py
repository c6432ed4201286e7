"""The ONNX embedder: torch's vectors without torch at run time, exported once into an atomic cache."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from rag.config import Settings
from rag.errors import ConfigError
from rag.retrieval import onnx_model
from rag.retrieval.embeddings import Embedder, MiniLMEmbedder, OnnxMiniLMEmbedder, embedder_from_settings
from tests.conftest import ROOT, SEEDS, make_settings

EXPORT_LINE = "exporting the embedding model to ONNX once"
# Seed paragraphs, eval questions, a one-word text and one far past max_seq_length (256 word pieces).
QUESTIONS = [
    "How big is Llama 2 vs Qwen-VL?",
    "Which leaderboard featured Alibaba's Qwen models near the top?",
    "What did the article say?",
]


def _texts() -> list[str]:
    paragraphs = [p.strip() for f in sorted(SEEDS.glob("*.txt")) for p in f.read_text().split("\n\n") if p.strip()]
    long = " ".join(paragraphs)[:6000]
    return [*paragraphs[:12], *QUESTIONS, "x", long]


def _run(code: str, env: dict[str, str] | None = None, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=full,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    """The sentence-transformers path, selected by FOOTNOTE_EMBEDDING_BACKEND=torch."""
    e = embedder_from_settings(make_settings(Path("unused"), embedding_backend="torch"))
    assert isinstance(e, MiniLMEmbedder)
    return e


def test_int8_is_the_default_for_documents_and_questions(embedder: Embedder) -> None:
    assert isinstance(embedder, OnnxMiniLMEmbedder)
    assert embedder.precision == "int8" and embedder.path.name == "model.int8.onnx"
    assert (embedder.model, embedder.dim, embedder.max_tokens) == ("all-MiniLM-L6-v2", 384, 256)
    assert "site-packages" not in str(embedder.path)


def test_onnx_vectors_match_torch(embedder: Embedder, torch_embedder: Embedder) -> None:
    texts = _texts()
    want = np.array(torch_embedder.embed_documents(texts))
    fp32 = embedder_from_settings(make_settings(Path("unused"), embedding_precision="fp32"))
    assert isinstance(fp32, OnnxMiniLMEmbedder) and fp32.path.name == "model.onnx"
    got = np.array(fp32.embed_documents(texts))
    assert got.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cos = (want * got).sum(1)
    assert cos.min() >= 0.9999, cos  # the long text too: truncated at 256 like sentence-transformers, not 128
    # In fp32, questions and an answer's sentences get torch's vectors too
    assert float(np.array(fp32.embed_query(QUESTIONS[0])) @ want[12]) >= 0.9999
    assert ((np.array(fp32.embed_queries(texts)) * want).sum(1)).min() >= 0.9999
    # int8 is the same model, quantized: close, not equal, for documents and questions alike (one session)
    int8 = np.array(embedder.embed_documents(texts))
    assert 0.95 <= (want * int8).sum(1).min() < 0.9999
    queries = np.array(embedder.embed_queries(texts))
    assert ((queries * int8).sum(1)).min() >= 0.95


def test_an_int8_question_or_sentence_gets_one_vector_whatever_it_is_embedded_with(embedder: Embedder) -> None:
    # Dynamic quantization scales a run by its whole batch: embedded beside others, a sentence moved by up to 0.03
    # in cosine, and an answer depended on the questions asked before it. Questions and sentences run alone.
    texts = _texts()
    alone = np.array([embedder.embed_queries([t])[0] for t in texts])
    assert np.array_equal(np.array(embedder.embed_queries(texts)), alone)
    assert np.array_equal(np.array(embedder.embed_queries(list(reversed(texts)))), alone[::-1])


def test_token_counts_and_offsets_match_torch(embedder: Embedder, torch_embedder: Embedder) -> None:
    texts = _texts()
    counts = embedder.count_tokens(texts)
    assert counts == torch_embedder.count_tokens(texts)
    assert counts[-1] > 1000  # no truncation when counting
    assert counts[texts.index("x")] == 1  # no [CLS]/[SEP]
    offsets = embedder.token_offsets(texts)  # type: ignore[attr-defined]
    assert offsets == torch_embedder.token_offsets(texts)  # type: ignore[attr-defined]
    assert embedder.count_tokens([]) == [] and embedder.embed_documents([]) == []


def test_batches_sorted_by_length_keep_the_callers_order(embedder: Embedder) -> None:
    texts = _texts()
    small = OnnxMiniLMEmbedder(batch_size=3)  # the cached export: no torch, no second export
    together = np.array(small.embed_documents(texts))
    alone = np.array([small.embed_query(t) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)  # padding to a batch's longest changes nothing


def _no_torch_code(body: str) -> str:
    """body, then a check that neither torch nor sentence-transformers (nor transformers) was imported, nor the
    modules the extractive default never needs at start (scikit-learn, the OpenAI client: seconds of imports)."""
    check = """
    heavy = ("torch", "sentence_transformers", "transformers", "sklearn", "openai")
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
    assert not loaded, loaded
    print("no torch")
    """
    return "import sys\n" + textwrap.dedent(body) + textwrap.dedent(check)


def test_serving_never_imports_torch(embedder: Embedder, tmp_path: Path) -> None:
    """Once the export is cached: the embedder, and the server's whole start-to-ready path, without torch."""
    assert embedder.path.is_file()  # the session fixture exported it into the default cache
    body = f"""
    import rag.retrieval.embeddings as emb
    from rag.config import Settings
    settings = Settings(_env_file=None, qdrant_path={str(tmp_path / "qdrant")!r}, answerer="extractive")
    e = emb.embedder_from_settings(settings)
    assert type(e).__name__ == "OnnxMiniLMEmbedder"
    assert len(e.embed_query("Who made Qwen-VL?")) == 384 and len(e.embed_documents(["a", "b c"])) == 2
    from ui.server import create_app
    from ui.service import Service
    service = Service.from_settings(settings)
    service.ingest_seeds_if_empty()
    create_app(service)
    service.warm_in_background().join()
    assert service.search("Who made Qwen-VL?")
    """
    out = _run(_no_torch_code(body), env={"FOOTNOTE_SEEDS_DIR": str(SEEDS)})
    assert out.returncode == 0, out.stderr[-3000:]
    assert "no torch" in out.stdout
    assert EXPORT_LINE not in out.stderr


def test_two_processes_export_at_once_into_one_cache(tmp_path: Path) -> None:
    """A fresh cache: both exports succeed, the file is whole, and the next process neither exports nor loads torch."""
    cache = tmp_path / "cache"
    code = """
    from pathlib import Path
    from rag.retrieval.embeddings import OnnxMiniLMEmbedder
    e = OnnxMiniLMEmbedder(cache=Path(__import__("os").environ["FOOTNOTE_MODEL_CACHE"]))
    print(e.path, len(e.embed_query("hello")))
    """
    env = {"FOOTNOTE_MODEL_CACHE": str(cache)}
    full = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code)],
            env=full,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (stdout, stderr) in zip(procs, outs, strict=True):
        assert p.returncode == 0, stderr[-3000:]
        assert stdout.strip().endswith(" 384")
    assert any(EXPORT_LINE in stderr for _, stderr in outs)  # both, unless one starts after the other's export
    folders = list((cache / "onnx").glob("all-MiniLM-L6-v2-*"))
    assert len(folders) == 1
    assert sorted(f.name for f in folders[0].iterdir()) == ["model.onnx"]  # no temporary file left behind
    digest = onnx_model.weights_digest(onnx_model.packaged_model_dir(), cache)
    assert folders[0].name == f"all-MiniLM-L6-v2-{digest[:16]}"
    again = _run(_no_torch_code(code), env=env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert EXPORT_LINE not in again.stderr


def test_an_unwritable_cache_says_which_setting_to_change(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="FOOTNOTE_MODEL_CACHE"):
        OnnxMiniLMEmbedder(cache=blocker / "cache")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("FOOTNOTE_EMBEDDING_BACKEND", "cuda"), ("FOOTNOTE_EMBEDDING_PRECISION", "int4")],
)
def test_bad_backend_or_precision_names_the_setting(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=f"{variable}='{value}' is not one of"):
        Settings(_env_file=None)


def test_settings_accept_either_case(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FOOTNOTE_EMBEDDING_BACKEND", "Torch")
    monkeypatch.setenv("FOOTNOTE_EMBEDDING_PRECISION", " INT8 ")
    monkeypatch.setenv("FOOTNOTE_MODEL_CACHE", str(tmp_path))
    s = Settings(_env_file=None)
    assert (s.embedding_backend, s.embedding_precision, s.model_cache) == ("torch", "int8", tmp_path)
    assert onnx_model.cache_root(s.model_cache) == tmp_path
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert onnx_model.cache_root(None) == tmp_path / "xdg" / "footnote"


def test_a_damaged_cache_file_is_exported_again(tmp_path: Path, embedder: Embedder) -> None:
    assert isinstance(embedder, OnnxMiniLMEmbedder)
    model_dir = onnx_model.packaged_model_dir()
    damaged = onnx_model.onnx_path(model_dir, tmp_path, "fp32")
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"not an onnx model")
    e = OnnxMiniLMEmbedder(cache=tmp_path)
    assert e.path == damaged and damaged.stat().st_size > 1_000_000
    fp32 = embedder_from_settings(make_settings(Path("unused"), embedding_precision="fp32"))
    assert np.allclose(e.embed_query("hello"), fp32.embed_query("hello"), atol=1e-5)
