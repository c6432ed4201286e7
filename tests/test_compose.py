"""docker-compose.yml and the Dockerfiles, checked by parsing them (no Docker engine needed)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from rag.config import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

FOOTNOTE_NAME = re.compile(r"\bFOOTNOTE_[A-Z0-9_]+\b")
# ${VAR}, ${VAR:-default}, ${VAR-default}; $$ is a literal dollar.
INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?-)(?P<default>[^}]*))?\}")
# Variables Settings reads without the FOOTNOTE_ prefix (validation aliases).
UNPREFIXED_SETTINGS = ("OPENAI_API_KEY", "OPENAI_BASE_URL")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def environment(service: dict[str, Any]) -> dict[str, str | None]:
    """A service's environment as a mapping; None for a bare name (passed through from the host when set there)."""
    env = service.get("environment") or {}
    if isinstance(env, dict):
        return {str(key): None if value is None else str(value) for key, value in env.items()}
    result: dict[str, str | None] = {}
    for item in env:
        key, sep, value = str(item).partition("=")
        result[key] = value if sep else None
    return result


def interpolate(value: str) -> str:
    """Compose's variable substitution with nothing set on the host: defaults apply, unset names are empty."""

    def sub(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        return match.group("default") or ""

    return INTERPOLATION.sub(sub, value)


def container_env(service: dict[str, Any]) -> dict[str, str]:
    """What the container sees when the host sets nothing: bare names are left unset."""
    return {key: interpolate(value) for key, value in environment(service).items() if value is not None}


def field_for(name: str) -> str:
    return name.removeprefix("FOOTNOTE_").lower()


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        pending = ""
    return instructions


def build_dockerfile(service: dict[str, Any]) -> Path:
    build = service["build"]
    if isinstance(build, str):
        return ROOT / build / "Dockerfile"
    return ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")


def test_compose_defines_qdrant_and_app_services(services: dict[str, dict[str, Any]]) -> None:
    assert {"qdrant", "app"} <= set(services)


def test_qdrant_runs_a_pinned_official_image(services: dict[str, dict[str, Any]]) -> None:
    image = services["qdrant"]["image"]
    name, _, tag = image.rpartition(":")
    assert name in ("qdrant/qdrant", "docker.io/qdrant/qdrant")
    assert tag and tag != "latest"


def test_qdrant_keeps_its_storage_in_a_named_volume(compose: dict[str, Any]) -> None:
    mounts = [str(v).split(":") for v in compose["services"]["qdrant"].get("volumes", [])]
    named = {parts[0] for parts in mounts if len(parts) >= 2 and parts[1] == "/qdrant/storage"}
    assert named, "nothing mounted at /qdrant/storage"
    assert named <= set(compose.get("volumes") or {}), "the storage volume is not a declared named volume"


def test_qdrant_has_a_healthcheck_on_its_port(services: dict[str, dict[str, Any]]) -> None:
    test = services["qdrant"]["healthcheck"]["test"]
    command = " ".join(test) if isinstance(test, list) else str(test)
    assert "6333" in command
    # The official image has no curl or wget.
    assert "curl" not in command and "wget" not in command


def test_app_is_built_from_the_dockerfile(services: dict[str, dict[str, Any]]) -> None:
    assert build_dockerfile(services["app"]) == DOCKERFILE
    assert DOCKERFILE.is_file()


def test_the_proxy_publishes_port_7860_and_the_app_can_scale(services: dict[str, dict[str, Any]]) -> None:
    ports = [str(p) for p in services["proxy"]["ports"]]
    assert any(p.split(":")[-2:] == ["7860", "7860"] for p in ports), ports
    # `docker compose up --scale app=N` fails on a fixed host port: the app only exposes its port.
    assert "ports" not in services["app"] and "7860" in [str(p) for p in services["app"]["expose"]]
    assert "container_name" not in services["app"]


def test_the_proxy_finds_every_app_replica_and_keeps_a_browser_on_one(services: dict[str, dict[str, Any]]) -> None:
    mount = next(v for v in services["proxy"]["volumes"] if v.endswith(":/etc/caddy/Caddyfile:ro"))
    caddyfile = (ROOT / mount.split(":")[0]).read_text(encoding="utf-8")
    assert re.search(r"dynamic a app 7860", caddyfile)  # the replicas, looked up by the service's name
    assert re.search(r"lb_policy cookie", caddyfile)  # the page's queue and its stream meet on one replica
    assert "health_uri /healthz" in caddyfile and "flush_interval -1" in caddyfile  # streams are not buffered


def test_app_waits_for_a_healthy_qdrant(services: dict[str, dict[str, Any]]) -> None:
    depends_on = services["app"]["depends_on"]
    assert isinstance(depends_on, dict), "the list form cannot wait for health"
    assert depends_on["qdrant"]["condition"] == "service_healthy"


def test_app_points_footnote_at_the_qdrant_service(services: dict[str, dict[str, Any]]) -> None:
    url = urlparse(container_env(services["app"])["FOOTNOTE_QDRANT_URL"])
    assert url.scheme == "http"
    assert url.hostname == "qdrant"
    assert url.port == 6333


def test_every_footnote_variable_in_compose_is_a_real_setting(services: dict[str, dict[str, Any]]) -> None:
    names = {name for service in services.values() for name in environment(service) if name.startswith("FOOTNOTE_")}
    assert names, "the compose file sets no FOOTNOTE_ variable"
    unknown = sorted(name for name in names if field_for(name) not in Settings.model_fields)
    assert not unknown, f"not fields of rag.config.Settings: {unknown}"


def test_every_footnote_name_mentioned_in_compose_or_dockerfile_is_a_real_setting() -> None:
    """Comments and interpolations too: a typo there sends users after a setting that does not exist."""
    for path in (COMPOSE_FILE, DOCKERFILE):
        unknown = sorted(
            {n for n in FOOTNOTE_NAME.findall(path.read_text()) if field_for(n) not in Settings.model_fields}
        )
        assert not unknown, f"{path.name}: not fields of rag.config.Settings: {unknown}"


def test_settings_accept_the_app_environment(services: dict[str, dict[str, Any]]) -> None:
    values: dict[str, Any] = {}
    for name, value in container_env(services["app"]).items():
        if name.startswith("FOOTNOTE_"):
            values[field_for(name)] = value
        elif name in UNPREFIXED_SETTINGS:
            values[name] = value
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    assert settings.qdrant_url == "http://qdrant:6333"
    assert settings.collection == "footnote"
    assert settings.host == "0.0.0.0"
    assert settings.port == 7860


def test_optional_secrets_are_left_unset_rather_than_empty(services: dict[str, dict[str, Any]]) -> None:
    """An empty OPENAI_API_KEY/OPENAI_BASE_URL would switch answers to the LLM; an empty API key is still a key."""
    env = container_env(services["app"])
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "FOOTNOTE_API_KEY", "FOOTNOTE_QDRANT_API_KEY"):
        assert env.get(name) != "", f"{name} reaches the container as an empty string when the host does not set it"


