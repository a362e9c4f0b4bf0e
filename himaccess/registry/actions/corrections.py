"""Corrections to a member or a family, and the family's own change of contact details."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from himaccess.accounts import sessions
from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.events.bus import emit
from himaccess.geography.validators import validate_pincode_in_district
from himaccess.lib.errors import Conflict
from himaccess.registry import validators
from himaccess.registry.actions.records import _record, _save_family, _save_member, _snapshot
from himaccess.registry.models import (
    ChangeRequest,
    CitizenLink,
    Family,
    Member,
    Source,
)

# Fields a correction request may change; mobile and bank details change
# only through the citizen's own OTP-confirmed flow.
CORRECTABLE_MEMBER_FIELDS = (
    "name_en",
    "name_hi",
    "gender",
    "date_of_birth",
    "marital_status",
    "social_category",
    "disability_percent",
    "occupation",
    "annual_income",
    "is_bpl",
    "ration_card_no",
    "residency_basis",
)


CORRECTABLE_FAMILY_FIELDS = ("house", "ward", "pincode")


@transaction.atomic
def correct_member(
    member: Member,
    changes: dict[str, Any],
    *,
    acting_user: User | None,
    source: str,
    expected_version: int | None = None,
    change_request: ChangeRequest | None = None,
) -> None:
    """Correct register fields of a member; ``changes`` holds already-parsed values."""
    locked = Member.objects.select_for_update().get(pk=member.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(_("Someone else changed this record; reload it and try again."))
    unknown = set(changes) - set(CORRECTABLE_MEMBER_FIELDS) - {"mobile", "bank_account", "bank_ifsc"}
    if unknown:
        raise ValidationError(
            _("These fields cannot be corrected here: %(fields)s"), params={"fields": ", ".join(unknown)}
        )
    before = _snapshot(locked)
    old_mobile = locked.mobile
    for name, value in changes.items():
        setattr(locked, name, value)
    _check_member(locked)
    if {"name_en", "name_hi"} & set(changes):
        locked.refresh_name_keys()
    _save_member(locked)
    if old_mobile and locked.mobile != old_mobile:
        _end_logins_resting_on(locked, old_mobile)
    _record(
        locked,
        before,
        action="member.corrected",
        actor=acting_user,
        source=source,
        change_request=change_request,
    )
    emit(
        "member.corrected",
        family_id=locked.family.family_id,
        member_id=locked.member_id,
        fields=sorted(changes),
    )


def _end_logins_resting_on(member: Member, old_mobile: str) -> None:
    """The number is no longer the member's: unlink its logins from the member and end their sessions.

    Scoping already checks the number on every request (``Family.objects.visible_to``); ending the
    sessions as well means nothing opened with the old number stays open, as for a transferred official.
    """
    links = CitizenLink.objects.filter(member=member, user__mobile=old_mobile).select_related("user")
    for link in links:
        ended = sessions.end_all(link.user)
        audit.record(
            None,
            "citizen.unlinked",
            member,
            after={"reason": "mobile number changed", "sessions_ended": ended},
            source="registry",
        )
    links.delete()


@transaction.atomic
def change_contact(member: Member, changes: dict[str, str], *, acting_user: User) -> None:
    """The family's own change of mobile number or bank details (the caller checked a fresh OTP)."""
    if set(changes) - {"mobile", "bank_account", "bank_ifsc"}:
        raise ValidationError(_("Only the mobile number and bank details change here."), code="fields")
    correct_member(member, changes, acting_user=acting_user, source=Source.SELF_DECLARED)
    member.refresh_from_db()


def _check_member(member: Member) -> None:
    errors: dict[str, list[ValidationError]] = {}
    checks: dict[str, Callable[[Any], None]] = {
        "name_en": validators.validate_name_en,
        "name_hi": validators.validate_name_hi,
        "date_of_birth": validators.validate_date_of_birth,
        "disability_percent": validators.validate_disability_percent,
        "mobile": validators.validate_mobile,
        "bank_ifsc": validators.validate_ifsc,
        "bank_account": validators.validate_bank_account,
        "ration_card_no": validators.validate_ration_card,
    }
    for name, check in checks.items():
        value = getattr(member, name)
        if value in ("", None):
            continue
        try:
            check(value)
        except ValidationError as exc:
            errors.setdefault(name, []).append(exc)
    for parent_id in (member.father_id, member.mother_id):
        if parent_id:
            parent = Member.objects.get(pk=parent_id)
            if parent.date_of_birth >= member.date_of_birth:
                errors.setdefault("date_of_birth", []).append(
                    ValidationError(
                        _("A child cannot be older than their parent."), code="child_older_than_parent"
                    )
                )
    children = Member.objects.filter(father=member) | Member.objects.filter(mother=member)
    if children.filter(date_of_birth__lte=member.date_of_birth).exists():
        errors.setdefault("date_of_birth", []).append(
            ValidationError(
                _("A parent cannot be younger than their child."), code="parent_younger_than_child"
            )
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def correct_family(
    family: Family,
    changes: dict[str, Any],
    *,
    acting_user: User | None,
    source: str,
    change_request: ChangeRequest | None = None,
) -> None:
    unknown = set(changes) - set(CORRECTABLE_FAMILY_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be corrected here: %(fields)s"), params={"fields": ", ".join(unknown)}
        )
    if "pincode" in changes:
        try:
            validate_pincode_in_district(changes["pincode"], family.district)
        except ValidationError as exc:
            raise ValidationError({"new_value": exc}) from exc
    before = _snapshot(family)
    for name, value in changes.items():
        setattr(family, name, value)
    _save_family(family)
    _record(
        family,
        before,
        action="family.corrected",
        actor=acting_user,
        source=source,
        change_request=change_request,
    )
    emit("family.corrected", family_id=family.family_id, fields=sorted(changes))
