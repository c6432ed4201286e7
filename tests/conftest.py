"""Shared fixtures: the real packaged embedder, embedded Qdrant in tmp dirs, the seeds ingested once."""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
warnings.filterwarnings("ignore", category=DeprecationWarning)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
EVAL_DIR = ROOT / "tests" / "eval"

from ingest.pipeline import Ingestor  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.retrieval.embeddings import Embedder, embedder_from_settings  # noqa: E402
from rag.retrieval.store import Store, open_store  # noqa: E402

# Keep the developer's .env and shell settings out of the tests.
for _k in list(os.environ):
    if _k.startswith("FOOTNOTE_") or _k in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        del os.environ[_k]


def make_settings(path: Path, **overrides: object) -> Settings:
    """Settings for a store under path, extractive answers, nothing read from .env."""
    return Settings(_env_file=None, qdrant_path=path, answerer="extractive", **overrides)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The packaged all-MiniLM-L6-v2, loaded once."""
    return embedder_from_settings(make_settings(Path("unused")))


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh embedded store."""
    return make_settings(tmp_path / "qdrant")


@pytest.fixture()
def store(settings: Settings, embedder: Embedder) -> Iterator[Store]:
    """An empty embedded store in a tmp dir."""
    s = open_store(settings, model=embedder.model, dim=embedder.dim)
    yield s
    s.close()


@pytest.fixture()
def ingestor(store: Store, embedder: Embedder, settings: Settings) -> Ingestor:
    """An ingestor over the tmp store."""
    return Ingestor(store, embedder, max_tokens=settings.chunk_tokens)


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """A private copy of seeds/ that a test may change."""
    dst = tmp_path / "corpus"
    shutil.copytree(SEEDS, dst)
    return dst


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[tuple[Settings, Store]]:
    """seeds/ ingested once into a session store."""
    settings = make_settings(tmp_path_factory.mktemp("seeded") / "qdrant")
    store = open_store(settings, model=embedder.model, dim=embedder.dim)
    Ingestor(store, embedder, max_tokens=settings.chunk_tokens).ingest_paths([SEEDS], progress=False)
    yield settings, store
    store.close()


@pytest.fixture(scope="session")
def chat(seeded: tuple[Settings, Store], embedder: Embedder):  # type: ignore[no-untyped-def]
    """The extractive Chat over the seeded store."""
    from rag.chat import Chat

    settings, store = seeded
    return Chat.from_settings(settings, store=store, embedder=embedder)


def cli_env(qdrant_path: Path, **extra: str) -> dict[str, str]:
    """Environment for a `footnote` subprocess on a given store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTNOTE_")}
    env.update({"FOOTNOTE_QDRANT_PATH": str(qdrant_path), "FOOTNOTE_ANSWERER": "extractive", **extra})
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    return env


FOOTNOTE = [sys.executable, "-m", "ui.cli"]


def build_service(path: Path, embedder: Embedder, folders: list[Path] | None = None):  # type: ignore[no-untyped-def]
    """A Service over a store at path with folders (default: seeds/) ingested, sharing the loaded embedder."""
    from rag.chat import Chat
    from ui.service import Service

    settings = make_settings(path)
    store = open_store(settings, model=embedder.model, dim=embedder.dim)
    ingestor = Ingestor(store, embedder, max_tokens=settings.chunk_tokens)
    report = ingestor.ingest_paths(folders or [SEEDS], progress=False)
    assert not report.skipped, report.public()
    return Service(settings, chat=Chat.from_settings(settings, store=store, embedder=embedder), ingestor=ingestor)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder):  # type: ignore[no-untyped-def]
    """A Service over its own store with the seeds ingested (tests may upload and delete)."""
    svc = build_service(tmp_path_factory.mktemp("served") / "qdrant", embedder)
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def base_url(service):  # type: ignore[no-untyped-def]
    """The service on a real HTTP server at 127.0.0.1."""
    from tests.live import live_server

    with live_server(service) as url:
        yield url
