"""Third-party OpenAI clients as their users run them, against a keyed live server on 127.0.0.1.

For each client: the streamed text equals the plain text, every [n] in it resolves to a citation the client can
reach (annotations, the top-level `citations`, or footnotes appended to the content), and a wrong key is a clear
401. The servers share the module's Service; the `llm` CLI keeps nothing but text, so its server appends
footnotes (FOOTNOTE_FOOTNOTES_IN_CONTENT).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from pydantic import SecretStr

from tests.live import live_server
from ui.service import Service

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # litellm would fetch its price list at import

KEY = "client-key"
WRONG = "not-the-key"
LLAMA = "How big is Llama 2 vs Qwen-VL?"
TEN_TIMES_FILE = "000_238b3d5c562b5a75.txt"
MARKER = re.compile(r"\[(\d+)\]")
FOOTNOTE_LINE = re.compile(r"^\[(\d+)\] .+ — (\S+), lines? [\d–]+: “.+” (http://\S+)$", re.M)


@pytest.fixture(scope="module")
def keyed(service: Service) -> Iterator[str]:
    """The module's service behind FOOTNOTE_API_KEY."""
    settings = service.settings.model_copy(update={"api_key": SecretStr(KEY)})
    with live_server(Service(settings, chat=service.chat, ingestor=service.ingestor)) as url:
        yield url


@pytest.fixture(scope="module")
def keyed_footnotes(service: Service) -> Iterator[str]:
    """The same behind the key, with footnotes appended to every answer's content."""
    settings = service.settings.model_copy(update={"api_key": SecretStr(KEY), "footnotes_in_content": True})
    with live_server(Service(settings, chat=service.chat, ingestor=service.ingestor)) as url:
        yield url


def markers(text: str) -> set[int]:
    return {int(n) for n in MARKER.findall(text)}


def assert_resolves_by_annotations(content: str, annotations: list[Any], base: str) -> None:
    """Every [n] is a url_citation whose span is that marker and whose link opens the document view."""
    notes = [a if isinstance(a, dict) else a.model_dump() for a in annotations]
    spans = {content[a["url_citation"]["start_index"] : a["url_citation"]["end_index"]] for a in notes}
    assert markers(content) and spans == {f"[{n}]" for n in markers(content)}
    assert all(a["url_citation"]["url"].startswith(f"{base}/view/") for a in notes)
    assert any(f"/view/{TEN_TIMES_FILE}?lines=" in a["url_citation"]["url"] for a in notes)


def assert_resolves_by_citations(content: str, citations: list[dict[str, Any]]) -> None:
    assert markers(content) and markers(content) <= {c["n"] for c in citations}
    assert citations[0]["source"] == TEN_TIMES_FILE and "ten times larger" in citations[0]["quote"]


def assert_resolves_by_footnotes(content: str, first_file: str = TEN_TIMES_FILE) -> None:
    """Every [n] of the answer has its footnote line in the content, with file and link."""
    answer, _, notes = content.partition("\n\n[1] ")
    found = {int(m.group(1)): m for m in FOOTNOTE_LINE.finditer("[1] " + notes)}
    assert markers(answer) and markers(answer) <= set(found), content
    assert found[1].group(2).rstrip(",") == first_file and "/view/" in found[1].group(3)


# -- openai ------------------------------------------------------------------------------------------------------


