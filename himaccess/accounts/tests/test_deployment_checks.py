"""Defaults that are safe only on a laptop stop production: at start-up, or in ``check --deploy``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.checks import CheckMessage, Error, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
DUMMY = "django.core.cache.backends.dummy.DummyCache"
REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/1"}


@pytest.fixture
def production(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Settings as a real production sets them; each test then spoils one."""
    settings.DEBUG = False
    settings.SMS_BACKEND = "http"
    settings.SMS_GATEWAY_URL = "https://sms.gateway.example.gov.in/v1/messages"
    settings.SMS_GATEWAY_API_KEY = "gateway-api-key-of-the-state"
    settings.CACHES = {"default": REDIS}
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
    settings.REGISTER_ID_KEY = "Zq1x-random-register-key-for-this-state"
    settings.AUDIT_HMAC_KEY = f"audit-head:{settings.SECRET_KEY}"
    settings.GENERATE_SIGNING_KEYS = False
    settings.SITE_URL = settings.CREDENTIAL_ISSUER = "https://himaccess.hp.gov.in"
    for name in ("CARD", "CERTIFICATE"):
        monkeypatch.delenv(f"{name}_SIGNING_KEY", raising=False)
        monkeypatch.setenv(f"{name}_SIGNING_KEY_FILE", f"/run/secrets/{name.lower()}.pem")
    return settings


def ours() -> list[CheckMessage]:
    found = run_checks(include_deployment_checks=True, tags=["security", "caches"])
    return [message for message in found if message.id and message.id.startswith("himaccess.")]


def only(expected: str) -> CheckMessage:
    found = ours()
    assert [message.id for message in found] == [expected]
    message = found[0]
    assert isinstance(message, Error) and message.msg and message.hint
    return message


def test_a_production_configuration_passes(production: Any) -> None:
    assert ours() == []


def test_the_embedded_profile_keeps_its_defaults(production: Any) -> None:
    production.DEBUG = True
    production.SMS_BACKEND = "file"
    production.CELERY_BROKER_URL = ""
    production.REGISTER_ID_KEY = production.PUBLIC_REGISTER_ID_KEY
    assert ours() == []


@pytest.mark.parametrize("backend", ["file", "console"])
def test_sms_written_instead_of_sent_is_refused(production: Any, backend: str) -> None:
    production.SMS_BACKEND = backend
    assert "in clear" in only("himaccess.E001").msg


def test_an_http_gateway_without_its_address_is_refused(production: Any) -> None:
    production.SMS_GATEWAY_URL = ""
    only("himaccess.E002")


@pytest.mark.parametrize("backend", [LOCMEM, DUMMY])
def test_a_cache_not_shared_by_the_processes_is_refused(production: Any, backend: str) -> None:
    production.CACHES = {"default": {"BACKEND": backend}}
    assert "CACHE_URL" in (only("himaccess.E003").hint or "")


def test_tasks_without_a_broker_are_refused(production: Any) -> None:
    production.CELERY_BROKER_URL = ""
    only("himaccess.E004")


@pytest.mark.parametrize("key", ["himachal-register-ids-v1", "short-key"])
def test_a_public_or_short_register_id_key_is_refused(production: Any, key: str) -> None:
    production.REGISTER_ID_KEY = key
    only("himaccess.E005")


def test_a_short_audit_key_is_refused(production: Any) -> None:
    production.AUDIT_HMAC_KEY = "audit"
    only("himaccess.E006")


def test_generating_signing_keys_in_production_is_refused(production: Any) -> None:
    production.GENERATE_SIGNING_KEYS = True
    only("himaccess.E007")


def test_a_missing_signing_key_is_refused(production: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CERTIFICATE_SIGNING_KEY_FILE")
    assert "CERTIFICATE_SIGNING_KEY" in only("himaccess.E008").msg


def test_an_active_key_installed_in_the_key_folder_counts_as_configured(
    production: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CARD_SIGNING_KEY_FILE")
    folder = Path(production.SIGNING_KEY_DIR) / "card"
    folder.mkdir(parents=True)
    (folder / "active").write_text("kid-of-the-installed-key")
    assert ours() == []


def test_an_openid_key_generated_on_the_node_is_refused(production: Any) -> None:
    generated = Path(production.SIGNING_KEY_DIR) / "oidc-rsa.pem"
    generated.parent.mkdir(parents=True, exist_ok=True)
    generated.write_text(production.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"])
    only("himaccess.E009")


def test_check_deploy_fails_on_any_of_them(production: Any) -> None:
    production.SMS_BACKEND = "file"
    with pytest.raises(SystemCheckError, match=r"himaccess\.E001"):
        call_command("check", "--deploy", "--tag", "security")


def _start(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-secret-key-for-a-start-up-test-0123456789",
        "HIMACCESS_DATA_DIR": str(tmp_path),
        "SIGNING_KEY_DIR": str(tmp_path / "keys"),
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-c", "import himaccess.settings"],
        cwd=django_settings.PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_start_up_refuses_the_public_register_id_key_when_debug_is_off(tmp_path: Path) -> None:
    refused = _start(tmp_path)
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and "REGISTER_ID_KEY must be set" in refused.stderr
    assert _start(tmp_path, REGISTER_ID_KEY="Zq1x-random-register-key-for-this-state").returncode == 0


@pytest.mark.parametrize("name", ["SITE_URL", "CREDENTIAL_ISSUER"])
def test_a_plain_http_public_address_stops_production(production: Any, name: str) -> None:
    setattr(production, name, "http://himaccess.hp.gov.in")
    assert name in only("himaccess.E010").msg
