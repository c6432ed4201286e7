"""The eval harness and the quality floors on both question sets (extractive answerer)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from rag.chat import Chat
from rag.evaluate import check_floors, dangling_markers, files_of, load_questions, quote_outside_lines, run, summarize
from tests.conftest import EVAL_DIR, FOOTNOTE, ROOT, SEEDS, cli_env

# Regression floors at this release's measured level less a small margin (README "Latest results"). The issue's
# targets on the test split (fact_recall 0.9, citation_precision 0.97, citation_recall 0.95, refusal_accuracy 0.9,
# false_refusal_rate 0.05) are not met yet. The integrity counts must be zero on every set.
FLOORS = {
    "dev.jsonl": {
        "hit_at_1": 0.8,
        "fact_recall": 0.95,
        "citation_precision": 0.95,
        "citation_recall": 0.95,
        "refusal_accuracy": 0.9,
    },
    # 5075 questions: x* (164), y/z/v/w1* (279) and p12-p20_*, p23-p25_*, p27-p29_*, p31-p33_*, p35-p39_*,
    # p42-p46_*, p49-p52_*, p55-p58_*, p61_*, p63_*, p65-p70_*, p73-p78_*, p81-p86_*, p89-p94_*, p97-p102_* (4463,
    # sixty-seven fresh writers' sets) written from the articles
    "footnote-tune.jsonl": {
        "hit_at_1": 0.89,
        "fact_recall": 0.86,
        "citation_precision": 0.92,
        "citation_recall": 0.95,
        "refusal_accuracy": 0.84,
    },
    # 1866 questions: t* (102), h* (73), p14_* (71), p21_*, p22_*, p26_*, p30_*, p34_*, p40_*, p41_*, p47_*, p48_*,
    # p53_*, p54_*, p59_*, p60_*, p62_*, p64_*, p71_*, p72_*, p79_*, p80_*, p87_*, p88_*, p95_*, p96_*, p103_* and
    # p104_* (1620): the held-out fresh writers' sets, added unread
    # (refusal 0.81: p53, p54 and p96 are harder)
    "footnote-test.jsonl": {
        "hit_at_1": 0.9,
        "fact_recall": 0.83,
        "citation_precision": 0.93,
        "citation_recall": 0.93,
        "refusal_accuracy": 0.81,
    },
}
CEILINGS = {
    "dev.jsonl": {"false_refusal_rate": 0.05},
    "footnote-tune.jsonl": {"false_refusal_rate": 0.03},
    "footnote-test.jsonl": {"false_refusal_rate": 0.055},
}
ZERO = {"quotes_outside_lines": 0.0, "dangling_markers": 0.0, "stream_mismatches": 0.0}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_question_set_meets_its_floors_with_no_broken_citation_or_stream(chat: Chat, name: str) -> None:
    report = run(chat, load_questions(EVAL_DIR / name), files=files_of([SEEDS]))
    summary = report["summary"]
    assert summary["n"] == len(report["questions"]) and summary["answerer"] == "extractive"
    assert check_floors(summary, FLOORS[name], CEILINGS[name] | ZERO) == [], summary


def test_project_set_has_a_tune_and_a_test_split_covering_what_the_issue_asks() -> None:
    tune = load_questions(EVAL_DIR / "footnote-tune.jsonl")
    test = load_questions(EVAL_DIR / "footnote-test.jsonl")
    qs = tune + test
    kinds = [
        json.loads(line).get("kind")
        for f in ("footnote-tune.jsonl", "footnote-test.jsonl")
        for line in (EVAL_DIR / f).read_text().splitlines()
        if line.strip()
    ]
    dev = {q.question for q in load_questions(EVAL_DIR / "dev.jsonl")}
    assert len(qs) >= 150 and not dev & {q.question for q in qs}
    assert len({q.id for q in qs}) == len(qs) and not {q.question for q in tune} & {q.question for q in test}
    assert kinds.count("multi-part") >= 25 and kinds.count("summary") + kinds.count("list") >= 15
    assert sum(bool(q.history) for q in qs) >= 20 and kinds.count("unanswerable-topical") >= 25
    assert {s for q in test for s in q.sources} == {p.name for p in SEEDS.iterdir()}


def test_summary_is_recomputed_from_the_records_alone(chat: Chat) -> None:
    report = run(chat, load_questions(EVAL_DIR / "dev.jsonl")[:6], files=files_of([SEEDS]))
    records = json.loads(json.dumps(report["questions"]))  # what a reader of the JSON report has
    again = summarize(records, answerer="extractive")
    assert again == report["summary"]
    # and the records really carry the facts: drop every answer and the recall falls to zero
    blanked = [r | {"answer": ""} for r in records]
    assert summarize(blanked, answerer="extractive")["fact_recall"] == 0.0 < report["summary"]["fact_recall"]
    rec = report["questions"][0]
    assert {"id", "question", "answer", "refused", "citations", "retrieved", "latency_ms"} <= set(rec)


def test_integrity_counts_catch_a_quote_outside_its_lines_and_a_dangling_marker() -> None:
    files = files_of([SEEDS])
    src = "000_238b3d5c562b5a75.txt"
    good = {"n": 1, "source": src, "start_line": 1, "end_line": 1, "quote": files[src][0]}
    assert not quote_outside_lines(good, files)
    assert quote_outside_lines(good | {"start_line": 3, "end_line": 3}, files)
    assert dangling_markers("A [1]. B [2].", [good]) == 1


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
