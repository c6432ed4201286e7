"""`footnote ingest` / `python -m ingest`: the write side's command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rag.config import Settings
from rag.errors import FootnoteError
from rag.types import TRUST_LEVELS

EXIT_USAGE = 2


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ingest command's options."""
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: FOOTNOTE_SEEDS_DIR, ./seeds)")
    p.add_argument("--dry-run", action="store_true", help="print the plan; write nothing")
    p.add_argument("--recreate", action="store_true", help="drop the collection and rebuild it")
    p.add_argument("--json", action="store_true", help="print one JSON line instead of the summary")
    p.add_argument("--server", metavar="URL", help="send the files to a running `footnote serve` instead")
    p.add_argument("--api-key", metavar="KEY", help="bearer key for --server (default: FOOTNOTE_API_KEY)")
    p.add_argument(
        "--trust",
        choices=TRUST_LEVELS,
        help="curated (default for folders) outranks contributed (default for uploads); with --server, "
        "curated needs the server's API key",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest and report; exit 2 for a missing path."""
    paths: list[Path] = list(args.paths) or [settings.seeds_dir]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    if args.server:
        from ingest.remote import send_files

        key = args.api_key or (settings.api_key.get_secret_value() if settings.api_key else None)
        report = send_files(args.server, paths, api_key=key, trust=args.trust)
    else:
        from ingest.pipeline import Ingestor
        from rag.retrieval.embeddings import embedder_from_settings
        from rag.retrieval.store import open_store

        embedder = embedder_from_settings(settings)
        store = open_store(settings, model=embedder.model, dim=embedder.dim)
        try:
            ingestor = Ingestor.from_settings(settings, store, embedder)
            report = ingestor.ingest_paths(
                paths, trust=args.trust or "curated", dry_run=args.dry_run, recreate=args.recreate
            )
        finally:
            store.close()
    if args.json:
        print(json.dumps(report.public()))
    else:
        for s in report.skipped:
            print(f"skipped {s.path}: {s.reason}", file=sys.stderr)
        print(report.summary())
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m ingest`."""
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Chunk, embed and store articles.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args, Settings())
    except FootnoteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
