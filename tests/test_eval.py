"""The eval harness and the quality floors on both question sets (extractive answerer)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from rag.chat import Chat
from rag.evaluate import check_floors, load_questions, run, summarize
from tests.conftest import EVAL_DIR, FOOTNOTE, ROOT, SEEDS, cli_env

FLOORS = {
    "hit_at_1": 0.9,
    "fact_recall": 0.85,
    "citation_precision": 0.95,
    "citation_recall": 0.95,
    "refusal_accuracy": 0.8,
}
CEILINGS = {"false_refusal_rate": 0.05}


@pytest.mark.parametrize("name", ["dev.jsonl", "footnote.jsonl"])
def test_question_set_meets_the_floors(chat: Chat, name: str) -> None:
    report = run(chat, load_questions(EVAL_DIR / name))
    summary = report["summary"]
    assert summary["n"] == len(report["questions"]) and summary["answerer"] == "extractive"
    assert check_floors(summary, FLOORS, CEILINGS) == [], summary


def test_project_set_covers_what_the_issue_asks() -> None:
    qs = load_questions(EVAL_DIR / "footnote.jsonl")
    dev = {q.question for q in load_questions(EVAL_DIR / "dev.jsonl")}
    assert len(qs) >= 30 and not dev & {q.question for q in qs}
    assert sum(not q.answerable for q in qs) >= 6
    assert sum(bool(q.history) for q in qs) >= 3
    assert sum(len(q.sources) > 1 for q in qs) >= 3
    covered = {s for q in qs for s in q.sources}
    assert covered == {p.name for p in SEEDS.iterdir()}


def test_summary_can_be_recomputed_from_the_records(chat: Chat) -> None:
    report = run(chat, load_questions(EVAL_DIR / "dev.jsonl")[:4])
    assert summarize(report["questions"], answerer="extractive") == report["summary"] | {
        "latency_p50_ms": report["summary"]["latency_p50_ms"],
        "latency_p95_ms": report["summary"]["latency_p95_ms"],
    }
    rec = report["questions"][0]
    assert {"id", "question", "answer", "refused", "citations", "retrieved", "latency_ms"} <= set(rec)


def test_malformed_question_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "a", "question": "q", "answerable": true}\n{not json}\n')
    with pytest.raises(ValueError, match=r"q.jsonl:2"):
        load_questions(bad)


def test_cli_eval_writes_the_report_and_fails_below_a_floor(tmp_path: Path) -> None:
    q = tmp_path / "qdrant"
    env = cli_env(q)
    subprocess.run([*FOOTNOTE, "ingest", str(SEEDS)], cwd=ROOT, env=env, check=True, capture_output=True)
    out_file = tmp_path / "report.json"
    ok = subprocess.run(
        [*FOOTNOTE, "eval", str(EVAL_DIR / "dev.jsonl"), "--json", str(out_file), "--min-hit_at_1", "0.5"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr
    assert "hit_at_1" in ok.stdout
    report = json.loads(out_file.read_text())
    assert report["summary"]["n"] == 14 and len(report["questions"]) == 14
    fail = subprocess.run(
        [*FOOTNOTE, "eval", str(EVAL_DIR / "dev.jsonl"), "--min-mrr", "1.01"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert fail.returncode == 1 and "mrr" in fail.stderr
    unknown = subprocess.run(
        [*FOOTNOTE, "eval", str(EVAL_DIR / "dev.jsonl"), "--min-bogus", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unknown.returncode == 2 and "unknown metric" in unknown.stderr
