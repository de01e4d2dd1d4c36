"""The Docker files, read as a person would (no engine here): what the compose file and the proxy promise.
`hadolint docker/Dockerfile` and `docker compose -f docker/compose.yaml config` lint them where installed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.sqlite_pass  # no database: the PostgreSQL pass would only repeat it

DOCKER = Path(__file__).resolve().parents[1] / "docker"


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    return document


def test_the_worker_has_a_health_check_of_its_own() -> None:
    worker = compose()["services"]["worker"]
    check = " ".join(worker["healthcheck"]["test"])
    assert "8000" not in check and "readyz" not in check and "DATABASE_URL" in check


def test_no_password_is_written_into_the_compose_file() -> None:
    text = (DOCKER / "compose.yaml").read_text()
    assert "tripdesk:tripdesk@" not in text and "POSTGRES_PASSWORD: tripdesk" not in text
    assert compose()["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert "POSTGRES_PASSWORD=" in (DOCKER / ".env.example").read_text()


def test_the_first_admin_token_has_a_one_shot_service() -> None:
    service = compose()["services"]["create-admin-token"]
    assert service["command"][:4] == ["tripdesk", "create-token", "--role", "admin"]
    assert service["profiles"] == ["setup"] and service["restart"] == "no"


def test_the_proxy_re_resolves_the_replicas_and_keeps_metrics_inside() -> None:
    conf = (DOCKER / "nginx.conf").read_text()
    assert not re.search(r"^upstream ", conf, re.M) and re.search(r"resolver 127\.0\.0\.11 valid=\d+s", conf)
    assert re.search(r"set \$(\w+) http://app:8000;", conf) and "proxy_pass $tripdesk;" in conf
    assert "location = /metrics { return 404; }" in conf


def test_the_build_context_leaves_out_the_local_state() -> None:
    ignored = set((DOCKER.parent / ".dockerignore").read_text().split())
    assert {".git", ".venv", "var", "**/__pycache__", ".pytest_cache", ".mypy_cache"} <= ignored
