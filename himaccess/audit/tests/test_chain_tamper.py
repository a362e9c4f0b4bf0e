"""Every kind of tampering with the audit table is found, at the position where it happened."""

from __future__ import annotations

import pytest

from himaccess.audit import chain
from himaccess.audit.log import record
from himaccess.audit.models import AuditEntry, AuditHead
from himaccess.audit.verification import verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def ten_entries(django_user_model: type) -> None:
    actor = django_user_model.objects.create_user(username="meena.audit", kind="official")
    for n in range(1, 11):
        record(actor, "register.test_change", actor, after={"n": n}, source="test")


def test_untouched_chain_verifies(ten_entries: None) -> None:
    verdict = verify_chain()
    assert verdict.ok
    assert verdict.count == 10


def test_empty_chain_verifies() -> None:
    verdict = verify_chain()
    assert verdict.ok
    assert verdict.count == 0


def test_edited_entry_is_found_at_its_position(ten_entries: None) -> None:
    AuditEntry.objects.filter(seq=5).update(after='{"n":500}')
    verdict = verify_chain()
    assert not verdict.ok
    assert verdict.position == 5
    assert verdict.reason.startswith("edited")


def test_edited_hash_column_is_found(ten_entries: None) -> None:
    AuditEntry.objects.filter(seq=3).update(hash="f" * 64)
    verdict = verify_chain()
    assert (verdict.ok, verdict.position) == (False, 3)


def test_deleted_entry_is_found_at_its_position(ten_entries: None) -> None:
    AuditEntry.objects.filter(seq=5).delete()
    verdict = verify_chain()
    assert (verdict.ok, verdict.position) == (False, 5)
    assert verdict.reason.startswith("deleted")


def test_deleted_entry_with_later_ones_renumbered_is_found(ten_entries: None) -> None:
    AuditEntry.objects.filter(seq=5).delete()
    for seq in range(6, 11):
        AuditEntry.objects.filter(seq=seq).update(seq=seq - 1)
    verdict = verify_chain()
    assert (verdict.ok, verdict.position) == (False, 5)
    assert verdict.reason.startswith("deleted")


def _forge(seq: int, prev_hash: str) -> AuditEntry:
    forged = AuditEntry.objects.get(seq=seq + 1)
    forged.pk = None
    forged.seq = seq
    forged.after = '{"n":"forged"}'
    forged.prev_hash = prev_hash
    forged.hash = forged.computed_hash()
    forged.save(force_insert=True)
    return forged


def test_inserted_entry_is_found_at_its_position(ten_entries: None) -> None:
    for seq in range(10, 4, -1):
        AuditEntry.objects.filter(seq=seq).update(seq=seq + 1)
    _forge(5, AuditEntry.objects.get(seq=4).hash)
    verdict = verify_chain()
    assert (verdict.ok, verdict.position) == (False, 5)
    assert verdict.reason.startswith("inserted")


def test_inserted_entry_with_a_bad_hash_is_found_at_its_position(ten_entries: None) -> None:
    for seq in range(10, 4, -1):
        AuditEntry.objects.filter(seq=seq).update(seq=seq + 1)
    forged = _forge(5, AuditEntry.objects.get(seq=4).hash)
    AuditEntry.objects.filter(pk=forged.pk).update(hash="0" * 64)
    verdict = verify_chain()
    assert (verdict.ok, verdict.position) == (False, 5)
    assert verdict.reason.startswith("inserted")


def test_reordered_entries_are_found_at_the_first_moved_position(ten_entries: None) -> None:
    AuditEntry.objects.filter(seq=5).update(seq=-1)
    AuditEntry.objects.filter(seq=6).update(seq=5)
    AuditEntry.objects.filter(seq=-1).update(seq=6)
    verdict = verify_chain()
    assert (verdict.ok, verdict.position) == (False, 5)
    assert verdict.reason.startswith("reordered")


def test_truncated_tail_is_found_after_the_last_remaining_entry(ten_entries: None) -> None:
    AuditEntry.objects.filter(seq__gt=7).delete()
    verdict = verify_chain()
    assert (verdict.ok, verdict.position) == (False, 8)
    assert verdict.reason.startswith("truncated")


def test_tail_rewritten_consistently_does_not_match_the_signed_head(ten_entries: None) -> None:
    last = AuditEntry.objects.get(seq=10)
    last.after = '{"n":"rewritten"}'
    last.hash = last.computed_hash()
    last.save()
    verdict = verify_chain()
    assert (verdict.ok, verdict.position) == (False, 10)
    assert verdict.reason.startswith("rewritten")


def test_head_moved_back_without_the_key_is_found(ten_entries: None) -> None:
    AuditEntry.objects.filter(seq__gt=7).delete()
    AuditHead.objects.filter(pk=1).update(seq=7, hash=AuditEntry.objects.get(seq=7).hash)
    verdict = verify_chain()
    assert not verdict.ok
    assert "signature" in verdict.reason


def test_entry_appended_without_moving_the_head_is_found(ten_entries: None) -> None:
    _forge_tail = AuditEntry.objects.get(seq=10)
    _forge_tail.pk = None
    _forge_tail.seq = 11
    _forge_tail.prev_hash = AuditEntry.objects.get(seq=10).hash
    _forge_tail.hash = chain.row_hash(chain.ChainRow(*[getattr(_forge_tail, name) for name in chain.COLUMNS]))
    _forge_tail.save(force_insert=True)
    verdict = verify_chain()
    assert (verdict.ok, verdict.position) == (False, 11)
    assert verdict.reason.startswith("inserted")
