"""The eval harness: a JSONL question file in, per-question records and a metric summary out."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.chat import Chat
from rag.cite import MARKER
from rag.types import Answer, AnswerDelta, Turn

RATE_METRICS = (
    "hit_at_1",
    "hit_at_5",
    "mrr",
    "fact_recall",
    "citation_precision",
    "citation_recall",
    "refusal_accuracy",
    "false_refusal_rate",
)
# Counts that must be zero: a quote not inside its cited lines, a [n] with no citation, a stream that differs.
INTEGRITY_COUNTS = ("quotes_outside_lines", "dangling_markers", "stream_mismatches")
LOWER_IS_BETTER = {"false_refusal_rate", "latency_p50_ms", "latency_p95_ms", *INTEGRITY_COUNTS}
MRR_DEPTH = 10


@dataclass(frozen=True)
class Question:
    """One line of a question file."""

    id: str
    question: str
    answerable: bool
    sources: tuple[str, ...]
    facts: tuple[tuple[str, ...], ...]
    history: tuple[str, ...] = ()


def load_questions(path: Path) -> list[Question]:
    """Parse a question file; ValueError naming the line for anything malformed."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text") from None
    out: list[Question] = []
    seen: set[str] = set()
    for no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            q = Question(
                id=str(d["id"]),
                question=str(d["question"]),
                answerable=bool(d["answerable"]),
                sources=tuple(str(s) for s in d.get("sources", [])),
                facts=tuple(tuple(str(x) for x in f) for f in d.get("facts", [])),
                history=tuple(str(h) for h in d.get("history", []) or []),
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{no}: not a question record ({type(exc).__name__}: {exc})") from None
        if q.id in seen:
            raise ValueError(f"{path}:{no}: duplicate id {q.id!r}")
        seen.add(q.id)
        out.append(q)
    if not out:
        raise ValueError(f"{path} holds no questions")
    return out


def _percentile(values: Sequence[float], pct: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    idx = min(len(s) - 1, max(0, round(pct / 100 * (len(s) - 1))))
    return s[idx]


def _streamed(chat: Chat, question: str, history: Sequence[Turn]) -> tuple[Answer, str]:
    """The final Answer and the text its stream carried."""
    deltas: list[str] = []
    answer: Answer | None = None
    for item in chat.stream(question, history):
        if isinstance(item, AnswerDelta):
            deltas.append(item.text)
        else:
            answer = item
    assert answer is not None
    return answer, "".join(deltas)


def files_of(folders: Sequence[Path]) -> dict[str, list[str]]:
    """The lines of every file in folders, by file name (what citations name), to check quotes against."""
    out: dict[str, list[str]] = {}
    for folder in folders:
        for f in sorted(Path(folder).iterdir()) if Path(folder).is_dir() else []:
            try:
                out[f.name] = f.read_text(encoding="utf-8").split("\n")
            except (OSError, UnicodeDecodeError):
                continue
    return out


def quote_outside_lines(citation: dict[str, Any], files: dict[str, list[str]]) -> bool:
    """Whether a citation's quote is not verbatim inside its cited lines (files: source -> lines)."""
    lines = files.get(citation["source"])
    if lines is None:
        return False  # not a file we can read (an upload since deleted): nothing to check against
    span = "\n".join(lines[citation["start_line"] - 1 : citation["end_line"]])
    return citation["quote"] not in span


def dangling_markers(answer: str, citations: Sequence[dict[str, Any]]) -> int:
    """[n] markers in the text that name no citation."""
    known = {c["n"] for c in citations}
    return sum(1 for m in MARKER.finditer(answer) if int(m.group(1)) not in known)


def run(
    chat: Chat,
    questions: Sequence[Question],
    *,
    on_progress: Callable[[int], None] | None = None,
    files: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """Ask every question (replaying histories) and return the report; files (source -> lines) to check quotes."""
    records: list[dict[str, Any]] = []
    for i, q in enumerate(questions):
        history: list[Turn] = []
        for h in q.history:
            prior = chat.ask(h, history)
            history += [Turn("user", h), Turn("assistant", prior.answer)]
        t0 = time.perf_counter()
        answer, streamed = _streamed(chat, q.question, history)
        latency = (time.perf_counter() - t0) * 1000
        citations = [
            {"n": c.n, "source": c.source, "start_line": c.start_line, "end_line": c.end_line, "quote": c.quote}
            for c in answer.citations
        ]
        records.append(
            {
                "id": q.id,
                "question": q.question,
                "history": list(q.history),
                "answerable": q.answerable,
                "sources": list(q.sources),
                "facts": [list(f) for f in q.facts],
                "answer": answer.answer,
                "refused": answer.refused,
                "citations": citations,
                "retrieved": [p.source for p in answer.pool[:MRR_DEPTH]],
                "stream_matches": streamed == answer.answer,
                "quotes_outside_lines": sum(quote_outside_lines(c, files or {}) for c in citations),
                "dangling_markers": dangling_markers(answer.answer, citations),
                "answerer": answer.answerer,
                "notice": answer.notice,
                "latency_ms": round(latency, 2),
            }
        )
        if on_progress:
            on_progress(i + 1)
    return {"summary": summarize(records, answerer=chat.answerer_name), "questions": records}


def summarize(records: Sequence[dict[str, Any]], *, answerer: str) -> dict[str, Any]:
    """The metrics of ../eval/README.md from per-question records."""
    ans = [r for r in records if r["answerable"]]
    una = [r for r in records if not r["answerable"]]

    def share(rows: Sequence[dict[str, Any]], pred: Callable[[dict[str, Any]], bool]) -> float:
        return sum(1 for r in rows if pred(r)) / len(rows) if rows else 0.0

    def rr(r: dict[str, Any]) -> float:
        for rank, src in enumerate(r["retrieved"][:MRR_DEPTH], start=1):
            if src in r["sources"]:
                return 1 / rank
        return 0.0

    facts_total = sum(len(r["facts"]) for r in ans)
    facts_found = sum(1 for r in ans for f in r["facts"] if any(alt.lower() in r["answer"].lower() for alt in f))
    cites = [c for r in ans for c in r["citations"]]
    latencies = [r["latency_ms"] for r in records]
    return {
        "hit_at_1": share(ans, lambda r: bool(r["retrieved"]) and r["retrieved"][0] in r["sources"]),
        "hit_at_5": share(ans, lambda r: any(s in r["sources"] for s in r["retrieved"][:5])),
        "mrr": statistics.fmean(rr(r) for r in ans) if ans else 0.0,
        "fact_recall": facts_found / facts_total if facts_total else 0.0,
        "citation_precision": (sum(1 for c in cites if c["source"] in _sources_of(c, ans)) / len(cites))
        if cites
        else 0.0,
        "citation_recall": share(ans, lambda r: any(c["source"] in r["sources"] for c in r["citations"])),
        "refusal_accuracy": share(una, lambda r: r["refused"] and not r["citations"]),
        "false_refusal_rate": share(ans, lambda r: r["refused"]),
        "quotes_outside_lines": sum(int(r.get("quotes_outside_lines", 0)) for r in records),
        "dangling_markers": sum(int(r.get("dangling_markers", 0)) for r in records),
        "stream_mismatches": sum(1 for r in records if not r.get("stream_matches", True)),
        "latency_p50_ms": round(_percentile(latencies, 50), 2),
        "latency_p95_ms": round(_percentile(latencies, 95), 2),
        "n": len(records),
        "answerer": answerer,
    }


def _sources_of(citation: dict[str, Any], rows: Sequence[dict[str, Any]]) -> set[str]:
    for r in rows:
        if any(c is citation for c in r["citations"]):
            return set(r["sources"])
    return set()


def check_floors(summary: dict[str, Any], floors: dict[str, float], ceilings: dict[str, float]) -> list[str]:
    """Human-readable misses of --min-METRIC / --max-METRIC bounds."""
    misses = []
    for metric, bound in floors.items():
        if float(summary.get(metric, 0.0)) < bound:
            misses.append(f"{metric} {summary.get(metric, 0.0):.3f} < floor {bound}")
    for metric, bound in ceilings.items():
        if float(summary.get(metric, 0.0)) > bound:
            misses.append(f"{metric} {summary.get(metric, 0.0):.3f} > ceiling {bound}")
    return misses


def format_table(summary: dict[str, Any]) -> str:
    """The summary as a two-column table."""
    rows = [(k, f"{v:.3f}" if isinstance(v, float) and k in RATE_METRICS else str(v)) for k, v in summary.items()]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)
