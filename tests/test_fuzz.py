"""Schema-driven fuzzing of the live server: every operation in /openapi.json, valid and invalid inputs, no 5xx.

Schemathesis reads the running server's OpenAPI document and, for each operation, Hypothesis generates
requests that fit the schema (positive) and requests that break it (negative). 4xx answers are expected for
the latter; a 5xx answer or a dropped connection is a bug. Every failure is collected (not just the first),
so the assertion message lists each offending request with a curl command to reproduce it. A second test
uses plain Hypothesis strategies for what the schema cannot express (upload names ending in .txt/.md, a chat
whose last message is the user's), to reach ingest, delete and chat with arbitrary content.

The run uses its own Service in its own tmp dir (fuzzed uploads and deletes touch nothing else), is
derandomized for reproducibility, and is bounded: MAX_EXAMPLES per operation and generation mode.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from rag.retrieval.embeddings import Embedder
from tests.conftest import build_service
from ui.service import Service

# Hypothesis keeps caches (unicode data, constants) in ./.hypothesis unless told otherwise: keep the tree clean.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "footnote-hypothesis"))

MAX_EXAMPLES = 30
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
REQUEST_TIMEOUT = 30.0

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # failures are collected, not raised: nothing to shrink
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


@pytest.fixture(scope="module")
def fuzz_service(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Service]:
    """A Service over a private store with the seeds ingested; the fuzzer may upload and delete freely."""
    svc = build_service(tmp_path_factory.mktemp("fuzz") / "qdrant", embedder)
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def fuzz_url(fuzz_service: Service) -> Iterator[str]:
    """The private service on a real HTTP server at 127.0.0.1."""
    from tests.live import live_server

    with live_server(fuzz_service) as url:
        yield url


def _order(operation: Any) -> tuple[int, str]:
    # Deletes last, so a fuzzed delete of a real seed cannot turn later asks into empty-store refusals.
    return (1 if operation.method.upper() == "DELETE" else 0, operation.label)


def _describe(case: Any, mode: GenerationMode, base_url: str, outcome: str) -> str:
    try:
        curl = case.as_curl_command(base_url=base_url)
    except Exception as exc:  # curl rendering must never hide the finding itself
        curl = f"(no curl: {type(exc).__name__})"
    return (
        f"{case.method} {case.formatted_path} [{mode.value}]\n"
        f"  query={case.query!r} media_type={case.media_type!r}\n"
        f"  body={case.body!r:.600}\n"
        f"  -> {outcome}\n"
        f"  reproduce: {curl}"
    )


@dataclass
class Tally:
    """What the fuzzer sent and got back."""

    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))  # "label [mode]"
    failures: list[str] = field(default_factory=list)
    no_negative: list[str] = field(default_factory=list)


def _fuzz(operation: Any, mode: GenerationMode, base_url: str, session: requests.Session, tally: Tally) -> None:
    """MAX_EXAMPLES generated requests to one operation; 5xx answers and transport errors are collected."""

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: Any) -> None:
        try:
            response = case.call(base_url=base_url, session=session, timeout=REQUEST_TIMEOUT)
        except requests.RequestException as exc:
            tally.statuses[f"{operation.label} [{mode.value}]"][0] += 1  # 0: no response
            tally.failures.append(_describe(case, mode, base_url, f"{type(exc).__name__}: {exc}"))
            return
        tally.statuses[f"{operation.label} [{mode.value}]"][response.status_code] += 1
        if response.status_code >= 500:
            text = response.content[:600].decode("utf-8", "replace")
            tally.failures.append(_describe(case, mode, base_url, f"{response.status_code} {text}"))

    try:
        fuzz()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        tally.no_negative.append(operation.label)  # nothing to break: no parameters and no body


def test_no_server_errors(fuzz_url: str) -> None:
    """Every operation, positive and negative inputs: never a 5xx, never a dropped connection."""
    started = time.monotonic()
    schema = schemathesis.openapi.from_url(f"{fuzz_url}/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"an operation in /openapi.json is invalid: {result.err()}"
        operations.append(result.ok())
    assert operations, "the OpenAPI document lists no operations"
    labels = {op.label for op in operations}
    for expected in ("POST /v1/ask", "GET /v1/search", "POST /v1/chat/completions", "POST /v1/documents"):
        assert expected in labels, f"{expected} missing from /openapi.json: {sorted(labels)}"

    tally = Tally()
    session = requests.Session()
    for operation in sorted(operations, key=_order):
        for mode in MODES:
            _fuzz(operation, mode, fuzz_url, session, tally)

    elapsed = time.monotonic() - started
    total = sum(sum(c.values()) for c in tally.statuses.values())
    print(f"\nfuzzed {total} requests in {elapsed:.1f}s (status: count; 0 = no response)")
    for key, counts in sorted(tally.statuses.items()):
        print(f"  {key}: {dict(sorted(counts.items()))}")
    print(f"  no invalid input possible for: {', '.join(tally.no_negative) or '-'}")
    exercised = {key.rsplit(" [", 1)[0] for key in tally.statuses}
    assert exercised == labels, f"operations never exercised: {sorted(labels - exercised)}"
    for label in ("POST /v1/ask", "GET /v1/search"):  # valid input must get real answers, not only refusals
        assert tally.statuses[f"{label} [positive]"][200] > 0, dict(tally.statuses[f"{label} [positive]"])
    # The fuzzing must not have broken the server for ordinary use.
    health = requests.get(f"{fuzz_url}/readyz", timeout=REQUEST_TIMEOUT)
    assert health.status_code == 200, health.text
    failures = tally.failures
    assert not failures, f"{len(failures)} request(s) got a 5xx or no answer:\n\n" + "\n\n".join(failures)


# -- valid shapes, arbitrary content ------------------------------------------------------------------------
# The schema cannot say that an upload's name must end in .txt/.md or that a chat's last message must come from
# the user, so schema-driven generation almost never gets past those 400s. These strategies do, to reach the
# ingest, delete, history and chat code with arbitrary content.

UTF8 = st.characters(codec="utf-8")  # any code point but lone surrogates
NAMES = st.tuples(
    st.text(UTF8, min_size=1, max_size=40),
    st.sampled_from([".txt", ".md", ".markdown", ".TXT"]),
).map("".join)
TEXTS = st.text(UTF8, max_size=3000)
QUESTIONS = st.text(UTF8, min_size=1, max_size=300)
RAW = st.one_of(st.binary(max_size=2000), TEXTS.map(str.encode))
ROLES = st.sampled_from(["user", "assistant", "system", "developer", "tool"])
CONTENT = st.one_of(
    st.none(),
    TEXTS,
    st.lists(st.fixed_dictionaries({"type": st.sampled_from(["text", "image_url"]), "text": TEXTS}), max_size=3),
)
CHAT_BODIES = st.fixed_dictionaries(
    {
        "messages": st.tuples(
            st.lists(st.fixed_dictionaries({"role": ROLES, "content": CONTENT}), max_size=6),
            st.fixed_dictionaries({"role": st.just("user"), "content": st.one_of(QUESTIONS, CONTENT)}),
        ).map(lambda t: [*t[0], t[1]]),
        "stream": st.booleans(),
    },
    optional={"model": st.text(max_size=20), "temperature": st.floats(allow_nan=False, allow_infinity=False)},
)
ASK_BODIES = st.fixed_dictionaries(
    {
        "question": st.one_of(QUESTIONS, TEXTS),
        "history": st.lists(
            st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant"]), "content": TEXTS}), max_size=6
        ),
    },
    optional={"top_k": st.integers(1, 50)},
)


def _check(response: requests.Response, request: str, failures: list[str], seen: Counter[str]) -> None:
    method, path = request.split(" ", 2)[:2]
    route = "/v1/documents/{source}" if path.startswith("/v1/documents/") else path
    seen[f"{method} {route} {response.status_code}"] += 1
    if response.status_code >= 500:
        failures.append(f"{request}\n  -> {response.status_code} {response.text[:600]}")


def test_no_server_errors_on_valid_shapes(fuzz_url: str) -> None:
    """Uploads with usable names (JSON and multipart, arbitrary bytes), deletes of them, chats and asks with
    arbitrary histories: 2xx or 4xx, never a 5xx."""
    session = requests.Session()
    failures: list[str] = []
    seen: Counter[str] = Counter()

    @FUZZ_SETTINGS
    @given(name=NAMES, text=TEXTS, raw=RAW, multipart=st.booleans())
    def upload_then_delete(name: str, text: str, raw: bytes, multipart: bool) -> None:
        if multipart:
            r = session.post(f"{fuzz_url}/v1/documents", files={"file": (name, raw)}, timeout=REQUEST_TIMEOUT)
            request = f"POST /v1/documents multipart file=({name!r}, {raw[:300]!r})"
        else:
            body = {"source": name, "text": text}
            r = session.post(f"{fuzz_url}/v1/documents", json=body, timeout=REQUEST_TIMEOUT)
            request = f"POST /v1/documents json={body!r:.400}"
        _check(r, request, failures, seen)
        if r.status_code in (200, 201):
            source = r.json()["source"]
            d = session.delete(f"{fuzz_url}/v1/documents/{quote(source, safe='')}", timeout=REQUEST_TIMEOUT)
            _check(d, f"DELETE /v1/documents/{quote(source, safe='')} (after {request})", failures, seen)

    @FUZZ_SETTINGS
    @given(body=CHAT_BODIES)
    def chat(body: dict[str, Any]) -> None:
        r = session.post(f"{fuzz_url}/v1/chat/completions", json=body, timeout=REQUEST_TIMEOUT)
        _check(r, f"POST /v1/chat/completions json={body!r:.600}", failures, seen)

    @FUZZ_SETTINGS
    @given(body=ASK_BODIES)
    def ask(body: dict[str, Any]) -> None:
        r = session.post(f"{fuzz_url}/v1/ask", json=body, timeout=REQUEST_TIMEOUT)
        _check(r, f"POST /v1/ask json={body!r:.600}", failures, seen)

    upload_then_delete()
    chat()
    ask()
    print(f"\nvalid-shape requests (method path status: count): {dict(sorted(seen.items()))}")
    assert seen["POST /v1/documents 201"] > 0 and seen["DELETE /v1/documents/{source} 200"] > 0, seen
    assert requests.get(f"{fuzz_url}/readyz", timeout=REQUEST_TIMEOUT).status_code == 200
    assert not failures, f"{len(failures)} request(s) got a 5xx:\n\n" + "\n\n".join(failures)
