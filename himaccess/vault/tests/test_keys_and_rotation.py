"""Keys come from the environment or a key file; rotation re-seals every row under the current key."""

from __future__ import annotations

import base64
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from himaccess.audit.models import AuditEntry
from himaccess.vault import actions, keys, rotation, tasks
from himaccess.vault.checks import vault_keys
from himaccess.vault.models import VaultEntry
from himaccess.vault.tests.numbers import ASHA, KARAN, RAVI, aadhaar

OLD = keys.new_key_entry("old")
NEW = keys.new_key_entry("new")
REFERENCE_KEY = "r" * 40


@pytest.fixture
def old_key(settings: Any) -> Any:
    settings.VAULT_KEYS = OLD
    settings.VAULT_REFERENCE_KEY = REFERENCE_KEY
    return settings


def test_embedded_profile_generates_keys_once_with_private_permissions(settings: Any) -> None:
    ring = keys.key_ring()
    folder = Path(settings.SIGNING_KEY_DIR) / "vault"
    assert (folder / "keys.txt").stat().st_mode & 0o777 == 0o600
    assert (folder / "reference.key").stat().st_mode & 0o777 == 0o600
    keys.forget()
    assert keys.key_ring() == ring
    assert ring.reference_key not in ring.keys.values()


def test_production_without_keys_refuses(settings: Any) -> None:
    settings.GENERATE_SIGNING_KEYS = False
    with pytest.raises(ImproperlyConfigured, match="VAULT_KEYS"):
        keys.key_ring()


def test_key_file_is_read(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "vault-keys"
    path.write_text(f"{NEW}\n{OLD}\n")
    settings.VAULT_KEY_FILE = str(path)
    settings.VAULT_REFERENCE_KEY = REFERENCE_KEY
    ring = keys.key_ring()
    assert ring.current_id == "new"
    assert set(ring.keys) == {"new", "old"}


@pytest.mark.parametrize(
    "value",
    [
        "nokey",
        "a:not-base64!",
        f"a:{base64.b64encode(b'short').decode()}",
        f"{OLD},{OLD}",
        "bad id:" + OLD.partition(":")[2],
    ],
    # The keys are random: name the cases, so parallel workers collect the same tests.
    ids=["no-key", "not-base64", "too-short", "repeated-id", "bad-id"],
)
def test_malformed_keys_are_refused_without_echoing_them(settings: Any, value: str) -> None:
    settings.VAULT_KEYS = value
    settings.VAULT_REFERENCE_KEY = REFERENCE_KEY
    with pytest.raises(ImproperlyConfigured) as caught:
        keys.key_ring()
    material = value.partition(":")[2]
    assert not material or material.split(",")[0] not in str(caught.value)


def test_reference_key_equal_to_an_encryption_key_is_refused(settings: Any) -> None:
    settings.VAULT_KEYS = OLD
    settings.VAULT_REFERENCE_KEY = OLD.partition(":")[2]
    with pytest.raises(ImproperlyConfigured, match="must differ"):
        keys.key_ring()


@pytest.mark.django_db
def test_rotation_reseals_every_row_under_the_new_key(old_key: Any, personas: Any) -> None:
    refs = [actions.store(n, actor=None, purpose="registration") for n in (ASHA, RAVI, KARAN)]
    before = {row.reference: bytes(row.ciphertext) for row in VaultEntry.objects.all()}
    old_key.VAULT_KEYS = f"{NEW},{OLD}"
    assert rotation.remaining() == 3
    out = StringIO()
    call_command("vault", "rotate", "--batch-size", "2", stdout=out)
    assert "3 rows re-sealed under new" in out.getvalue()
    assert rotation.rows_by_key() == {"new": 3}
    for ref, number in zip(refs, (ASHA, RAVI, KARAN), strict=True):
        assert bytes(VaultEntry.objects.get(reference=ref.reference).ciphertext) != before[ref.reference]
        assert actions.reveal(ref.reference, purpose="ekyc", actor=personas.meena) == number
    assert AuditEntry.objects.filter(action="vault.rotated").count() == 2
    # Once rotated, the old key can go.
    old_key.VAULT_KEYS = NEW
    assert actions.reveal(refs[0].reference, purpose="ekyc", actor=personas.meena) == ASHA


@pytest.mark.django_db
def test_interrupted_rotation_resumes_where_rows_say(old_key: Any) -> None:
    numbers = [aadhaar(f"2{i:010d}") for i in range(7)]
    list(actions.store_many(numbers, actor=None, purpose="import"))
    old_key.VAULT_KEYS = f"{NEW},{OLD}"
    first = rotation.rotate_batch(batch_size=3)  # then the worker stops
    assert first.rotated == 3
    assert rotation.remaining() == 4
    assert rotation.rotate(batch_size=3).rotated == 4  # a fresh start reads only what is left
    assert rotation.remaining() == 0


@pytest.mark.django_db
def test_background_rotation_runs_to_the_end(old_key: Any) -> None:
    list(actions.store_many([aadhaar(f"3{i:010d}") for i in range(5)], actor=None, purpose="import"))
    old_key.VAULT_KEYS = f"{NEW},{OLD}"
    tasks.rotate.delay(batch_size=2)  # eager without a broker: each slice queues the next
    assert rotation.rows_by_key() == {"new": 5}


@pytest.mark.django_db
def test_a_row_under_a_removed_key_stops_the_rotation_loudly(old_key: Any) -> None:
    actions.store(ASHA, actor=None, purpose="registration")
    old_key.VAULT_KEYS = NEW
    with pytest.raises(ImproperlyConfigured, match="'old' is not configured"):
        rotation.rotate()
    out = StringIO()
    call_command("vault", "status", stdout=out)
    assert "old: 1 rows  (NOT CONFIGURED" in out.getvalue()


def test_check_deploy_names_missing_vault_keys(settings: Any) -> None:
    settings.DEBUG = False
    settings.GENERATE_SIGNING_KEYS = False
    settings.VAULT_KEYS = settings.VAULT_KEY_FILE = ""
    [error] = vault_keys()
    assert error.id == "vault.E001" and "VAULT_KEYS" in error.msg
    settings.VAULT_KEYS = OLD
    settings.VAULT_REFERENCE_KEY = REFERENCE_KEY
    assert vault_keys() == []
