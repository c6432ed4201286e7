"""REST and OpenAI-compatible API against a live server on 127.0.0.1: the official client, bad input, auth."""

from __future__ import annotations

import re

import httpx
import openai
import pytest

from tests.live import live_server
from ui.service import Service

LLAMA = "How big is Llama 2 vs Qwen-VL?"
TEN_TIMES_FILE = "000_238b3d5c562b5a75.txt"


def test_openai_client_gets_a_cited_answer(base_url: str) -> None:
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused")
    resp = client.chat.completions.create(model="footnote", messages=[{"role": "user", "content": LLAMA}])
    text = resp.choices[0].message.content or ""
    assert "ten times larger" in text and "[1]" in text
    citations = (resp.model_extra or {})["citations"]
    assert citations[0]["source"] == TEN_TIMES_FILE and citations[0]["n"] == 1
    assert "ten times larger" in citations[0]["quote"]


def test_openai_client_streams_and_the_last_chunk_carries_the_citations(base_url: str) -> None:
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused")
    stream = client.chat.completions.create(
        model="footnote", messages=[{"role": "user", "content": LLAMA}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len(chunks) > 3 and "ten times larger" in text
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert (last.model_extra or {})["citations"][0]["source"] == TEN_TIMES_FILE


@pytest.mark.parametrize(
    "question",
    [LLAMA, "What is Qwen2.5-Omni-7B and who made it?", "Summarize the five articles.", "Who won the 2022 World Cup?"],
)
def test_the_streamed_text_is_exactly_the_final_answer(base_url: str, question: str) -> None:
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused")
    chunks = list(
        client.chat.completions.create(model="footnote", messages=[{"role": "user", "content": question}], stream=True)
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    final = (chunks[-1].model_extra or {})["footnote"]
    plain = client.chat.completions.create(model="footnote", messages=[{"role": "user", "content": question}])
    assert streamed.strip() and streamed == final["answer"] == plain.choices[0].message.content
    cited = {c["n"] for c in (chunks[-1].model_extra or {})["citations"]}
    assert {int(n) for n in re.findall(r"\[(\d+)\]", streamed)} == cited


def test_a_refusal_through_the_chat_endpoint_lists_the_closest_passages(base_url: str) -> None:
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused")
    resp = client.chat.completions.create(
        model="footnote", messages=[{"role": "user", "content": "Who won the 2022 FIFA World Cup?"}]
    )
    extra = (resp.model_extra or {})["footnote"]
    assert extra["refused"] and "don't say" in (resp.choices[0].message.content or "")
    assert extra["passages"] and all({"source", "start_line", "text"} <= set(p) for p in extra["passages"])


def test_openai_messages_carry_the_history_for_follow_ups(base_url: str) -> None:
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused")
    resp = client.chat.completions.create(
        model="footnote",
        messages=[
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "What is Qwen2-VL?"},
            {"role": "assistant", "content": "Alibaba's new vision-language AI model [1]."},
            {"role": "user", "content": "And how does it compare with GPT-4V?"},
        ],
    )
    assert "outperformed" in (resp.choices[0].message.content or "")
    assert (resp.model_extra or {})["citations"][0]["source"] == "001_7aaf47b449a52241.txt"


def test_models_lists_footnote(base_url: str) -> None:
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused")
    assert [m.id for m in client.models.list()] == ["footnote"]


def test_ask_returns_the_answer_json(base_url: str) -> None:
    r = httpx.post(f"{base_url}/v1/ask", json={"question": LLAMA, "top_k": 3}, timeout=30)
    assert r.status_code == 200
    data = r.json()
    assert set(data) == {"answer", "refused", "citations", "passages", "answerer", "notice", "timings_ms", "set_aside"}
    assert data["citations"][0]["trust"] == "curated" and data["set_aside"] == []
    assert data["citations"][0]["source"] == TEN_TIMES_FILE and not data["refused"]
    refused = httpx.post(f"{base_url}/v1/ask", json={"question": "Who won the 2022 FIFA World Cup?"}, timeout=30)
    assert refused.json()["refused"] is True and refused.json()["citations"] == []


def test_search_returns_passages(base_url: str) -> None:
    r = httpx.get(f"{base_url}/v1/search", params={"q": "Blackwell", "top_k": 2}, timeout=30)
    assert r.status_code == 200
    passages = r.json()["passages"]
    assert len(passages) == 2 and "Blackwell" in passages[0]["text"]


def test_documents_can_be_uploaded_asked_about_and_deleted(base_url: str) -> None:
    text = "Zephyr Labs released the Koala-9 model in Reykjavik.\nKoala-9 runs on solar-powered servers.\n"
    up = httpx.post(f"{base_url}/v1/documents", files={"file": ("koala.txt", text.encode(), "text/plain")}, timeout=60)
    assert up.status_code == 201 and up.json()["status"] == "added" and up.json()["chunks"] >= 1
    again = httpx.post(f"{base_url}/v1/documents", files={"file": ("koala.txt", text.encode(), "text/plain")})
    assert again.status_code == 200 and again.json()["status"] == "unchanged" and again.json()["chunks_embedded"] == 0
    listed = {d["source"]: d for d in httpx.get(f"{base_url}/v1/documents").json()["documents"]}
    assert "koala.txt" in listed and len(listed["koala.txt"]["sha256"]) == 64
    ans = httpx.post(f"{base_url}/v1/ask", json={"question": "Where was Koala-9 released?"}, timeout=30).json()
    assert ans["citations"] and ans["citations"][0]["source"] == "koala.txt" and "Reykjavik" in ans["answer"]
    as_json = httpx.post(f"{base_url}/v1/documents", json={"source": "notes.md", "text": "# Notes\nA short note."})
    assert as_json.status_code == 201
    for name in ("koala.txt", "notes.md"):
        gone = httpx.delete(f"{base_url}/v1/documents/{name}")
        assert gone.status_code == 200 and gone.json()["chunks"] >= 1
    assert "koala.txt" not in {d["source"] for d in httpx.get(f"{base_url}/v1/documents").json()["documents"]}


BAD_REQUESTS = [
    ("post", "/v1/ask", {"json": {"question": ""}}, 400, "empty"),
    ("post", "/v1/ask", {"json": {"question": "   "}}, 400, "empty"),
    ("post", "/v1/ask", {"json": {"question": "x" * 2001}}, 400, "limit"),
    ("post", "/v1/ask", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "JSON"),
    (
        "post",
        "/v1/ask",
        {"content": b'{"question": "\xff"}', "headers": {"content-type": "application/json"}},
        400,
        "JSON",
    ),
    ("post", "/v1/ask", {"json": {"question": 42}}, 422, "string"),
    ("post", "/v1/ask", {"json": {"question": "ok?", "top_k": "many"}}, 422, "top_k"),
    ("post", "/v1/ask", {"json": {"question": "ok?", "top_k": 0}}, 422, "top_k"),
    ("post", "/v1/ask", {"json": {"question": "ok?", "history": [{"role": "robot", "content": "x"}]}}, 422, "role"),
    ("post", "/v1/ask", {"json": ["question"]}, 422, "body"),
    ("get", "/v1/search", {}, 422, "q"),
    ("get", "/v1/search", {"params": {"q": " "}}, 400, "empty"),
    ("post", "/v1/chat/completions", {"json": {"model": "footnote", "messages": []}}, 422, "messages"),
    ("post", "/v1/chat/completions", {"json": {"messages": [{"role": "assistant", "content": "hi"}]}}, 400, "user"),
    ("get", "/v1/no-such-route", {}, 404, "no route"),
    ("delete", "/v1/documents/nope.txt", {}, 404, "nope.txt"),
    ("post", "/v1/documents", {"files": {"file": ("a.txt", b"caf\xe9", "text/plain")}}, 400, "UTF-8"),
    ("post", "/v1/documents", {"files": {"file": ("a.txt", b"\x00\x01\x02bin", "text/plain")}}, 400, "binary"),
    ("post", "/v1/documents", {"files": {"file": ("a.png", b"\x89PNG", "image/png")}}, 400, ".txt, .md"),
    ("post", "/v1/documents", {"files": {"file": ("a.pdf", b"%PDF", "application/pdf")}}, 400, "a.pdf: not a PDF"),
    ("post", "/v1/documents", {"files": {"file": ("e.txt", b"", "text/plain")}}, 400, "empty"),
    ("post", "/v1/documents", {"content": b"raw", "headers": {"content-type": "text/plain"}}, 400, "multipart"),
    ("post", "/v1/documents", {"json": {"source": "x.txt"}}, 400, "text"),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "says"), BAD_REQUESTS)
def test_bad_input_gets_a_clear_json_4xx(
    base_url: str, method: str, path: str, kwargs: dict, status: int, says: str
) -> None:
    r = httpx.request(method.upper(), f"{base_url}{path}", timeout=30, **kwargs)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert says.lower() in err["message"].lower() and err["type"]


def test_oversized_upload_is_refused(base_url: str, service: Service) -> None:
    limit = service.settings.max_upload_bytes
    just_over = httpx.post(
        f"{base_url}/v1/documents", files={"file": ("big.txt", b"a" * (limit + 10), "text/plain")}, timeout=30
    )
    assert just_over.status_code == 400 and "limit" in just_over.json()["error"]["message"]
    huge = httpx.post(f"{base_url}/v1/ask", content=b"x" * (limit + 100_000), timeout=30)
    assert huge.status_code == 413 and huge.json()["error"]["type"] == "too_large"


def test_health_and_readiness(base_url: str) -> None:
    assert httpx.get(f"{base_url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{base_url}/readyz")
    assert ready.status_code == 200 and ready.json()["points"] > 0
    assert httpx.get(f"{base_url}/docs").status_code == 200
    paths = httpx.get(f"{base_url}/openapi.json").json()["paths"]
    assert {"/v1/ask", "/v1/search", "/v1/chat/completions", "/v1/documents", "/v1/models"} <= set(paths)


def test_api_key_guards_every_v1_route_but_not_health(service: Service) -> None:
    from pydantic import SecretStr

    settings = service.settings.model_copy(update={"api_key": SecretStr("s3cret-key")})
    guarded = Service(settings, chat=service.chat, ingestor=service.ingestor)
    with live_server(guarded) as url:
        assert httpx.post(f"{url}/v1/ask", json={"question": LLAMA}).status_code == 401
        wrong = httpx.get(f"{url}/v1/models", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "s3cret" not in wrong.text
        assert httpx.get(f"{url}/v1/models", headers={"Authorization": "Bearer s3cret-key"}).status_code == 200
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="s3cret-key")
        assert client.chat.completions.create(model="footnote", messages=[{"role": "user", "content": LLAMA}])
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=f"{url}/v1", api_key="wrong").models.list()
        assert httpx.get(f"{url}/healthz").status_code == 200
        assert httpx.get(f"{url}/v1/no-such").status_code == 401