def test_openai_plain_stream_and_stream_helper_agree_and_cite(keyed: str) -> None:
    client = openai.OpenAI(base_url=f"{keyed}/v1", api_key=KEY)
    messages: Any = [{"role": "user", "content": LLAMA}]
    plain = client.chat.completions.create(model="footnote", messages=messages)
    content = plain.choices[0].message.content or ""
    assert_resolves_by_annotations(content, plain.choices[0].message.annotations or [], keyed)
    assert_resolves_by_citations(content, (plain.model_extra or {})["citations"])
    assert plain.usage is not None and plain.usage.completion_tokens > 0

    chunks = list(
        client.chat.completions.create(
            model="footnote", messages=messages, stream=True, stream_options={"include_usage": True}
        )
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    notes = [a for c in chunks if c.choices for a in (c.choices[0].delta.model_extra or {}).get("annotations", [])]
    assert streamed == content
    assert_resolves_by_annotations(streamed, notes, keyed)
    assert chunks[-1].usage == plain.usage and chunks[-1].choices == []

    with client.chat.completions.stream(model="footnote", messages=messages) as stream:
        helped = "".join(e.delta for e in stream if e.type == "content.delta")
        final = stream.get_final_completion()
    assert helped == content == final.choices[0].message.content
    assert_resolves_by_annotations(helped, final.choices[0].message.annotations or [], keyed)


def test_openai_with_a_wrong_key_is_a_clear_401(keyed: str) -> None:
    client = openai.OpenAI(base_url=f"{keyed}/v1", api_key=WRONG, max_retries=0)
    for stream in (False, True):
        with pytest.raises(openai.AuthenticationError) as info:
            client.chat.completions.create(
                model="footnote", messages=[{"role": "user", "content": LLAMA}], stream=stream
            )
        assert info.value.status_code == 401 and "API key" in info.value.message
    with pytest.raises(openai.AuthenticationError):
        client.models.list()


# -- langchain-openai -----------------------------------------------------------------------------------------


def test_langchain_invoke_and_stream_agree_and_carry_footnotes(keyed: str) -> None:
    from langchain_openai import ChatOpenAI

    # LangChain keeps only the text of a chat completion: ask for the footnotes in it.
    chat = ChatOpenAI(model="footnote", base_url=f"{keyed}/v1", api_key=SecretStr(KEY), extra_body={"footnotes": True})
    plain = chat.invoke(LLAMA)
    streamed = "".join(str(chunk.content) for chunk in chat.stream(LLAMA))
    assert isinstance(plain.content, str) and streamed == plain.content
    assert_resolves_by_footnotes(plain.content)
    assert plain.usage_metadata is not None and plain.usage_metadata["output_tokens"] > 0


def test_langchain_with_a_wrong_key_is_a_clear_401(keyed: str) -> None:
    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(model="footnote", base_url=f"{keyed}/v1", api_key=SecretStr(WRONG), max_retries=0)
    with pytest.raises(openai.AuthenticationError, match="API key"):
        chat.invoke(LLAMA)


# -- litellm ------------------------------------------------------------------------------------------------------


def test_litellm_completion_and_stream_agree_and_cite(keyed: str) -> None:
    import litellm

    kwargs: dict[str, Any] = {
        "model": "openai/footnote",
        "api_base": f"{keyed}/v1",
        "api_key": KEY,
        "messages": [{"role": "user", "content": LLAMA}],
    }
    plain = litellm.completion(**kwargs)
    message = plain.choices[0].message
    content = message.content or ""
    assert_resolves_by_annotations(content, message.annotations or [], keyed)
    chunks = list(litellm.completion(stream=True, **kwargs))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    notes = [a for c in chunks if c.choices for a in (getattr(c.choices[0].delta, "annotations", None) or [])]
    assert streamed == content
    assert_resolves_by_annotations(streamed, notes, keyed)


def test_litellm_with_a_wrong_key_is_a_clear_401(keyed: str) -> None:
    import litellm

    with pytest.raises(litellm.AuthenticationError, match="API key"):
        litellm.completion(
            model="openai/footnote",
            api_base=f"{keyed}/v1",
            api_key=WRONG,
            messages=[{"role": "user", "content": LLAMA}],
            num_retries=0,
        )


# -- llama-index OpenAILike ---------------------------------------------------------------------------------------


def _openai_like(base: str, key: str) -> Any:
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        model="footnote", api_base=f"{base}/v1", api_key=key, is_chat_model=True, context_window=4096, max_retries=0
    )


def test_llama_index_chat_and_stream_chat_agree_and_cite(keyed: str) -> None:
    from llama_index.core.llms import ChatMessage

    llm = _openai_like(keyed, KEY)
    messages = [ChatMessage(role="user", content=LLAMA)]
    plain = llm.chat(messages)
    content = plain.message.content or ""
    raw = plain.raw
    assert raw is not None
    assert_resolves_by_annotations(content, raw.choices[0].message.annotations or [], keyed)
    assert_resolves_by_citations(content, (raw.model_extra or {})["citations"])
    responses = list(llm.stream_chat(messages))
    streamed = "".join(r.delta or "" for r in responses)
    assert streamed == content == responses[-1].message.content
    last = responses[-1].raw
    assert last is not None
    assert_resolves_by_citations(streamed, (last.model_extra or {})["citations"])


def test_llama_index_with_a_wrong_key_is_a_clear_401(keyed: str) -> None:
    from llama_index.core.llms import ChatMessage

    with pytest.raises(openai.AuthenticationError, match="API key"):
        _openai_like(keyed, WRONG).chat([ChatMessage(role="user", content=LLAMA)])


# -- simonw's llm CLI ---------------------------------------------------------------------------------------------


def _llm_home(tmp_path: Path, base: str) -> dict[str, str]:
    home = tmp_path / "llm-home"
    home.mkdir()
    (home / "extra-openai-models.yaml").write_text(
        f"- model_id: footnote\n  model_name: footnote\n  api_base: {base}/v1\n  api_key_name: footnote\n"
    )
    (home / "keys.json").write_text(f'{{"footnote": "{KEY}"}}')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_"))}
    env["LLM_USER_PATH"] = str(home)
    return env


def _llm(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("llm", path=str(Path(sys.executable).parent))
    assert exe is not None, "the llm CLI (test extra) is not installed"
    return subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=120)


def test_llm_cli_prompt_and_continued_conversation_agree_and_carry_footnotes(
    keyed_footnotes: str, tmp_path: Path
) -> None:
    env = _llm_home(tmp_path, keyed_footnotes)
    streamed = _llm(env, "-m", "footnote", LLAMA)
    plain = _llm(env, "-m", "footnote", "--no-stream", LLAMA)
    assert streamed.returncode == 0 and plain.returncode == 0, streamed.stderr + plain.stderr
    assert streamed.stdout == plain.stdout
    assert_resolves_by_footnotes(plain.stdout.strip())

    first = _llm(env, "-m", "footnote", "What is Qwen2-VL?")
    follow = _llm(env, "-c", "And how does it compare with GPT-4V?")
    assert first.returncode == 0 and follow.returncode == 0, first.stderr + follow.stderr
    assert "outperformed" in follow.stdout  # the follow-up was read with the conversation before it
    assert_resolves_by_footnotes(follow.stdout.strip(), "001_7aaf47b449a52241.txt")


def test_llm_cli_with_a_wrong_key_says_401(keyed_footnotes: str, tmp_path: Path) -> None:
    env = _llm_home(tmp_path, keyed_footnotes)
    out = _llm(env, "-m", "footnote", "--key", WRONG, LLAMA)
    assert out.returncode != 0 and "401" in out.stderr and "API key" in out.stderr
