"""The deployment files cannot be built here (no Docker), so their promises are checked by reading them:
two Rasa replicas sharing one PostgreSQL and one Redis, every server restarted when it dies, the web app
reaching Rasa through the proxy, and the proxy spreading Rasa's traffic over exactly those replicas."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.settings import Settings
from tests.conftest import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "compose.yaml"
NGINX = PROJECT_ROOT / "deploy" / "nginx.conf"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
ONE_SHOT = {"prepare"}
NOT_SETTINGS = {"REDISCLI_AUTH", "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}
"""Variables of the third-party images, not of bot/settings.py."""


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]


def role_of(service: dict[str, Any]) -> str | None:
    command = service.get("command") or []
    return command[command.index("--role") + 1] if "--role" in command else None


def services_in_role(services: dict[str, dict[str, Any]], role: str) -> list[str]:
    return sorted(name for name, service in services.items() if role_of(service) == role)


def address(url: str) -> tuple[str, int | None]:
    """Host and port of a URL whose ${SECRET} parts compose fills in at start."""
    parts = urlsplit(re.sub(r"\$\{[^}]*\}", "secret", url))
    return parts.hostname or "", parts.port


def test_there_are_two_rasa_replicas_sharing_one_postgresql_and_one_redis(services) -> None:
    replicas = services_in_role(services, "rasa")
    assert replicas == ["rasa-1", "rasa-2"]

    environments = [services[name]["environment"] for name in replicas]
    assert len({env["DATABASE_URL"] for env in environments}) == 1
    assert len({env["REDIS_URL"] for env in environments}) == 1
    assert len({env["RASA_TOKEN"] for env in environments}) == 1
    database_host, _ = address(environments[0]["DATABASE_URL"])
    redis_host, _ = address(environments[0]["REDIS_URL"])
    assert services[database_host]["image"].startswith("postgres:")
    assert services[redis_host]["image"].startswith("redis:")
    assert environments[0]["DATABASE_URL"].startswith("postgresql")


def test_every_server_of_ours_shares_the_database_and_token_and_finds_the_action_server(services) -> None:
    ours = [name for name, service in services.items() if role_of(service)]
    assert {role_of(services[name]) for name in ours} == {"prepare", "actions", "rasa", "web"}
    for setting in ("DATABASE_URL", "RASA_TOKEN", "GAPLOG_SALT", "STAFF_CHANNEL_TOKEN"):
        values = {services[name]["environment"].get(setting) for name in ours}
        assert len(values) == 1, f"{setting} differs between {ours}"
    [actions] = services_in_role(services, "actions")
    for name in services_in_role(services, "rasa"):
        assert address(services[name]["environment"]["ACTION_URL"]) == (actions, 5055)


def test_every_long_running_service_restarts_and_has_a_health_check(services) -> None:
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service["restart"] == "no", name
            continue
        assert service.get("restart") == "unless-stopped", f"{name} is not restarted when it dies"
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_the_servers_wait_for_the_one_shot_preparation(services) -> None:
    for name, service in services.items():
        if role_of(service) in ("actions", "rasa", "web"):
            condition = service["depends_on"]["prepare"]["condition"]
            assert condition == "service_completed_successfully", name
    assert services["prepare"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_web_app_reaches_rasa_through_the_proxy_and_trusts_only_the_proxy(services) -> None:
    [web] = services_in_role(services, "web")
    environment = services[web]["environment"]
    host, port = address(environment["RASA_URL"])
    assert host == "proxy"
    assert f"listen {port};" in NGINX.read_text(encoding="utf-8")
    assert f"{port}:" not in " ".join(services["proxy"].get("ports", [])), "Rasa must not be published"
    assert environment["TRUSTED_PROXIES"] == services["proxy"]["networks"]["backend"]["ipv4_address"]


def test_the_proxy_upstream_names_exactly_the_rasa_replicas(services) -> None:
    config = NGINX.read_text(encoding="utf-8")
    upstream = re.search(r"upstream rasa_replicas \{(.*?)\}", config, re.S)
    assert upstream, "deploy/nginx.conf has no `upstream rasa_replicas`"
    servers = re.findall(r"^\s*server\s+([\w.-]+):(\d+)", upstream.group(1), re.M)
    assert sorted(host for host, _ in servers) == services_in_role(services, "rasa")
    assert {port for _, port in servers} == {"5005"}
    assert "proxy_pass http://rasa_replicas;" in config
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in services["proxy"]["volumes"]


def test_every_variable_given_to_our_image_is_a_setting(services) -> None:
    known = {name.upper() for name in Settings.__fields__}
    for name, service in services.items():
        if not role_of(service):
            continue
        unknown = set(service["environment"]) - known - NOT_SETTINGS
        assert not unknown, f"{name} sets {sorted(unknown)}, which bot/settings.py does not read"


def test_the_image_uses_the_projects_python_and_installer() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    python = (PROJECT_ROOT / ".python-version").read_text(encoding="utf-8").strip()
    uv = re.search(r"^UV_VERSION := (\S+)", makefile, re.M)
    assert uv
    assert f"FROM python:{python}-slim" in dockerfile
    assert f'"uv=={uv.group(1)}"' in dockerfile
    assert "uv pip sync --python /app/.venv/bin/python requirements/requirements.lock" in dockerfile


def test_the_documented_secrets_are_the_ones_compose_asks_for() -> None:
    asked = set(re.findall(r"\$\{(\w+):\?", COMPOSE.read_text(encoding="utf-8")))
    example = Path(PROJECT_ROOT / "deploy" / "example.env").read_text(encoding="utf-8")
    listed = set(re.findall(r"^(\w+)=", example, re.M))
    assert asked == listed
