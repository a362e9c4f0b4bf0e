"""Every kind of tampering with the audit table is found, at the position where it happened.

The first tests tamper with one chain (all entries about one object go to
its chain); the later ones spread entries over several chains and tamper
with one of them, or with what ties the chains together.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.conf import settings
from django.utils import timezone
from pytest_django import Settings

from himaccess.accounts.models import User
from himaccess.audit import chain
from himaccess.audit.log import record, write_checkpoint
from himaccess.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from himaccess.audit.verification import verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def ten_entries(django_user_model: type[User]) -> None:
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
    number = AuditEntry.objects.get(seq=7).chain
    AuditHead.objects.filter(pk=number).update(seq=7, hash=AuditEntry.objects.get(seq=7).hash)
    verdict = verify_chain()
    assert not verdict.ok
    assert "signature" in verdict.reason


def test_entry_appended_without_moving_the_head_is_found(ten_entries: None) -> None:
    _forge_tail = AuditEntry.objects.get(seq=10)
    _forge_tail.pk = None
    _forge_tail.seq = 11
    _forge_tail.prev_hash = AuditEntry.objects.get(seq=10).hash
    _forge_tail.hash = chain.row_hash(
        chain.ChainRow(*[getattr(_forge_tail, name) for name in chain.COLUMNS]), _forge_tail.chain
    )
    _forge_tail.save(force_insert=True)
    verdict = verify_chain()
    assert (verdict.ok, verdict.position) == (False, 11)
    assert verdict.reason.startswith("inserted")


# Several chains ---------------------------------------------------------------------------


@pytest.fixture
def spread(django_user_model: type[User]) -> int:
    """Entries about 40 objects, over several chains; returns a chain with at least 6 entries."""
    actor = django_user_model.objects.create_user(username="kavita.audit", kind="official")
    for round_ in range(1, 4):
        for n in range(40):
            record(actor, "register.test_change", None, after={"n": n, "round": round_}, source="test")
            _about(actor, f"M{n:011d}", round_)
    counts = {number: AuditEntry.objects.filter(chain=number).count() for number in _chains()}
    assert len(counts) >= 5, counts  # the entries did spread
    return max(counts, key=lambda number: (counts[number], number))


def _about(actor: User, object_id: str, round_: int) -> None:
    # Written through record() with an object naming a member: its chain is the member's.
    member = _Named(object_id)
    # _Named stands in for a model instance (record() reads only its public ID and _meta).
    record(actor, "register.member_changed", member, after={"round": round_}, source="test")  # type: ignore[arg-type]


class _Named:
    """Just enough of a model instance for record() to name an object by its public ID."""

    def __init__(self, member_id: str) -> None:
        self.member_id = member_id
        self.pk = member_id
        self._meta = AuditEntry._meta


def _chains() -> list[int]:
    return sorted(set(AuditEntry.objects.values_list("chain", flat=True)))


def test_several_chains_verify_and_count_every_entry(spread: int) -> None:
    verdict = verify_chain()
    assert verdict.ok, str(verdict)
    assert verdict.count == AuditEntry.objects.count() == 240


def test_edited_entry_in_one_chain_is_found_there(spread: int) -> None:
    AuditEntry.objects.filter(chain=spread, seq=4).update(after='{"round":99}')
    verdict = verify_chain()
    assert (verdict.ok, verdict.chain, verdict.position) == (False, spread, 4)
    assert verdict.reason.startswith("edited")
    assert str(verdict).startswith("BROKEN at position 4: edited")


def test_deleted_entry_in_one_chain_is_found_there(spread: int) -> None:
    AuditEntry.objects.filter(chain=spread, seq=3).delete()
    verdict = verify_chain()
    assert (verdict.ok, verdict.chain, verdict.position) == (False, spread, 3)
    assert verdict.reason.startswith("deleted")


def test_inserted_entry_in_one_chain_is_found_there(spread: int) -> None:
    last = AuditEntry.objects.filter(chain=spread).order_by("-seq").first()
    assert last is not None
    for seq in range(last.seq, 3, -1):
        AuditEntry.objects.filter(chain=spread, seq=seq).update(seq=seq + 1)
    forged = AuditEntry.objects.get(chain=spread, seq=5)
    forged.pk = None
    forged.seq = 4
    forged.after = '{"forged":true}'
    forged.prev_hash = AuditEntry.objects.get(chain=spread, seq=3).hash
    forged.hash = forged.computed_hash()
    forged.save(force_insert=True)
    verdict = verify_chain()
    assert (verdict.ok, verdict.chain, verdict.position) == (False, spread, 4)
    assert verdict.reason.startswith("inserted")


def test_reordered_entries_in_one_chain_are_found_there(spread: int) -> None:
    AuditEntry.objects.filter(chain=spread, seq=2).update(seq=-1)
    AuditEntry.objects.filter(chain=spread, seq=3).update(seq=2)
    AuditEntry.objects.filter(chain=spread, seq=-1).update(seq=3)
    verdict = verify_chain()
    assert (verdict.ok, verdict.chain, verdict.position) == (False, spread, 2)
    assert verdict.reason.startswith("reordered")


def test_entry_moved_to_another_chain_is_found(spread: int) -> None:
    """A row relabelled into another chain, at that chain's next position, no longer matches its hash."""
    other = next(number for number in _chains() if number != spread)
    moved = AuditEntry.objects.filter(chain=spread).order_by("-seq").first()
    assert moved is not None
    tail = AuditEntry.objects.filter(chain=other).order_by("-seq").first()
    assert tail is not None
    AuditEntry.objects.filter(pk=moved.pk).update(chain=other, seq=tail.seq + 1, prev_hash=tail.hash)
    verdict = verify_chain()
    assert not verdict.ok
    assert verdict.chain in (spread, other)


