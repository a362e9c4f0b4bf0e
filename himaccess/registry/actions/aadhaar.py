"""Putting a member's Aadhaar number in the vault and its reference on the register."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.events.bus import emit
from himaccess.registry.actions.records import _record, _save_member, _snapshot
from himaccess.registry.models import (
    Member,
    Source,
)
from himaccess.vault import actions as vault


def _aadhaar_error(message: Any, code: str) -> ValidationError:
    return ValidationError({"aadhaar": [ValidationError(message, code=code)]})


@transaction.atomic
def attach_aadhaar(
    member: Member, number: str, *, actor: User | None, source: str = Source.OFFICIAL
) -> vault.AadhaarRef:
    """Put ``number`` in the vault and its reference on ``member``.

    A living person is in one family only: a number already on another living
    member is refused with a message that names neither that member nor the
    family, and nothing is written. Attaching the member's own number again
    changes nothing.
    """
    try:
        reference = vault.reference_for(number)
    except vault.InvalidAadhaar as exc:
        raise _aadhaar_error(exc.message, f"aadhaar_{exc.code}") from None
    locked = Member.objects.select_for_update().select_related("family").get(pk=member.pk)
    if not locked.is_living:
        raise _aadhaar_error(_("An Aadhaar number is added only for a living member."), "not_living")
    in_use = _(
        "This Aadhaar number is already on the register for another living person. "
        "If it is this member's number, ask the tehsil office to look into it."
    )
    if Member.objects.living().filter(aadhaar_ref=reference).exclude(pk=locked.pk).exists():
        raise _aadhaar_error(in_use, "aadhaar_in_use")
    if locked.aadhaar_ref == reference:
        return vault.AadhaarRef(reference=reference, last4=locked.aadhaar_last4)
    ref = vault.store(number, actor=actor, purpose="registration")
    before = _snapshot(locked)
    locked.aadhaar_ref, locked.aadhaar_last4 = ref.reference, ref.last4
    try:
        # A concurrent attach of the same number to another member loses here, on the constraint.
        with transaction.atomic():
            _save_member(locked)
    except IntegrityError:
        raise _aadhaar_error(in_use, "aadhaar_in_use") from None
    _record(locked, before, action="member.aadhaar_added", actor=actor, source=source, change_request=None)
    emit("member.aadhaar_added", family_id=locked.family.family_id, member_id=locked.member_id)
    member.aadhaar_ref, member.aadhaar_last4, member.version = ref.reference, ref.last4, locked.version
    return ref
