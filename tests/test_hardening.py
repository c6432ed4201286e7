"""Regression tests for the breaks an outside security test found in `footnote serve` (issue 9).

Each test talks to a real server on 127.0.0.1 (uvicorn in a thread, see tests/live.py) the way the outside test did.
"""

from __future__ import annotations

import json
import re
import time
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
    from ui.uploads import upload_folder

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
    from ui.uploads import NOT_UPLOADED, read_uploaded, upload_folder

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


# -- 2. chunking is linear in the text's length ------------------------------------------------------------------

# Digests of every chunk (source, index, span, lines, sha256) of seeds/ and tests/poison/ as the chunker made them
# before it was made linear: normal text must chunk byte for byte as before.
CHUNK_DIGESTS = {
    80: (120, "300817634bda4e01dfb94bb54edea5148eddfce722d4fb59765b656b1defc09c"),
    32: (295, "d4005308d43a1e2fda4242dc1af7b5f77d5b4498f56195a5e120fed346173e39"),
}


def _chunk_digest(embedder: Any, max_tokens: int, *, offsets: bool) -> tuple[int, str]:
    import hashlib

    from ingest.chunk import chunk_document
    from ingest.load import load_paths
    from tests.conftest import ROOT

    docs, _ = load_paths([SEEDS, ROOT / "tests" / "poison"])
    digest, n = hashlib.sha256(), 0
    for d in sorted(docs, key=lambda d: d.source):
        chunks = chunk_document(
            d,
            max_tokens=max_tokens,
            count_tokens=embedder.count_tokens,
            token_offsets=embedder.token_offsets if offsets else None,
        )
        for c in chunks:
            digest.update(
                f"{d.source}|{c.index}|{c.char_start}|{c.char_end}|{c.start_line}|{c.end_line}|{c.sha256}\n".encode()
            )
            n += 1
    return n, digest.hexdigest()


@pytest.mark.parametrize("offsets", [True, False], ids=["token-offsets", "word-counts"])
@pytest.mark.parametrize("max_tokens", sorted(CHUNK_DIGESTS))
def test_seeds_and_poison_chunk_exactly_as_before(embedder: Any, max_tokens: int, offsets: bool) -> None:
    assert _chunk_digest(embedder, max_tokens, offsets=offsets) == CHUNK_DIGESTS[max_tokens]


def _one_line(n: int) -> str:
    """n characters of words on one line, no full stops (the outside test's upload)."""
    text = (SEEDS / "000_238b3d5c562b5a75.txt").read_text("utf-8").replace(".", " ")
    words = [w for w in text.split() if w.isascii()]
    out, size, i = [], 0, 0
    while size < n:
        out.append(words[i % len(words)])
        size += len(out[-1]) + 1
        i += 1
    return " ".join(out)[:n]


@pytest.mark.parametrize("offsets", [True, False], ids=["token-offsets", "word-counts"])
def test_chunking_one_long_line_tokenizes_each_character_a_bounded_number_of_times(
    embedder: Any, offsets: bool
) -> None:
    from ingest.chunk import chunk_document
    from ingest.load import parse_document

    for n in (20_000, 80_000):
        doc = parse_document("line.txt", _one_line(n).encode())
        seen = {"chars": 0}

        def count(texts: Any, seen: dict[str, int] = seen) -> list[int]:
            seen["chars"] += sum(len(t) for t in texts)
            return list(embedder.count_tokens(texts))

        def spans(texts: Any, seen: dict[str, int] = seen) -> list[list[tuple[int, int]]]:
            seen["chars"] += sum(len(t) for t in texts)
            return list(embedder.token_offsets(texts))

        extra: dict[str, Any] = {"token_offsets": spans} if offsets else {}
        chunks = chunk_document(doc, max_tokens=80, count_tokens=count, **extra)
        # Linear: the tokenizer sees each character at most a few times (it was ~log(n) * n / 4 more before).
        assert seen["chars"] <= 3 * n, (n, seen["chars"])
        assert chunks and all(doc.text[c.char_start : c.char_end] == c.text for c in chunks)
        assert max(embedder.count_tokens([c.text for c in chunks])) <= 2 * 80 + 2  # a chunk plus its overlap
        covered = "".join(doc.text[c.char_start : c.char_end] for c in chunks)
        assert set(doc.text.split()) <= set(covered.split())


