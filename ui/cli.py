"""`footnote ingest | search | ask | eval | serve | bench`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any, cast

from ingest import cli as ingest_cli
from rag.config import Settings
from rag.errors import FootnoteError, StoreBusy

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_BUSY = 3
SERVER_HELP = "ask a running `footnote serve` (default: the one holding the store, if any)"


def _quiet() -> None:
    """Library chatter off: a CLI prints results and errors, not load logs."""
    warnings.filterwarnings("ignore")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in ("httpx", "sentence_transformers", "transformers", "huggingface_hub"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _chat(settings: Settings) -> Any:
    from rag.chat import Chat

    return Chat.from_settings(settings)


# Terminal controls (ESC sequences, other C0/C1 codes) and bidi overrides from documents are printed as escapes:
# an uploaded document must not drive the operator's terminal or reorder what it shows.
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown(text: str) -> str:
    """Text safe to print to a terminal: controls and direction marks written as \\xNN / \\uNNNN."""
    return _TERMINAL_UNSAFE.sub(lambda m: repr(m.group())[1:-1], text)


def where(c: dict[str, Any]) -> str:
    """A citation's place: "lines 33-33", or in a PDF "p. 3, lines 12-14" (lines counted within the page)."""
    page, lines, end = c.get("page"), c.get("page_lines"), c.get("page_end")
    if page is None or not lines:
        return f"lines {c['start_line']}-{c['end_line']}"
    if end is None or end == page:
        return f"p. {page}, lines {lines[0]}-{lines[1]}"
    return f"pp. {page}-{end}, p. {page} line {lines[0]} to p. {end} line {lines[1]}"


def _print_passages(passages: list[dict[str, Any]]) -> None:
    for i, p in enumerate(passages, start=1):
        page = f" (p. {p['page']})" if p.get("page") is not None else ""
        print(f"{i}. {shown(p['source'])} lines {p['start_line']}-{p['end_line']}{page}  score {p['score']:.3f}")
        print("   " + shown(" ".join(p["text"].split())[:400]))


def cmd_search(args: argparse.Namespace, settings: Settings, server: str | None = None) -> int:
    """Hybrid search, no answer (through a running server when one holds the store)."""
    if server:
        params: dict[str, Any] = {"q": args.question}
        if args.top_k:
            params["top_k"] = args.top_k
        passages = _remote(server, settings, "GET", "/v1/search", params=params)["passages"]
    else:
        chat = _chat(settings)
        query = chat.check_question(args.question)
        passages = [p.public() for p in chat.search(query, top_k=args.top_k or settings.top_k)]
    if args.json:
        print(json.dumps({"passages": passages}, ensure_ascii=False))
    else:
        _print_passages(passages)
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings, server: str | None = None) -> int:
    """A cited answer (through a running server when one holds the store)."""
    if server:
        body: dict[str, Any] = {"question": args.question}
        if args.top_k:
            body["top_k"] = args.top_k
        answer = _remote(server, settings, "POST", "/v1/ask", json=body)
    else:
        if args.answerer:
            settings = settings.model_copy(update={"answerer": args.answerer})
        answer = _chat(settings).ask(args.question, top_k=args.top_k).public()
    if args.json:
        print(json.dumps(answer, ensure_ascii=False))
        return 0
    print(shown(answer["answer"]))
    if answer.get("notice"):
        print(f"\nnote: {shown(answer['notice'])}")
    if answer["refused"]:
        print("\nClosest matches:")
        _print_passages(answer["passages"][:3])
    else:
        print()
        for c in answer["citations"]:
            print(f"[{c['n']}] {shown(c['source'])}, {where(c)}: \u201c{shown(c['quote'])}\u201d")
    return 0


