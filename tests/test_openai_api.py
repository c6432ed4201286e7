"""The OpenAI-compatible surface against a live server on 127.0.0.1: annotations, footnotes, usage, max_tokens,
stop, parameters it cannot honour, models, long conversations, error bodies; the content cut as a unit."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import openai
import pytest
from openai.types.chat.chat_completion_message import Annotation

from rag.retrieval.embeddings import Embedder
from rag.types import Citation
from tests.live import live_server
from ui.openai_api import MAX_HISTORY_MESSAGES, Cut, render_footnotes, url_citations
from ui.service import Service

LLAMA = "How big is Llama 2 vs Qwen-VL?"
SUMMARY = "Summarize the five articles."
TEN_TIMES_FILE = "000_238b3d5c562b5a75.txt"
MARKER = re.compile(r"\[(\d+)\]")


def post(base_url: str, **body: Any) -> httpx.Response:
    body.setdefault("messages", [{"role": "user", "content": LLAMA}])
    return httpx.post(f"{base_url}/v1/chat/completions", json=body, timeout=60)


def stream_events(base_url: str, **body: Any) -> list[dict[str, Any]]:
    r = post(base_url, stream=True, **body)
    assert r.status_code == 200, r.text
    raw = [e.removeprefix("data: ") for e in r.text.split("\n\n") if e.startswith("data: ")]
    assert raw[-1] == "[DONE]"
    return [json.loads(e) for e in raw[:-1]]


def streamed_text(events: list[dict[str, Any]]) -> str:
    return "".join(c["delta"].get("content") or "" for e in events for c in e["choices"])


def streamed_annotations(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a for e in events for c in e["choices"] for a in c["delta"].get("annotations", [])]


def test_every_marker_in_the_content_is_a_url_citation_to_its_lines(base_url: str) -> None:
    data = post(base_url).json()
    message, citations = data["choices"][0]["message"], {c["n"]: c for c in data["citations"]}
    content, notes = message["content"], message["annotations"]
    markers = list(MARKER.finditer(content))
    assert markers and len(notes) == len(markers)
    for m, note in zip(markers, notes, strict=True):
        cite = note["url_citation"]
        assert note["type"] == "url_citation" and content[cite["start_index"] : cite["end_index"]] == m.group()
        c = citations[int(m.group(1))]
        assert cite["title"] == c["title"] and cite["title"] != c["source"]  # the article's title, not its file
        assert cite["url"] == (
            f"{base_url}/view/{c['source']}?lines={c['start_line']}-{c['end_line']}#L{c['start_line']}"
        )
    assert citations[1]["source"] == TEN_TIMES_FILE


def test_a_stream_carries_the_same_annotations_once_before_the_finish(base_url: str) -> None:
    events = stream_events(base_url)
    plain = post(base_url).json()["choices"][0]["message"]
    with_notes = [e for e in events if e["choices"] and "annotations" in e["choices"][0]["delta"]]
    assert len(with_notes) == 1 and with_notes[0]["choices"][0]["finish_reason"] is None
    assert events.index(with_notes[0]) < len(events) - 1
    assert events[-1]["choices"][0]["finish_reason"] == "stop" and events[-1]["citations"]
    assert streamed_text(events) == plain["content"]
    assert streamed_annotations(events) == plain["annotations"]


def test_footnotes_on_request_are_appended_to_the_content_alike_in_stream_and_plain(base_url: str) -> None:
    plain = post(base_url, footnotes=True).json()
    content = plain["choices"][0]["message"]["content"]
    answer, _, notes = content.partition("\n\n[1] ")
    c = plain["citations"][0]
    url = f"{base_url}/view/{TEN_TIMES_FILE}?lines={c['start_line']}-{c['end_line']}#L{c['start_line']}"
    assert notes.startswith(f"{c['title']} — {TEN_TIMES_FILE}, line") and url in notes and "ten times larger" in notes
    assert {int(n) for n in MARKER.findall(answer)} == {c["n"] for c in plain["citations"]}
    # annotations point into the answer part only; the footnotes are the footnotes
    assert all(a["url_citation"]["end_index"] <= len(answer) for a in plain["choices"][0]["message"]["annotations"])
    assert streamed_text(stream_events(base_url, footnotes=True)) == content
    assert post(base_url).json()["choices"][0]["message"]["content"] == answer  # off by default


def test_usage_counts_word_pieces_and_the_stream_reports_it_in_a_last_chunk(base_url: str, embedder: Embedder) -> None:
    plain = post(base_url).json()
    usage, content = plain["usage"], plain["choices"][0]["message"]["content"]
    assert usage["completion_tokens"] == embedder.count_tokens([content])[0] > 20
    assert usage["prompt_tokens"] == embedder.count_tokens([LLAMA])[0]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    events = stream_events(base_url, stream_options={"include_usage": True})
    last = events[-1]
    assert last["choices"] == [] and last["usage"] == usage
    assert all(e["usage"] is None for e in events[:-1])
    assert "usage" not in stream_events(base_url)[-1]  # only when asked for, as OpenAI does


@pytest.mark.parametrize("field", ["max_tokens", "max_completion_tokens"])
def test_max_tokens_cuts_the_content_at_a_word_with_finish_reason_length(
    base_url: str, embedder: Embedder, field: str
) -> None:
    full = post(base_url, messages=[{"role": "user", "content": SUMMARY}]).json()["choices"][0]["message"]["content"]
    body = {"messages": [{"role": "user", "content": SUMMARY}], field: 12}
    cut = post(base_url, **body).json()
    choice = cut["choices"][0]
    assert choice["finish_reason"] == "length" and full.startswith(choice["message"]["content"])
    assert 0 < cut["usage"]["completion_tokens"] <= 12 < embedder.count_tokens([full])[0]
    assert full[len(choice["message"]["content"])].isspace()  # ended at a word boundary
    events = stream_events(base_url, **body)
    assert streamed_text(events) == choice["message"]["content"]
    assert events[-1]["choices"][0]["finish_reason"] == "length"


def test_a_stop_sequence_ends_the_content_before_it_in_stream_and_plain(base_url: str) -> None:
    full = post(base_url).json()["choices"][0]["message"]["content"]
    stop = "ten times"
    assert stop in full
    plain = post(base_url, stop=[stop, "never-there"]).json()["choices"][0]
    assert plain["message"]["content"] == full[: full.index(stop)] and plain["finish_reason"] == "stop"
    assert streamed_text(stream_events(base_url, stop=stop)) == plain["message"]["content"]


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"n": 2}, "n"),
        ({"tool_choice": "required", "tools": [{"type": "function", "function": {"name": "f"}}]}, "tool_choice"),
        ({"tool_choice": {"type": "function", "function": {"name": "f"}}}, "tool_choice"),
        ({"response_format": {"type": "json_object"}}, "response_format"),
        ({"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}}}, "response_format"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
    ],
    ids=["n", "tool-required", "tool-named", "json-object", "json-schema", "five-stops"],
)
def test_parameters_it_cannot_honour_are_a_400_naming_them(base_url: str, extra: dict[str, Any], param: str) -> None:
    for stream in (False, True):
        r = post(base_url, stream=stream, **extra)
        assert r.status_code == 400, r.text
        err = r.json()["error"]
        assert err["param"] == param and err["type"] == "invalid_request_error" and err["code"]
        assert param in err["message"]


def test_harmless_openai_parameters_are_accepted(base_url: str) -> None:
    r = post(base_url, n=1, temperature=0.2, top_p=0.9, seed=7, user="u", tool_choice="auto", tools=[])
    assert r.status_code == 200 and "[1]" in r.json()["choices"][0]["message"]["content"]
    r = post(base_url, response_format={"type": "text"}, tool_choice="none")
    assert r.status_code == 200


def test_the_openai_client_sees_a_failed_parameter_as_a_bad_request_with_its_param(base_url: str) -> None:
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused")
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(
            model="footnote", messages=[{"role": "user", "content": LLAMA}], response_format={"type": "json_object"}
        )
    assert info.value.param == "response_format" and "JSON" in info.value.message


def test_models_has_one_model_and_a_clear_404_for_others(base_url: str) -> None:
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused")
    assert client.models.retrieve("footnote").id == "footnote"
    with pytest.raises(openai.NotFoundError) as info:
        client.models.retrieve("gpt-4o")
    body = info.value.body
    assert isinstance(body, dict) and body["code"] == "model_not_found" and body["param"] == "model"
    assert "footnote" in body["message"]


def test_a_long_conversation_keeps_its_most_recent_turns(base_url: str) -> None:
    old = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"Old message {i} about the weather."}
        for i in range(120)
    ]
    recent = [
        {"role": "user", "content": "What is Qwen2-VL?"},
        {"role": "assistant", "content": "Alibaba's new vision-language AI model [1]."},
        {"role": "user", "content": "And how does it compare with GPT-4V?"},
    ]
    r = post(base_url, messages=[{"role": "system", "content": "be brief"}, *old, *recent])
    assert r.status_code == 200, r.text
    assert "outperformed" in r.json()["choices"][0]["message"]["content"]
    # what was read: the question and the MAX_HISTORY_MESSAGES before it
    assert len(old) + len(recent) > MAX_HISTORY_MESSAGES + 1
    ask = httpx.post(
        f"{base_url}/v1/ask", json={"question": LLAMA, "history": [*old, *recent[:2]]}, timeout=60
    )  # the same rule for /v1/ask
    assert ask.status_code == 200 and not ask.json()["refused"]


def test_an_oversized_recent_message_is_a_400_naming_it(base_url: str) -> None:
    messages = [
        {"role": "user", "content": "x " * 15_000},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": LLAMA},
    ]
    r = post(base_url, messages=messages)
    assert r.status_code == 400 and r.json()["error"]["param"] == "messages[0].content"
    assert "20000" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", "/v1/no-such-route", {}, 404),
        ("post", "/v1/chat/completions", {"json": {"messages": []}}, 422),
        ("post", "/v1/chat/completions", {"json": {"messages": [{"role": "assistant", "content": "x"}]}}, 400),
        ("post", "/v1/chat/completions", {"content": b"{no", "headers": {"content-type": "application/json"}}, 400),
        ("delete", "/v1/documents/nope.txt", {}, 404),
    ],
)
def test_every_error_body_has_message_type_param_and_code(
    base_url: str, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    r = httpx.request(method.upper(), f"{base_url}{path}", timeout=30, **kwargs)
    assert r.status_code == status
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"} and err["message"] and err["code"]
    if status == 422:
        assert err["param"] == "messages"


def test_citation_links_use_the_public_url_when_set(service: Service) -> None:
    settings = service.settings.model_copy(update={"public_url": "https://footnote.example.org/"})
    public = Service(settings, chat=service.chat, ingestor=service.ingestor)
    with live_server(public) as url:
        data = post(url, footnotes=True).json()
    message = data["choices"][0]["message"]
    assert message["annotations"][0]["url_citation"]["url"].startswith(
        f"https://footnote.example.org/view/{TEN_TIMES_FILE}?lines="
    )
    assert f"https://footnote.example.org/view/{TEN_TIMES_FILE}" in message["content"]


# -- units ------------------------------------------------------------------------------------------------------


CITATION = Citation(
    n=1,
    source="a b/c.txt",
    title="Alibaba's Qwen",
    start_line=3,
    end_line=4,
    quote="It [is] ![x](http://evil.example/x.png) big.",
    score=0.5,
)


def test_annotations_fit_openai_types_and_the_shape_open_webui_reads() -> None:
    content = "Qwen is big [1]. Nothing here [2]."
    notes = url_citations(content, len(content), [CITATION], "http://127.0.0.1:7860/")
    assert len(notes) == 1  # [2] names no citation: no annotation
    typed = Annotation.model_validate(notes[0])  # the openai SDK's type, generated from OpenAI's API spec
    assert typed.url_citation.url == "http://127.0.0.1:7860/view/a%20b%2Fc.txt?lines=3-4#L3"
    assert content[typed.url_citation.start_index : typed.url_citation.end_index] == "[1]"
    # Open WebUI (backend/open_webui/utils/middleware.py) reads choices[0].delta.annotations: entries whose
    # type is "url_citation" and that hold a "url_citation" object, from which it takes url and title (title
    # defaulting to the url) to emit a source. Check that reading, field by field, on a streamed delta.
    delta = {"content": "", "annotations": notes}
    read = [
        (a["url_citation"].get("url", ""), a["url_citation"].get("title", a["url_citation"].get("url")))
        for a in delta.get("annotations") or []
        if a.get("type") == "url_citation" and "url_citation" in a
    ]
    assert read == [(typed.url_citation.url, "Alibaba's Qwen")]


def test_rendered_footnotes_keep_the_link_live_and_document_markdown_inert() -> None:
    text = render_footnotes([CITATION], "http://127.0.0.1:7860")
    assert text.startswith("\n\n[1] Alibaba's Qwen — a b/c.txt, lines 3–4: “It [is] ")
    assert text.endswith(" http://127.0.0.1:7860/view/a%20b%2Fc.txt?lines=3-4#L3")
    assert "](http://evil" not in text and "http://evil" not in text


SAMPLE = (
    "Meta's Llama 2 model is approximately ten times larger than Alibaba's models [1]. However, Chinese "
    "tech companies—Alibaba, Baidu—are catching up quickly, with Qwen-VL-Chat reading street signs [2]. "
)


@pytest.mark.parametrize(
    ("stops", "max_tokens"),
    [([], 9), ([], 1), ([], 500), (["[2]"], None), (["ten times", "Baidu"], 30), (["—"], 5), (["zzz"], None)],
)
def test_a_streamed_cut_always_sends_the_start_of_the_final_content(
    embedder: Embedder, stops: list[str], max_tokens: int | None
) -> None:
    cut = Cut(stops, max_tokens, lambda t: embedder.count_tokens([t])[0])
    final, reason = cut.final(SAMPLE)
    for step in (1, 3, 7, 40):
        sent = ""
        for end in range(step, len(SAMPLE) + step, step):
            ready = cut.ready(SAMPLE[:end])
            assert ready >= len(sent) and final.startswith(SAMPLE[:ready])
            sent = SAMPLE[:ready]
        assert final.startswith(sent)
    if max_tokens is not None and reason == "length":
        assert embedder.count_tokens([final])[0] <= max_tokens and not final.endswith(" ")
    if stops and reason == "stop" and any(s in SAMPLE for s in stops):
        assert not any(s in final for s in stops)
