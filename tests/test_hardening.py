"""Regression tests for the breaks an outside security test found in `footnote serve` (issue 9).

Each test talks to a real server on 127.0.0.1 (uvicorn in a thread, see tests/live.py) the way the outside test did.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SEEDS
from ui.service import Service

SECRET = "FOOTNOTE-SERVER-SECRET-7f3a"


# -- 1. page handlers never read a server file named in a FileData ---------------------------------------------


def _queue_call(base_url: str, fn_index: int, data: list[Any], trigger_id: int | None = None) -> dict[str, Any]:
    """POST /gradio_api/queue/join, then read the session's event stream until the call completes."""
    session = uuid.uuid4().hex[:10]
    body = {"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None, "trigger_id": trigger_id}
    with httpx.Client(base_url=base_url, timeout=60) as client:
        joined = client.post("/gradio_api/queue/join", json=body)
        if joined.status_code != 200:
            return {"msg": "refused", "status": joined.status_code, "text": joined.text}
        with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as events:
            for line in events.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return dict(message)
    raise AssertionError("the queue never completed the call")


def _file_data(path: Path | str) -> dict[str, Any]:
    return {"path": str(path), "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}


def _gradio_cache_files() -> set[Path]:
    from ui.web import upload_folder

    root = upload_folder()
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_no_page_function_reads_a_server_file_named_in_a_file_data(
    base_url: str, service: Service, tmp_path: Path
) -> None:
    secret = tmp_path / "notes.txt"
    secret.write_text(f"{SECRET} the operator's private notes.\n", encoding="utf-8")
    (tmp_path / "folder.txt").mkdir()
    config = httpx.get(base_url + "/config", timeout=30).json()
    deps = config["dependencies"]
    assert deps, "the page has no handlers?"
    before = _gradio_cache_files()
    texts: dict[str, set[str]] = {}
    for target in (secret, tmp_path / "folder.txt", tmp_path / "missing.txt", SEEDS / "000_238b3d5c562b5a75.txt"):
        for i, dep in enumerate(deps):
            n_inputs = len(dep.get("inputs", []))
            result = _queue_call(base_url, dep.get("id", i), [_file_data(target)] * max(1, n_inputs))
            shown = json.dumps(result)
            assert SECRET not in shown and "the operator's private notes" not in shown, (i, shown[:300])
            for leak in ("No such file", "Is a directory", "Errno", "Traceback", str(tmp_path)):
                assert leak not in shown, (i, target.name, leak, shown[:400])
            texts.setdefault(f"{i}", set()).add(_outcome(result))
    # The same answer whether the file exists, is a folder or is missing: nothing tells them apart.
    for i, seen in texts.items():
        assert len(seen) == 1, (i, seen)
    names = {d.source for d in service.documents()}
    assert "notes.txt" not in names and "folder.txt" not in names
    assert not service.search(SECRET) or all(SECRET not in p.text for p in service.search(SECRET))
    leaked = [p for p in _gradio_cache_files() - before if SECRET in p.read_text("utf-8", errors="replace")]
    assert leaked == [], "the server file was copied into Gradio's cache"


def _outcome(result: dict[str, Any]) -> str:
    """A call's result without what differs run to run (ids, times)."""
    out = result.get("output") or {}
    return json.dumps({"success": result.get("success"), "data": out.get("data"), "error": out.get("error")})


def test_the_upload_handler_refuses_paths_outside_the_upload_folder_with_one_message(tmp_path: Path) -> None:
    from ui.web import NOT_UPLOADED, read_uploaded, upload_folder

    secret = tmp_path / "notes.txt"
    secret.write_text(SECRET, encoding="utf-8")
    root = upload_folder()
    root.mkdir(parents=True, exist_ok=True)
    inside = root / f"test-{uuid.uuid4().hex}"
    inside.mkdir()
    link = inside / "link.txt"
    link.symlink_to(secret)  # a symlink inside the folder pointing out of it
    for path in (secret, tmp_path, tmp_path / "missing.txt", link, inside, Path("/etc/hostname")):
        assert read_uploaded(str(path), 1000) is None, path
    real = inside / "real.txt"
    real.write_text("uploaded text", encoding="utf-8")
    assert read_uploaded(str(real), 1000) == b"uploaded text"
    assert not real.exists()  # deleted once read
    assert "Not ingested" in NOT_UPLOADED and "No such" not in NOT_UPLOADED
    link.unlink()
    inside.rmdir()


def _component_id(config: dict[str, Any], kind: str) -> int:
    return next(int(c["id"]) for c in config["components"] if c.get("type") == kind)


def _upload_through_the_page(base_url: str, name: str, data: bytes) -> tuple[dict[str, Any], str]:
    """What the browser does: POST the file to /gradio_api/upload, then call the page's upload handler."""
    config = httpx.get(base_url + "/config", timeout=30).json()
    file_id = _component_id(config, "file")
    fn = next(d for d in config["dependencies"] if d.get("inputs") == [file_id])
    sent = httpx.post(base_url + "/gradio_api/upload", files={"files": (name, data, "text/plain")}, timeout=30)
    assert sent.status_code == 200, sent.text
    path = sent.json()[0]
    return _queue_call(base_url, fn["id"], [_file_data(path)], trigger_id=file_id), path


def test_a_file_uploaded_through_the_page_is_ingested_and_then_deleted_from_the_cache(
    base_url: str, service: Service
) -> None:
    result, path = _upload_through_the_page(base_url, "page_upload.txt", b"Kestrel Labs released Plover-7 in May.\n")
    assert result["success"], result
    assert ": added, 1 chunks." in result["output"]["data"][0]
    assert "page_upload.txt" in {d.source for d in service.documents()}
    assert not Path(path).exists()  # read once, then removed from Gradio's cache
    service.delete("page_upload.txt")