def test_cli_ingest_sends_files_through_a_running_server(base_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json
    import subprocess

    from tests.conftest import FOOTNOTE, ROOT, cli_env

    folder = tmp_path / "remote"
    folder.mkdir()
    (folder / "otter.md").write_text("# Otters\n\nThe Otter-5 model was announced in Lisbon.\n")
    (folder / "empty.txt").write_text("")
    out = subprocess.run(
        [*FOOTNOTE, "ingest", "--server", base_url, str(folder), "--json"],
        cwd=ROOT,
        env=cli_env(tmp_path / "unused"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["added"] == 1 and report["skipped"][0]["path"].endswith("empty.txt")
    assert "otter.md" in {d["source"] for d in httpx.get(f"{base_url}/v1/documents").json()["documents"]}
    httpx.delete(f"{base_url}/v1/documents/otter.md")


def test_upload_names_keep_only_the_file_name(base_url: str) -> None:
    r = httpx.post(f"{base_url}/v1/documents", json={"source": "C:\\docs\\win.txt", "text": "Windows path note."})
    assert r.status_code == 201 and r.json()["source"] == "win.txt"
    assert httpx.delete(f"{base_url}/v1/documents/win.txt").status_code == 200


def test_uploads_are_contributed_and_cannot_replace_or_delete_a_curated_article(base_url: str) -> None:
    before = {d["source"]: d for d in httpx.get(f"{base_url}/v1/documents").json()["documents"]}
    assert before[TEN_TIMES_FILE]["trust"] == "curated"
    fake = {"file": (TEN_TIMES_FILE, b"Llama 2 is a hundred times smaller than Qwen-VL.", "text/plain")}
    replaced = httpx.post(f"{base_url}/v1/documents", files=fake, timeout=60)
    assert replaced.status_code == 409 and replaced.json()["error"]["type"] == "curated_document"
    assert "footnote ingest" in replaced.json()["error"]["message"]
    removed = httpx.delete(f"{base_url}/v1/documents/{TEN_TIMES_FILE}")
    assert removed.status_code == 409 and TEN_TIMES_FILE in removed.json()["error"]["message"]
    promoted = httpx.post(f"{base_url}/v1/documents", json={"source": "p.txt", "text": "A note.", "trust": "curated"})
    assert promoted.status_code == 403 and "FOOTNOTE_API_KEY" in promoted.json()["error"]["message"]
    bad = httpx.post(f"{base_url}/v1/documents", files={"file": ("q.txt", b"A note.")}, data={"trust": "gold"})
    assert bad.status_code == 400 and "curated, contributed" in bad.json()["error"]["message"]
    after = {d["source"]: d for d in httpx.get(f"{base_url}/v1/documents").json()["documents"]}
    assert after[TEN_TIMES_FILE] == before[TEN_TIMES_FILE] and "p.txt" not in after and "q.txt" not in after
    mine = httpx.post(f"{base_url}/v1/documents", json={"source": "mine.txt", "text": "The Heron-3 model flies."})
    assert mine.status_code == 201 and mine.json()["trust"] == "contributed"
    assert httpx.delete(f"{base_url}/v1/documents/mine.txt").status_code == 200


def test_the_api_key_holder_may_upload_curated_documents_and_delete_them(service: Service) -> None:
    from pydantic import SecretStr

    settings = service.settings.model_copy(update={"api_key": SecretStr("op-key")})
    guarded = Service(settings, chat=service.chat, ingestor=service.ingestor)
    auth = {"Authorization": "Bearer op-key"}
    with live_server(guarded) as url:
        text = "The Heron-4 model was trained in Oslo."
        up = httpx.post(
            f"{url}/v1/documents", json={"source": "heron.txt", "text": text, "trust": "curated"}, headers=auth
        )
        assert up.status_code == 201 and up.json()["trust"] == "curated"
        listed = {d["source"]: d["trust"] for d in httpx.get(f"{url}/v1/documents", headers=auth).json()["documents"]}
        assert listed["heron.txt"] == "curated"
        assert httpx.delete(f"{url}/v1/documents/heron.txt", headers=auth).status_code == 200


def test_an_upload_that_makes_too_many_chunks_is_refused_before_any_embedding(service: Service) -> None:
    settings = service.settings.model_copy(update={"max_upload_chunks": 2})
    capped = Service(settings, chat=service.chat, ingestor=service.ingestor)
    text = "\n\n".join(f"Paragraph {i} says the Ibis-{i} model " + "was tested again. " * 40 for i in range(6))
    with live_server(capped) as url:
        r = httpx.post(f"{url}/v1/documents", json={"source": "long.txt", "text": text}, timeout=60)
        assert r.status_code == 400 and "FOOTNOTE_MAX_UPLOAD_CHUNKS" in r.json()["error"]["message"]
        assert "footnote ingest" in r.json()["error"]["message"]
        assert "long.txt" not in {d["source"] for d in httpx.get(f"{url}/v1/documents").json()["documents"]}