def _remote(server: str, settings: Settings, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """One /v1 call to a running server; FootnoteError with its message when it refuses."""
    import httpx

    key = settings.api_key.get_secret_value() if settings.api_key else None
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        resp = httpx.request(method, f"{server}{path}", headers=headers, timeout=120, **kwargs)
    except httpx.HTTPError as exc:
        raise FootnoteError(f"cannot reach the Footnote server at {server}: {type(exc).__name__}") from None
    if resp.status_code == 401:
        raise FootnoteError(f"the Footnote server at {server} needs its API key: set FOOTNOTE_API_KEY")
    try:
        data = resp.json()
    except ValueError:
        raise FootnoteError(f"{server}{path} answered HTTP {resp.status_code} without JSON") from None
    if resp.status_code >= 400:
        message = (data.get("error") or {}).get("message", resp.text) if isinstance(data, dict) else resp.text
        raise FootnoteError(f"{server}: {message}")
    return cast(dict[str, Any], data)


def _beside_a_server(args: argparse.Namespace, settings: Settings) -> tuple[str | None, int | None]:
    """When another process holds the embedded store: (the running server to use, None) or (None, exit code) after
    saying what to do. Checked before anything loads, so it takes a moment, not the 15 s of loading the store."""
    from ui.running import running_server, store_held

    if args.command not in ("ask", "search", "ingest") or getattr(args, "server", None) or not store_held(settings):
        return getattr(args, "server", None) if args.command in ("ask", "search") else None, None
    where = settings.qdrant_path.resolve()
    url, why = running_server(settings)
    if url is not None and args.command in ("ask", "search"):
        print(f"footnote: the store is held by the Footnote server at {url}; asking it", file=sys.stderr)
        return url, None
    if url is not None:
        todo = f"send files through it: `footnote ingest --server {url} FILES`" + (
            "; a dry run needs the store itself: stop the server first" if args.dry_run else ""
        )
        print(f"error: the embedded store at {where} is held by the Footnote server at {url}; {todo}", file=sys.stderr)
        return None, EXIT_BUSY
    print(
        f"error: the embedded store at {where} is in use by another process ({why}). Stop that process (e.g. a "
        "running `footnote serve`), or use a running server: `footnote ask|search --server URL ...`, "
        "`footnote ingest --server URL FILES`; or point FOOTNOTE_QDRANT_PATH elsewhere.",
        file=sys.stderr,
    )
    return None, EXIT_BUSY


def _bounds(extra: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    from rag.evaluate import LOWER_IS_BETTER, RATE_METRICS

    known = set(RATE_METRICS) | LOWER_IS_BETTER
    floors: dict[str, float] = {}
    ceilings: dict[str, float] = {}
    it = iter(extra)
    for tok in it:
        name, _, value = tok.partition("=")
        if not (name.startswith("--min-") or name.startswith("--max-")):
            raise ValueError(f"unrecognized argument {tok}")
        if not value:
            value = next(it, "")
        metric = name[6:].replace("-", "_")
        if metric not in known:
            raise ValueError(f"unknown metric {metric!r}; known: {', '.join(sorted(known))}")
        try:
            (floors if name.startswith("--min-") else ceilings)[metric] = float(value)
        except ValueError:
            raise ValueError(f"{name} needs a number, got {value!r}") from None
    return floors, ceilings


def cmd_eval(args: argparse.Namespace, settings: Settings, extra: list[str]) -> int:
    """Run a question file; non-zero when a floor is missed."""
    from tqdm import tqdm

    from rag.evaluate import check_floors, files_of, format_table, load_questions, run

    try:
        floors, ceilings = _bounds(extra)
        questions = load_questions(args.file)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.answerer:
        settings = settings.model_copy(update={"answerer": args.answerer})
    chat = _chat(settings)
    with tqdm(total=len(questions), desc="eval", unit="q", disable=not sys.stderr.isatty()) as bar:
        report = run(
            chat, questions, on_progress=lambda n: bar.update(1), files=files_of(args.files or [settings.seeds_dir])
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(format_table(report["summary"]))
    misses = check_floors(report["summary"], floors, ceilings)
    for m in misses:
        print(f"FAIL {m}", file=sys.stderr)
    return EXIT_ERROR if misses else 0


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = argparse.ArgumentParser(prog="footnote", description="Answers with footnotes over your articles.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="chunk, embed and store files (default: seeds/)")
    ingest_cli.add_arguments(p)

    p = sub.add_parser("search", help="hybrid search: passages only")
    p.add_argument("question")
    p.add_argument("--top-k", type=int, default=None, help="passages to show (default FOOTNOTE_TOP_K)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--server", metavar="URL", help=SERVER_HELP)

    p = sub.add_parser("ask", help="an answer with footnotes")
    p.add_argument("question")
    p.add_argument("--top-k", type=int, default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("--answerer", choices=["auto", "extractive", "openai"])
    p.add_argument("--server", metavar="URL", help=SERVER_HELP)

    p = sub.add_parser("eval", help="run a question file; --min-METRIC X / --max-METRIC X set bounds")
    p.add_argument("file", type=Path)
    p.add_argument("--json", type=Path, metavar="OUT", help="write the full report here")
    p.add_argument("--answerer", choices=["auto", "extractive", "openai"])
    p.add_argument(
        "--files",
        type=Path,
        action="append",
        metavar="DIR",
        help="folder holding the cited files, to check quotes against their lines (default: FOOTNOTE_SEEDS_DIR)",
    )

    p = sub.add_parser("serve", help="the web page and REST API on one port")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--no-ingest", action="store_true", help="do not ingest seeds/ into an empty collection")

    p = sub.add_parser(
        "bench", help="Footnote at 1k-100k chunks beside local mode and naive llama-index (on demand; minutes)"
    )
    p.add_argument("--json", type=Path, metavar="OUT", default=Path("bench-results/bench.json"))
    p.add_argument("--corpus", type=Path, metavar="DIR", help="articles to grow the corpus from (default: seeds)")
    p.add_argument("--questions", type=Path, metavar="FILE", help="question file to time (default: about the seeds)")
    p.add_argument(
        "--sizes", default="1000,5000,20000,100000", help="chunk counts, comma-separated (default: %(default)s)"
    )
    p.add_argument("--engines", default="edge,local,naive", help="edge, local, naive (default: %(default)s)")
    p.add_argument("--rounds", type=int, default=50, help="timed requests per measure (default: %(default)s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `footnote` script."""
    _quiet()
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "eval":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if getattr(args, "top_k", None) is not None and not 1 <= args.top_k <= 50:
        parser.error("--top-k must be between 1 and 50")
    try:
        settings = Settings()
    except Exception as exc:  # pydantic's ValidationError names the bad variable
        print(f"error: bad setting: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        server, code = _beside_a_server(args, settings)
        if code is not None:
            return code
        if args.command == "ingest":
            return ingest_cli.run(args, settings)
        if args.command == "search":
            return cmd_search(args, settings, server)
        if args.command == "ask":
            return cmd_ask(args, settings, server)
        if args.command == "eval":
            return cmd_eval(args, settings, extra)
        if args.command == "serve":
            from ui.service import Service

            opening = Service.opening(settings)  # while the web stack is imported
            from ui.server import serve

            return serve(settings, host=args.host, port=args.port, ingest_seeds=not args.no_ingest, opening=opening)
        if args.command == "bench":
            from benchmarks.bench import run_bench

            try:
                sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
            except ValueError:
                parser.error(f"--sizes takes whole numbers separated by commas, not {args.sizes!r}")
            return run_bench(
                settings,
                out=args.json,
                corpus=args.corpus,
                questions=args.questions,
                sizes=sizes,
                engines=[e.strip() for e in args.engines.split(",") if e.strip()],
                rounds=args.rounds,
            )
    except StoreBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except FootnoteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