def test_tail_cut_in_one_chain_is_found_by_its_signed_head(spread: int) -> None:
    AuditEntry.objects.filter(chain=spread, seq__gt=2).delete()
    verdict = verify_chain()
    assert (verdict.ok, verdict.chain, verdict.position) == (False, spread, 3)
    assert verdict.reason.startswith("truncated: the head records")


def test_head_of_one_chain_edited_without_the_key_is_found(spread: int) -> None:
    AuditEntry.objects.filter(chain=spread, seq__gt=2).delete()
    AuditHead.objects.filter(pk=spread).update(seq=2, hash=AuditEntry.objects.get(chain=spread, seq=2).hash)
    verdict = verify_chain()
    assert (verdict.ok, verdict.chain) == (False, spread)
    assert "signature" in verdict.reason


def test_a_head_signed_for_another_chain_does_not_fit(spread: int) -> None:
    other = next(number for number in _chains() if number != spread)
    theirs = AuditHead.objects.get(pk=other)
    AuditHead.objects.filter(pk=spread).update(seq=theirs.seq, hash=theirs.hash, signature=theirs.signature)
    verdict = verify_chain()
    assert not verdict.ok


def test_old_head_put_back_after_a_cut_is_found_by_a_checkpoint(spread: int) -> None:
    """The attacker kept a copy of the head at position 2 and cuts the chain back to it."""
    old = AuditEntry.objects.get(chain=spread, seq=2)
    copied = (2, old.hash, chain.head_signature(2, old.hash, settings.AUDIT_HMAC_KEY, spread))
    write_checkpoint()  # written later than the copy, as the chains grew
    AuditEntry.objects.filter(chain=spread, seq__gt=2).delete()
    AuditHead.objects.filter(pk=spread).update(seq=copied[0], hash=copied[1], signature=copied[2])
    verdict = verify_chain()
    assert (verdict.ok, verdict.chain, verdict.position) == (False, spread, 3)
    assert verdict.reason.startswith("truncated: a signed checkpoint records")


def test_whole_chain_removed_with_its_head_is_found_by_a_checkpoint(spread: int) -> None:
    write_checkpoint()
    AuditEntry.objects.filter(chain=spread).delete()
    AuditHead.objects.filter(pk=spread).delete()
    verdict = verify_chain()
    assert (verdict.ok, verdict.chain) == (False, spread)
    assert verdict.reason == "the signed chain head row is missing"


def test_edited_checkpoint_is_found(spread: int) -> None:
    checkpoint = write_checkpoint()
    heads = chain.parse_checkpoint(checkpoint.heads)
    seq, head_hash = heads[spread]
    heads[spread] = (seq - 1, head_hash)
    text = chain.checkpoint_text((number, s, h) for number, (s, h) in heads.items())
    AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(heads=text)
    verdict = verify_chain()
    assert not verdict.ok
    assert "checkpoint" in verdict.reason


def test_checkpoints_are_written_as_the_chains_grow(
    settings: Settings, django_user_model: type[User]
) -> None:
    settings.AUDIT_CHECKPOINT_EVERY = 3
    actor = django_user_model.objects.create_user(username="ritu.audit", kind="official")
    for n in range(7):
        record(actor, "register.test_change", actor, after={"n": n})
    assert AuditCheckpoint.objects.count() == 2
    assert verify_chain().ok


def test_entries_written_before_there_were_chains_still_verify(django_user_model: type[User]) -> None:
    """Chain 1 is hashed and signed exactly as the single chain was (so migrated databases verify)."""
    previous = chain.GENESIS_HASH
    for seq in range(1, 4):
        entry = AuditEntry(
            chain=1,
            seq=seq,
            at=timezone.now(),
            action="register.old_change",
            object_type="registry.member",
            object_id=f"M{seq:011d}",
            after=f'{{"n":{seq}}}',
            prev_hash=previous,
        )
        row = chain.ChainRow(*[getattr(entry, name) for name in chain.COLUMNS])
        # The single chain's hash, spelled out as it was: no chain number in it.
        micros = (entry.at - chain._EPOCH) // chain._MICROSECOND
        fields = [str(seq), str(micros), "", entry.action, entry.object_type, entry.object_id]
        fields += ["", entry.after, "", "", previous]
        payload = "|".join(f"{len(field)}:{field}" for field in fields)
        entry.hash = hashlib.sha256(payload.encode()).hexdigest()
        assert entry.hash == chain.row_hash(row)
        entry.save(force_insert=True)
        previous = entry.hash
    old_signature = hmac.new(
        settings.AUDIT_HMAC_KEY.encode(), f"audit-head|3|{previous}".encode(), hashlib.sha256
    ).hexdigest()
    AuditHead.objects.update_or_create(
        pk=1, defaults={"seq": 3, "hash": previous, "signature": old_signature}
    )
    assert verify_chain().ok
    actor = django_user_model.objects.create_user(username="old.audit", kind="official")
    for n in range(5):
        record(actor, "register.new_change", actor, after={"n": n})
    verdict = verify_chain()
    assert verdict.ok, str(verdict)
    assert verdict.count == 8