def test_llm_service_is_opt_in_and_reached_at_the_documented_url(services: dict[str, dict[str, Any]]) -> None:
    llm = services.get("llm")
    if llm is None:
        pytest.skip("no llm service")
    assert llm.get("profiles") == ["llm"]
    assert "llm" not in (services["app"].get("depends_on") or {}), "the app must start without the llm profile"
    dockerfile = build_dockerfile(llm)
    assert dockerfile.is_file()
    cmd = json.loads(dict(dockerfile_instructions(dockerfile))["CMD"])
    assert cmd[:3] == ["python", "-m", "llama_cpp.server"]
    port = cmd[cmd.index("--port") + 1]
    alias = cmd[cmd.index("--model_alias") + 1]
    docs = COMPOSE_FILE.read_text()
    assert f"OPENAI_BASE_URL=http://llm:{port}/v1" in docs
    assert f"FOOTNOTE_LLM_MODEL={alias}" in docs


def test_dockerfile_installs_cpu_torch_before_footnote() -> None:
    instructions = dockerfile_instructions(DOCKERFILE)
    assert instructions[0] == ("FROM", "python:3.11-slim")
    args = dict(arg.partition("=")[::2] for kind, arg in instructions if kind == "ARG")
    assert args.get("TORCH_INDEX_URL") == "https://download.pytorch.org/whl/cpu"
    runs = [arg for kind, arg in instructions if kind == "RUN"]
    torch_step = next(i for i, run in enumerate(runs) if "torch==" in run)
    assert "--index-url" in runs[torch_step] and "${TORCH_INDEX_URL}" in runs[torch_step]
    footnote_step = next(i for i, run in enumerate(runs) if re.search(r"pip install .*--no-cache-dir \.(\s|$)", run))
    assert torch_step < footnote_step


def test_dockerfile_serves_footnote_as_a_non_root_user_with_a_healthcheck() -> None:
    instructions = dockerfile_instructions(DOCKERFILE)
    last = {kind: arg for kind, arg in instructions}
    assert json.loads(last["CMD"]) == ["footnote", "serve"]
    assert last["USER"] not in ("root", "0")
    assert "7860" in last["EXPOSE"].split()
    assert "/healthz" in last["HEALTHCHECK"] and "urllib" in last["HEALTHCHECK"]
    env = " ".join(arg for kind, arg in instructions if kind == "ENV")
    for setting in ("HF_HUB_OFFLINE=1", "FOOTNOTE_HOST=0.0.0.0", "FOOTNOTE_PORT=7860", "FOOTNOTE_SEEDS_DIR=/app/seeds"):
        assert setting in env
