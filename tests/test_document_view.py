"""The document view: GET /v1/documents/{source} (JSON) and /view/{source}?lines=A-B (HTML), on a real server."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from tests.conftest import ROOT, SEEDS
from tests.live import live_server
from ui.documents import rebuild_text
from ui.links import document_url
from ui.service import Service

TEN_TIMES_FILE = "000_238b3d5c562b5a75.txt"
POISON = ROOT / "tests" / "poison"


def test_the_stored_text_is_each_seed_file_line_for_line(service: Service) -> None:
    for f in sorted(SEEDS.iterdir()):
        doc = service.document(f.name)
        want = f.read_text(encoding="utf-8")
        assert doc.text == want[: len(doc.text)] and not want[len(doc.text) :].strip(), f.name
        assert doc.chunks == len(service.store.document(f.name))


def test_every_chunk_sits_at_its_own_offsets_and_lines_in_the_rebuilt_text(service: Service) -> None:
    payloads = service.store.document(TEN_TIMES_FILE)
    text = rebuild_text(payloads)
    lines = text.split("\n")
    for p in payloads:
        assert text[p["char_start"] : p["char_end"]] == p["text"]
        assert p["text"].split("\n")[0] in lines[p["start_line"] - 1]


def test_gaps_between_chunks_keep_their_line_breaks_and_every_offset() -> None:
    original = "Title  \n\n\nBody one. Body two.\nLast line."
    payloads = [
        {"char_start": 0, "char_end": 5, "start_line": 1, "end_line": 1, "text": "Title"},
        {"char_start": 10, "char_end": 29, "start_line": 4, "end_line": 4, "text": "Body one. Body two."},
        {"char_start": 20, "char_end": 40, "start_line": 4, "end_line": 5, "text": "Body two.\nLast line."},
    ]
    assert rebuild_text(payloads) == original


def test_api_returns_title_trust_chunks_and_numbered_lines(base_url: str) -> None:
    r = httpx.get(f"{base_url}/v1/documents/{TEN_TIMES_FILE}")
    assert r.status_code == 200
    body = r.json()
    assert body["source"] == TEN_TIMES_FILE and body["trust"] == "curated" and body["chunks"] == 16
    assert body["title"] == "China’s Advancement in the AI Arms Race"
    assert body["lines"][32]["n"] == 33 and "ten times larger" in body["lines"][32]["text"]


def test_api_says_404_with_a_message_for_an_unknown_document(base_url: str) -> None:
    r = httpx.get(f"{base_url}/v1/documents/no-such-file.txt")
    assert r.status_code == 404
    error = r.json()["error"]
    assert error["type"] == "unknown_document" and error["code"] == "unknown_document"
    assert error["message"] == "no document named 'no-such-file.txt' is in the store; GET /v1/documents lists them"


def test_view_highlights_the_cited_lines_and_links_back_to_the_chat(base_url: str) -> None:
    r = httpx.get(document_url(base_url, TEN_TIMES_FILE, 33, 34))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert '<div class="line hl" id="L33">' in page and '<div class="line hl" id="L34">' in page
    assert '<div class="line" id="L32">' in page and '<div class="line" id="L35">' in page
    assert "<h1>China’s Advancement in the AI Arms Race</h1>" in page and TEN_TIMES_FILE in page
    assert "lines 33–34" in page and '<a href="/">← Back to the chat</a>' in page
    assert "script-src 'sha256-" in r.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("abc", "lines must look like 33 or 33-35"),
        ("9-3", "the first line must be at least 1"),
        ("900", "has 41 lines"),
    ],
)
def test_view_refuses_a_bad_line_range_in_plain_words(base_url: str, lines: str, message: str) -> None:
    r = httpx.get(f"{base_url}/view/{TEN_TIMES_FILE}", params={"lines": lines})
    assert r.status_code == 400 and message in r.text


def test_view_of_an_unknown_document_is_a_404_page(base_url: str) -> None:
    r = httpx.get(f"{base_url}/view/gone.txt?lines=1-2")
    assert r.status_code == 404 and "No document named &#x27;gone.txt&#x27;" in r.text


def test_view_escapes_a_hostile_upload(service: Service, base_url: str) -> None:
    name = "poison_05_script_tag.txt"
    service.upload(name, (POISON / name).read_bytes())
    try:
        r = httpx.get(f"{base_url}/view/{name}?lines=1-3")
        assert r.status_code == 200
        assert "<script>alert" not in r.text.lower() and "&lt;script&gt;" in r.text.lower()
        assert '<span class="badge contributed">uploaded</span>' in r.text
    finally:
        service.delete(name)


def test_with_a_key_the_json_needs_it_and_the_view_needs_the_page_login(service: Service) -> None:
    settings = service.settings.model_copy(update={"api_key": SecretStr("s3cret")})
    keyed = Service(settings, chat=service.chat, ingestor=service.ingestor)
    with live_server(keyed) as url:
        assert httpx.get(f"{url}/v1/documents/{TEN_TIMES_FILE}").status_code == 401
        ok = httpx.get(f"{url}/v1/documents/{TEN_TIMES_FILE}", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        view = f"{url}/view/{TEN_TIMES_FILE}?lines=33-33"
        refused = httpx.get(view)
        assert refused.status_code == 401 and "sign in on the chat page" in refused.text
        with httpx.Client() as client:
            login = client.post(f"{url}/login", data={"username": "any", "password": "s3cret"})
            assert login.status_code == 200
            r = client.get(view)
            assert r.status_code == 200 and 'id="L33"' in r.text
