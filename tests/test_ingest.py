"""Ingest: idempotent, content-addressed, bad files skipped with reasons."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.load import load_paths, parse_document
from ingest.pipeline import Ingestor, manifest
from rag.config import Settings
from rag.errors import StoreMismatch
from rag.retrieval.store import Store, open_store
from tests.conftest import SEEDS


def test_first_ingest_adds_every_seed_with_verbatim_chunks(ingestor: Ingestor, store: Store) -> None:
    report = ingestor.ingest_paths([SEEDS], progress=False)
    assert report.added == 5 and report.skipped == []
    assert report.points == store.count() == report.chunks_embedded > 5
    for _, p in store.scroll_payloads():
        text = (SEEDS / p["source"]).read_text(encoding="utf-8")
        assert text[p["char_start"] : p["char_end"]] == p["text"]
        lines = text.split("\n")
        assert p["text"].split("\n")[0] in lines[p["start_line"] - 1]
        assert p["text"].split("\n")[-1] in lines[p["end_line"] - 1]


def test_second_ingest_embeds_nothing_and_keeps_points(ingestor: Ingestor, store: Store) -> None:
    first = ingestor.ingest_paths([SEEDS], progress=False)
    ids_before = {pid for pid, _ in store.scroll_payloads(["source"])}
    second = ingestor.ingest_paths([SEEDS], progress=False)
    assert second.chunks_embedded == 0 and second.unchanged == 5
    assert second.added == second.updated == second.deleted == 0
    assert second.points == first.points
    assert {pid for pid, _ in store.scroll_payloads(["source"])} == ids_before


def test_folders_are_curated_and_a_new_trust_relabels_without_embedding(ingestor: Ingestor, store: Store) -> None:
    ingestor.ingest_paths([SEEDS], progress=False)
    ids = {pid for pid, _ in store.scroll_payloads(["source"])}
    assert {d.trust for d in manifest(store).values()} == {"curated"}
    relabel = ingestor.ingest_paths([SEEDS], trust="contributed", progress=False)
    assert relabel.updated == 5 and relabel.chunks_embedded == 0
    assert {pid for pid, _ in store.scroll_payloads(["source"])} == ids
    assert {p["trust"] for _, p in store.scroll_payloads(["trust"])} == {"contributed"}
    assert ingestor.ingest_paths([SEEDS], trust="contributed", progress=False).unchanged == 5


def test_changed_file_has_its_old_points_replaced(ingestor: Ingestor, store: Store, corpus: Path) -> None:
    ingestor.ingest_paths([corpus], progress=False)
    target = corpus / "001_7aaf47b449a52241.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\nA brand new closing paragraph about zebras.\n")
    report = ingestor.ingest_paths([corpus], progress=False)
    assert report.updated == 1 and report.unchanged == 4
    assert 1 <= report.chunks_embedded <= 2  # only the changed tail is embedded again
    texts = [p["text"] for _, p in store.scroll_payloads() if p["source"] == target.name]
    assert any("zebras" in t for t in texts)
    assert store.count() == report.points
    stored = manifest(store)[target.name]
    assert stored.chunks == len(texts)


def test_file_removed_from_folder_loses_its_points(ingestor: Ingestor, store: Store, corpus: Path) -> None:
    ingestor.ingest_paths([corpus], progress=False)
    (corpus / "004_ad83150bec543e7f.txt").unlink()
    report = ingestor.ingest_paths([corpus], progress=False)
    assert report.deleted == 1
    assert "004_ad83150bec543e7f.txt" not in manifest(store)
    assert store.count() == report.points


def test_dry_run_writes_nothing(ingestor: Ingestor, store: Store) -> None:
    plan = ingestor.ingest_paths([SEEDS], dry_run=True, progress=False)
    assert plan.dry_run and plan.added == 5 and plan.chunks_embedded > 0
    assert not store.exists()
    real = ingestor.ingest_paths([SEEDS], progress=False)
    assert plan.points == real.points and plan.chunks_embedded == real.chunks_embedded


def test_recreate_rebuilds_the_collection(ingestor: Ingestor, store: Store) -> None:
    first = ingestor.ingest_paths([SEEDS], progress=False)
    again = ingestor.ingest_paths([SEEDS], recreate=True, progress=False)
    assert again.added == 5 and again.chunks_embedded == first.chunks_embedded
    assert store.count() == first.points


def test_bad_files_are_skipped_with_reasons(ingestor: Ingestor, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "good.md").write_text("# Good\n\nQwen is a model family from Alibaba.\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text("   \n\n")
    (folder / "binary.txt").write_bytes(b"\x89PNG\x00\x00\x01binary")
    (folder / "latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    (folder / "image.png").write_bytes(b"\x89PNG")
    os.symlink("/proc/self/mem", folder / "unreadable.txt")  # a file that exists but cannot be read
    report = ingestor.ingest_paths([folder], progress=False)
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert report.added == 1
    assert "empty" in reasons["empty.txt"] and "empty" in reasons["blank.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "unsupported" in reasons["image.png"]
    assert "unreadable" in reasons["unreadable.txt"]


def test_title_is_the_first_line_shortened() -> None:
    doc = parse_document("a.txt", b"\n\nShort title\nbody")
    assert doc.title == "Short title"
    long = parse_document("b.txt", ("word " * 60).encode())
    assert long.title.endswith("…") and len(long.title) <= 91


def test_same_file_name_twice_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text("First copy.")
    (tmp_path / "b" / "x.txt").write_text("Second copy.")
    docs, skipped = load_paths([tmp_path / "a", tmp_path / "b"])
    assert [d.source for d in docs] == ["x.txt"] and "already read" in skipped[0].reason


def test_opening_with_another_embedding_model_says_how_to_rebuild(
    ingestor: Ingestor, store: Store, settings: Settings
) -> None:
    ingestor.ingest_paths([SEEDS], progress=False)
    store.close()  # one process, one opening: the same store, opened for another embedder
    other = open_store(settings, model="openai:text-embedding-3-small", dim=1536)
    try:
        with pytest.raises(StoreMismatch, match="footnote ingest --recreate"):
            other.check_schema()
    finally:
        other.close()