def test_a_2mb_upload_on_one_line_is_refused_by_the_chunk_cap_without_embedding(
    base_url: str, service: Service
) -> None:
    data = _one_line(1_990_000).encode()
    before = service.store.count()
    r = httpx.post(base_url + "/v1/documents", files={"file": ("one_line.txt", data, "text/plain")}, timeout=120)
    assert r.status_code == 400 and r.json()["error"]["type"] == "bad_document", r.text
    assert "FOOTNOTE_MAX_UPLOAD_CHUNKS" in r.json()["error"]["message"]
    assert service.store.count() == before


# -- 7 (LOW). an unpaired surrogate is a 400; a failing stream ends with a finish, an error chunk and [DONE] -----


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/ask", b'{"question":"\\ud800 llama"}'),
        ("/v1/ask", b'{"question":"llama","history":[{"role":"user","content":"hi \\udfff"}]}'),
        ("/v1/chat/completions", b'{"messages":[{"role":"user","content":"\\ud800 llama"}]}'),
        ("/v1/chat/completions", b'{"stream":true,"messages":[{"role":"user","content":"\\ud800 llama"}]}'),
        ("/v1/documents", b'{"source":"s.txt","text":"\\ud800 llama"}'),
    ],
)
def test_an_unpaired_surrogate_is_a_clear_400_not_a_traceback(
    base_url: str, path: str, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    r = httpx.post(base_url + path, content=body, headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["type"] in ("bad_question", "bad_document")
    assert "unpaired UTF-16 surrogate" in r.json()["error"]["message"]
    assert not [rec for rec in caplog.records if rec.levelname == "ERROR"]


class _Breaks:
    """An answerer whose stream fails after its first words."""

    name = "openai:breaks"

    def condense(self, analysis: Any, history: Any) -> str:
        return str(analysis.standalone)

    def stream(self, request: Any) -> Any:
        yield "Qwen-VL-Chat reads street signs [1]. It also "
        raise RuntimeError("the model server went away")


def test_a_stream_that_fails_midway_ends_with_an_error_chunk_and_done(service: Service) -> None:
    from rag.chat import Chat
    from rag.retrieval.retrieve import Retriever
    from tests.live import live_server

    chat = Chat(retriever=Retriever(service.store, service.chat.retriever.embedder), answerer=_Breaks())  # type: ignore[arg-type]
    broken = Service(service.settings, chat=chat, ingestor=service.ingestor)
    body = {"stream": True, "messages": [{"role": "user", "content": "What can Qwen-VL-Chat do with photos?"}]}
    with live_server(broken) as url:
        r = httpx.post(url + "/v1/chat/completions", json=body, timeout=60)
    assert r.status_code == 200
    events = [e.removeprefix("data: ") for e in r.text.split("\n\n") if e.startswith("data: ")]
    assert events[-1] == "[DONE]", r.text[-300:]
    finish, failure = json.loads(events[-3]), json.loads(events[-2])
    assert finish["choices"][0]["finish_reason"] == "stop"  # a finish reason the OpenAI types accept...
    assert failure["choices"] == [] and set(failure["error"]) == {"message", "type", "param", "code"}  # ...then why
    assert failure["error"]["type"] == "internal_error" and "model server" not in failure["error"]["message"]
    assert any("Qwen-VL-Chat reads" in e for e in events[:-3])  # what streamed before the failure


# -- 6 (LOW). names in the Documents status line are shown literally ----------------------------------------------


@pytest.mark.browser
def test_the_documents_status_line_shows_a_markdown_name_literally(base_url: str, service: Service) -> None:
    from playwright.sync_api import sync_playwright

    from tests.test_page import CHROMIUM, CHROMIUM_ARGS

    name = "![i](https:attacker.example).txt"
    service.upload(name, b"Kestrel Labs opened an office in Lisbon in 2024.\n")
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(base_url + "/", wait_until="domcontentloaded")
        page.get_by_role("tab", name="Documents").click()
        row = page.locator(".doc-row", has_text="attacker.example")
        row.get_by_role("button", name="Delete").click()
        row.get_by_role("button", name="Yes, delete").click()
        status = page.locator("#doc-status")
        status.get_by_text("Deleted ").wait_for(timeout=30_000)
        shown = status.inner_text()
        images = page.locator("#doc-status img, .doc-row img").count()
        browser.close()
    assert shown == f"Deleted {name} (1 chunks)." and name not in {d.source for d in service.documents()}
    assert images == 0 and not [u for u in requests if "attacker" in u]


# -- 8 (LOW). document names: no controls, no direction overrides; curated names compared ignoring case ------------


@pytest.mark.parametrize(
    "name",
    ["nul\x00.txt", "two\r\nlines.txt", "esc\x1b[31mred.txt", "gnp\u202etxt.exe.txt", "lri\u2066x.txt", "bell\x07.md"],
    ids=["NUL", "CRLF", "ESC", "RLO", "LRI", "BEL"],
)
def test_document_names_with_control_or_direction_characters_are_refused(
    base_url: str, service: Service, name: str
) -> None:
    r = httpx.post(base_url + "/v1/documents", json={"source": name, "text": "Plover-7 is small."}, timeout=30)
    assert r.status_code == 400 and r.json()["error"]["type"] == "bad_document", r.text
    assert "control character" in r.json()["error"]["message"] and "rename" in r.json()["error"]["message"]
    assert name not in {d.source for d in service.documents()}


def test_an_upload_cannot_pass_for_a_curated_document_by_changing_case(base_url: str, service: Service) -> None:
    curated = "000_238b3d5c562b5a75.txt"
    for name in (curated.upper(), "000_238b3d5c562b5a75.TXT"):
        r = httpx.post(base_url + "/v1/documents", json={"source": name, "text": "Llama 2 is tiny."}, timeout=30)
        assert r.status_code == 409 and r.json()["error"]["type"] == "curated_document", r.text
        assert curated in r.json()["error"]["message"]
        r = httpx.delete(base_url + "/v1/documents/" + name, timeout=30)
        assert r.status_code == 409, r.text
    assert {d.source for d in service.documents()} >= {curated}
    assert not {d.source for d in service.documents()} & {curated.upper(), "000_238b3d5c562b5a75.TXT"}


# -- 3, 4 (MEDIUM). slots and buffers only after the key check and a bounded body read --------------------------------

KEY = "sk-hardening-KEY-1"
MULTIPART = "multipart/form-data; boundary=b0undary"
MULTIPART_START = b'--b0undary\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\n' + b"x" * 500
PHOTOS = "What can Qwen-VL-Chat do with photos?"


def _variant(service: Service, **settings: Any) -> Service:
    """The same store and engine under other settings."""
    from pydantic import SecretStr

    if "api_key" in settings:
        settings["api_key"] = SecretStr(settings["api_key"])
    return Service(service.settings.model_copy(update=settings), chat=service.chat, ingestor=service.ingestor)


def _start_body(
    url: str,
    path: str,
    first: bytes,
    *,
    length: int | None,
    source: str = "",
    ctype: str = "application/json",
) -> Any:
    """A raw connection (from the source address) that sends a request's headers and the first bytes of its body,
    then stalls."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10, source_address=(source, 0))
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    head = f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: {ctype}\r\n{framing}\r\n\r\n"
    body = first if length is not None else f"{len(first):x}\r\n".encode() + first + b"\r\n"
    sock.sendall(head.encode() + body)
    return sock


def _status_of(sock: Any, timeout: float) -> int | None:
    """The status line's code once the server answers, or None when it says nothing within timeout."""
    sock.settimeout(timeout)
    try:
        data = sock.recv(4096)
    except OSError:  # includes the timeout
        return None
    finally:
        sock.close()
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else None


def test_anonymous_slow_bodies_take_no_slot_when_a_key_is_set(service: Service) -> None:
    from tests.live import live_server

    keyed = _variant(service, api_key=KEY, max_pending=2, body_timeout=30.0)
    with live_server(keyed) as url:
        socks = [_start_body(url, "/v1/ask", b'{"q', length=5000) for _ in range(10)]
        good = httpx.post(
            url + "/v1/ask", json={"question": PHOTOS}, headers={"Authorization": f"Bearer {KEY}"}, timeout=60
        )
        assert good.status_code == 200, good.text  # was 503 overloaded: the trickles held both slots
        assert [_status_of(s, 5) for s in socks] == [401] * 10  # refused on their headers, body unread


def test_an_anonymous_stalled_page_upload_is_refused_before_its_body_is_buffered(service: Service) -> None:
    from tests.live import live_server

    keyed = _variant(service, api_key=KEY, body_timeout=30.0)
    with live_server(keyed) as url:
        sock = _start_body(url, "/gradio_api/upload", MULTIPART_START, length=None, ctype=MULTIPART)
        assert _status_of(sock, 5) == 401  # Gradio's login check, not a buffer waiting for 2 MB


def test_slow_bodies_time_out_take_no_slot_and_are_capped_per_client(service: Service) -> None:
    from tests.live import live_server

    keyless = _variant(service, max_pending=2, body_timeout=2.0, max_bodies_per_client=3)
    with live_server(keyless) as url:
        # One client (127.0.0.2) trickles three bodies; another (127.0.0.1) asks.
        socks = [_start_body(url, "/v1/ask", b'{"q', length=5000, source="127.0.0.2") for _ in range(3)]
        time.sleep(0.3)
        fourth = _start_body(url, "/v1/documents", b'{"s', length=5000, source="127.0.0.2")
        assert _status_of(fourth, 5) == 429  # that client has three bodies in flight already
        r = httpx.post(url + "/v1/ask", json={"question": PHOTOS}, timeout=60)
        assert r.status_code == 200, r.text  # the trickles hold no admission slot (max_pending=2)
        assert [_status_of(s, 10) for s in socks] == [408] * 3  # FOOTNOTE_BODY_TIMEOUT
        again = httpx.post(url + "/v1/ask", json={"question": PHOTOS}, timeout=60)
        assert again.status_code == 200
        page = _start_body(url, "/gradio_api/upload", MULTIPART_START, length=None, ctype=MULTIPART)
        assert _status_of(page, 10) == 408  # the page's routes are timed too


# -- 5 (MEDIUM). the page's upload cache is bounded ------------------------------------------------------------------


def test_the_page_upload_cache_is_bounded_and_old_files_are_deleted(
    service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from tests.live import live_server

    cache = tmp_path / "gradio"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(cache))
    small = _variant(service, upload_cache_files=3, upload_cache_minutes=5.0)
    with live_server(small) as url:

        def send(i: int) -> httpx.Response:
            files = {"files": (f"f{i}.bin", b"\x00anything" * 10, "application/octet-stream")}
            return httpx.post(url + "/gradio_api/upload", files=files, timeout=30)

        assert [send(i).status_code for i in range(3)] == [200, 200, 200]
        full = send(3)
        assert full.status_code == 503 and full.json()["error"]["type"] == "upload_cache_full", full.text
        assert "FOOTNOTE_UPLOAD_CACHE_FILES" in full.json()["error"]["message"]
        assert len([p for p in cache.rglob("*") if p.is_file()]) == 3
        old = time.time() - 3600
        for p in cache.rglob("*"):
            if p.is_file():
                os.utime(p, (old, old))
        assert send(4).status_code == 200  # the hour-old files were deleted first
        assert len([p for p in cache.rglob("*") if p.is_file()]) == 1


# -- 9 (LOW). Host allow-list and Origin on mutating routes ----------------------------------------------------------


def test_unknown_host_headers_are_refused_and_configured_ones_served(service: Service) -> None:
    from tests.live import live_server

    named = _variant(service, allowed_hosts="footnote.example.org, Other.Example")
    with live_server(named) as url:
        port = url.rsplit(":", 1)[1]
        for host in ("evil.example", f"rebind.example:{port}", "127.0.0.2", ""):
            for path in ("/", "/v1/models", "/config"):
                r = httpx.get(url + path, headers={"Host": host} if host else {"Host": "x"}, timeout=30)
                assert r.status_code == 400 and r.json()["error"]["type"] == "bad_host", (host, path, r.text)
                assert "FOOTNOTE_ALLOWED_HOSTS" in r.json()["error"]["message"]
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", "footnote.example.org", f"other.example:{port}"):
            assert httpx.get(url + "/v1/models", headers={"Host": host}, timeout=30).status_code == 200, host


def test_cross_site_writes_are_refused_and_same_site_ones_served(base_url: str, service: Service) -> None:
    evil = {"Origin": "http://evil.example"}
    for method, path, body in (
        ("POST", "/v1/ask", {"question": PHOTOS}),
        ("POST", "/v1/documents", {"source": "cross_site.txt", "text": "Plover-7 is small."}),
        ("DELETE", "/v1/documents/000_238b3d5c562b5a75.txt", None),
        ("POST", "/gradio_api/queue/join", {"data": [], "fn_index": 0, "session_hash": "x"}),
        ("POST", "/login", None),
    ):
        r = httpx.request(method, base_url + path, json=body, headers=evil, timeout=30)
        assert r.status_code == 403 and r.json()["error"]["type"] == "bad_origin", (path, r.text)
        assert "FOOTNOTE_ALLOWED_ORIGINS" in r.json()["error"]["message"]
    assert "cross_site.txt" not in {d.source for d in service.documents()}
    assert httpx.get(base_url + "/v1/models", headers=evil, timeout=30).status_code == 200  # reads are not writes
    same = {"Origin": base_url}
    r = httpx.post(base_url + "/v1/ask", json={"question": PHOTOS}, headers=same, timeout=60)
    assert r.status_code == 200, r.text


def test_a_configured_origin_may_write(service: Service) -> None:
    from tests.live import live_server

    with live_server(_variant(service, allowed_origins="https://app.example/")) as url:
        r = httpx.post(
            url + "/v1/ask", json={"question": PHOTOS}, headers={"Origin": "https://app.example"}, timeout=60
        )
        assert r.status_code == 200, r.text


# -- 10 (INFO). security headers; Markdown from documents is inert in OpenAI-compatible content -----------------------


def test_every_response_carries_the_security_headers(base_url: str) -> None:
    for method, path in (
        ("GET", "/"),
        ("GET", "/v1/models"),
        ("GET", "/healthz"),
        ("GET", "/nope"),
        ("POST", "/v1/ask"),
    ):
        r = httpx.request(method, base_url + path, timeout=30)
        assert r.headers.get("x-content-type-options") == "nosniff", path
        assert "frame-ancestors 'self'" in r.headers.get("content-security-policy", ""), path
        assert r.headers.get("x-frame-options") == "SAMEORIGIN", path


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_markdown_images_and_links_from_documents_are_inert_in_chat_content(
    base_url: str, service: Service, stream: bool
) -> None:
    # Plain statements (no orders to a reader, so not set aside as hostile text) that carry Markdown and HTML.
    doc = (
        "Osprey Robotics posted its harbour survey photos as ![x](http://evil.example/track.png) on Monday.\n\n"
        "The Osprey drone maintenance manual is linked at [the manual](http://evil.example/login) for pilots.\n\n"
        'The Osprey charging dock spec sheet sits behind <a href="javascript:alert(1)">this link</a> today.\n\n'
        "The Osprey winter trial logs include a chart drawn as <img src=x onerror=alert(1)> in the appendix.\n"
    )
    service.upload("osprey_notes.md", doc.encode())
    for question, raw in (
        ("How did Osprey Robotics post its harbour survey photos?", "![x](http://evil.example"),
        ("How can pilots reach the Osprey drone maintenance manual?", "](http://evil.example/login)"),
        ("What does the Osprey charging dock spec sheet sit behind?", '<a href="javascript:'),
        ("What do the Osprey winter trial logs include?", "<img src=x onerror="),
    ):
        body = {"stream": stream, "messages": [{"role": "user", "content": question}]}
        r = httpx.post(base_url + "/v1/chat/completions", json=body, timeout=60)
        assert r.status_code == 200, r.text
        if stream:
            events = [json.loads(e[6:]) for e in r.text.split("\n\n") if e.startswith("data: {")]
            content = "".join(e["choices"][0]["delta"].get("content", "") for e in events)
            citations = events[-1]["citations"]
        else:
            content, citations = r.json()["choices"][0]["message"]["content"], r.json()["citations"]
        assert "Osprey" in content  # the quoted sentence is there...
        for hinge in ("](", "<a ", "<img", "http://", "https://"):
            assert hinge not in content, (hinge, content)  # ...but no link, image, tag or autolink survives
        assert "[1]" in content
        assert any(raw in c["quote"] for c in citations), citations  # the raw text stays in citations


def test_the_cli_prints_terminal_controls_from_documents_as_escapes(capsys: pytest.CaptureFixture[str]) -> None:
    from ui.cli import _print_passages

    passage = {"source": "red\x1b[31m\u202etxt.md", "start_line": 1, "end_line": 2, "score": 0.5}
    _print_passages([{**passage, "text": "clear\x1b[2J screen \x07 bell \x9b csi"}])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out and "\x9b" not in out
    assert "\\x1b[31m" in out and "\\u202e" in out and "\\x1b[2J" in out


# -- 10 (INFO). wrong keys and page logins are slowed per client --------------------------------------------------


def test_wrong_keys_and_logins_from_one_client_are_cut_off_for_a_minute(service: Service) -> None:
    from tests.live import live_server

    keyed = _variant(service, api_key=KEY, max_auth_failures=3)
    good = {"Authorization": f"Bearer {KEY}"}
    with live_server(keyed) as url:
        wrong = [httpx.get(url + "/v1/models", headers={"Authorization": f"Bearer guess{i}"}) for i in range(3)]
        assert [r.status_code for r in wrong] == [401, 401, 401]
        locked = httpx.get(url + "/v1/models", headers=good, timeout=30)
        assert locked.status_code == 429 and locked.json()["error"]["type"] == "too_many_failures", locked.text
        assert int(locked.headers["Retry-After"]) > 0 and "FOOTNOTE_MAX_AUTH_FAILURES" in locked.text
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30) as other:
            assert other.get(url + "/v1/models", headers=good).status_code == 200  # another client is not
            logins = [other.post(url + "/login", data={"username": "u", "password": f"p{i}"}) for i in range(3)]
            assert [r.status_code for r in logins] == [400, 400, 400]
            assert other.post(url + "/login", data={"username": "u", "password": KEY}).status_code == 429


def test_the_api_docs_load_nothing_from_another_host(base_url: str) -> None:
    page = httpx.get(base_url + "/docs", timeout=30)
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    remote = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", page.text)
    assert remote == [], remote
    for asset in re.findall(r"""(?:src|href)=["'](/docs-assets/[^"']+)""", page.text):
        assert httpx.get(base_url + asset, timeout=30).status_code == 200, asset
