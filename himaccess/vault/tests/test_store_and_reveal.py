"""Storing is idempotent and sealed; revealing needs a listed purpose; both leave an audit row."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from django.db import connection

from himaccess.audit.models import AuditEntry
from himaccess.vault import actions
from himaccess.vault.models import VaultEntry
from himaccess.vault.tests.numbers import ASHA, KARAN, RAVI

pytestmark = pytest.mark.django_db


def test_same_number_gives_same_row_and_reference(personas: Any) -> None:
    first = actions.store(ASHA, actor=personas.meena, purpose="registration")
    again = actions.store(f"{ASHA[:4]} {ASHA[4:8]}-{ASHA[8:]}", actor=personas.meena, purpose="ekyc")
    assert first == again
    assert VaultEntry.objects.count() == 1
    assert first.reference == actions.reference_for(ASHA)
    assert len(first.reference) == 64
    assert first.last4 == ASHA[-4:]
    assert first.masked == f"XXXX XXXX {ASHA[-4:]}"


def test_different_numbers_have_different_rows_nonces_and_references(personas: Any) -> None:
    a = actions.store(ASHA, actor=None, purpose="registration")
    b = actions.store(RAVI, actor=None, purpose="registration")
    assert a.reference != b.reference
    nonces = {bytes(n) for n in VaultEntry.objects.values_list("nonce", flat=True)}
    assert len(nonces) == 2


def test_reference_for_writes_nothing(db: Any) -> None:
    actions.reference_for(KARAN)
    assert not VaultEntry.objects.exists()
    assert not AuditEntry.objects.exists()


def test_number_is_not_in_the_table_in_clear(personas: Any) -> None:
    ref = actions.store(ASHA, actor=None, purpose="registration")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reference, key_id, nonce, ciphertext, last4 FROM vault_vaultentry")
        row = cursor.fetchone()
    assert ASHA not in repr(row)
    assert ASHA.encode() not in bytes(row[3])
    assert row[0] == ref.reference


def test_store_and_reveal_write_audit_rows_without_the_number(personas: Any) -> None:
    ref = actions.store(ASHA, actor=personas.meena, purpose="registration")
    assert actions.reveal(ref.reference, purpose="ekyc", actor=personas.meena) == ASHA
    entries = list(AuditEntry.objects.filter(action__startswith="vault.").order_by("id"))
    assert [e.action for e in entries] == ["vault.stored", "vault.revealed"]
    assert entries[1].actor_id == personas.meena.pk
    assert entries[1].object_id == ref.reference
    assert '"purpose":"ekyc"' in entries[1].after
    for entry in entries:
        assert ASHA not in entry.before + entry.after + entry.object_id


def test_reveal_refuses_unknown_purpose_and_writes_nothing(personas: Any) -> None:
    ref = actions.store(ASHA, actor=None, purpose="registration")
    count = AuditEntry.objects.count()
    with pytest.raises(actions.UnknownPurpose):
        actions.reveal(ref.reference, purpose="curiosity", actor=personas.meena)
    assert AuditEntry.objects.count() == count


def test_reveal_needs_a_named_active_user(personas: Any) -> None:
    ref = actions.store(ASHA, actor=None, purpose="registration")
    with pytest.raises(PermissionError):
        actions.reveal(ref.reference, purpose="ekyc", actor=None)  # type: ignore[arg-type]
    personas.meena.is_active = False
    personas.meena.save()
    with pytest.raises(PermissionError):
        actions.reveal(ref.reference, purpose="ekyc", actor=personas.meena)


@pytest.mark.parametrize("reference", ["", "abc", "0" * 64, "Z" * 64, "0" * 10_000, None, 12])
def test_reveal_of_unknown_reference_is_not_found(personas: Any, reference: Any) -> None:
    actions.store(ASHA, actor=None, purpose="registration")
    with pytest.raises(actions.NotInVault):
        actions.reveal(reference, purpose="ekyc", actor=personas.meena)


def test_ciphertext_moved_to_another_row_does_not_open(personas: Any) -> None:
    a = actions.store(ASHA, actor=None, purpose="registration")
    b = actions.store(RAVI, actor=None, purpose="registration")
    row_a = VaultEntry.objects.get(reference=a.reference)
    VaultEntry.objects.filter(reference=b.reference).update(nonce=row_a.nonce, ciphertext=row_a.ciphertext)
    with pytest.raises(InvalidTag):
        actions.reveal(b.reference, purpose="ekyc", actor=personas.meena)


def test_store_needs_a_purpose(db: Any) -> None:
    with pytest.raises(actions.UnknownPurpose):
        actions.store(ASHA, actor=None, purpose="")
    assert not VaultEntry.objects.exists()


def test_store_many_is_idempotent_and_in_order(db: Any) -> None:
    actions.store(RAVI, actor=None, purpose="registration")
    refs = list(actions.store_many([ASHA, RAVI, KARAN, ASHA], actor=None, purpose="import", batch_size=3))
    assert [r.last4 for r in refs] == [ASHA[-4:], RAVI[-4:], KARAN[-4:], ASHA[-4:]]
    assert refs[0] == refs[3]
    assert VaultEntry.objects.count() == 3
    assert [r.reference for r in refs] == [actions.reference_for(n) for n in (ASHA, RAVI, KARAN, ASHA)]


def test_store_many_names_the_bad_input_and_keeps_its_batch_out(db: Any) -> None:
    bad = ASHA[:-1] + str((int(ASHA[-1]) + 1) % 10)
    with pytest.raises(actions.InvalidAadhaar) as caught:
        list(actions.store_many([RAVI, bad, KARAN], actor=None, purpose="import", batch_size=10))
    assert caught.value.position == 1
    assert caught.value.code == "checksum"
    assert not VaultEntry.objects.exists()


def test_last4_of_a_reference(db: Any) -> None:
    ref = actions.store(KARAN, actor=None, purpose="registration")
    assert actions.last4(ref.reference) == KARAN[-4:]
    assert actions.last4("0" * 64) is None
    assert actions.last4("not a reference") is None
