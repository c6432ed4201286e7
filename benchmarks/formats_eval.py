"""The eval sets against the seeds ingested from each format: `python benchmarks/formats_eval.py [--json OUT]`.

For each format a fresh embedded store holds the five seed articles in that format (seeds/ for txt,
tests/fixtures/<format>/ otherwise). The questions run unchanged; only the file names they expect are mapped to
the format's suffix (000_….txt -> 000_….pdf), and quotes are checked against the extracted text, which is what
is stored and cited. Prints one Markdown table: format x set -> hit_at_1, fact_recall, citation_precision.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.load import load_paths  # noqa: E402
from ingest.pipeline import Ingestor  # noqa: E402
from rag.chat import Chat  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.evaluate import files_of, load_questions, run  # noqa: E402
from rag.retrieval.embeddings import embedder_from_settings  # noqa: E402
from rag.retrieval.store import open_store  # noqa: E402

SETS = {
    "tune": ROOT / "tests/eval/footnote-tune.jsonl",
    "test": ROOT / "tests/eval/footnote-test.jsonl",
    "dev": ROOT / "tests/eval/dev.jsonl",
}
METRICS = ("hit_at_1", "fact_recall", "citation_precision", "quotes_outside_lines")


def folder_of(fmt: str) -> Path:
    """Where the seeds are in this format."""
    return ROOT / "seeds" if fmt == "txt" else ROOT / "tests" / "fixtures" / fmt


def evaluate(fmt: str, embedder: object, tmp: Path) -> dict[str, dict[str, float]]:
    """Ingest the seeds in one format into a fresh store and run every set."""
    settings = Settings(_env_file=None, qdrant_path=tmp / fmt / "qdrant", answerer="extractive")
    store = open_store(settings, model=embedder.model, dim=embedder.dim)  # type: ignore[attr-defined]
    try:
        report = Ingestor(store, embedder, max_tokens=settings.chunk_tokens).ingest_paths(  # type: ignore[arg-type]
            [folder_of(fmt)], progress=False
        )
        assert report.added == 5 and not report.skipped, report.public()
        extracted = tmp / fmt / "extracted"
        extracted.mkdir()
        for doc in load_paths([folder_of(fmt)])[0]:
            (extracted / doc.source).write_text(doc.text, encoding="utf-8")
        chat = Chat.from_settings(settings, store=store, embedder=embedder)  # type: ignore[arg-type]
        out = {}
        for name, path in SETS.items():
            questions = [
                replace(q, sources=tuple(s.removesuffix(".txt") + f".{fmt}" for s in q.sources))
                for q in load_questions(path)
            ]
            summary = run(chat, questions, files=files_of([extracted]))["summary"]
            out[name] = {m: summary[m] for m in METRICS}
        return out
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="txt,pdf,docx,html,epub")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    embedder = embedder_from_settings(Settings(_env_file=None))
    results = {}
    with tempfile.TemporaryDirectory(prefix="footnote-formats-") as tmp:
        for fmt in args.formats.split(","):
            results[fmt] = evaluate(fmt, embedder, Path(tmp))
            print(f"{fmt}: {json.dumps(results[fmt])}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print("| format | set | hit_at_1 | fact_recall | citation_precision | quotes outside lines |")
    print("|---|---|---|---|---|---|")
    for fmt, sets in results.items():
        for name, m in sets.items():
            print(
                f"| {fmt} | {name} | {m['hit_at_1']:.3f} | {m['fact_recall']:.3f} | {m['citation_precision']:.3f} "
                f"| {m['quotes_outside_lines']:g} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
