"""How every change to the register is written: a ``RegisterChange`` row per changed field, an audit row.

The register's use cases (the other modules of this package) call these inside their own transaction,
so a change is either wholly recorded or not at all.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.lib import identifiers
from himaccess.registry.models import (
    ChangeRequest,
    Family,
    Member,
    RegisterChange,
    Relation,
)

MEMBER_FIELDS = (
    "name_en",
    "name_hi",
    "relation",
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
    "mobile",
    "bank_account",
    "bank_ifsc",
    "life_status",
    "died_on",
    "left_on",
    "ekyc_status",
    "aadhaar_ref",
    "aadhaar_last4",
    "family_id",
    "spouse_id",
)


FAMILY_FIELDS = (
    "district_id",
    "tehsil_id",
    "block_id",
    "urban_body_id",
    "panchayat_id",
    "ward",
    "village_id",
    "house",
    "pincode",
    "area",
    "status",
    "merged_into_id",
)


# Never copied into the audit log in clear.
MASKED_IN_AUDIT = {"mobile", "bank_account"}


def _value(obj: Any, name: str) -> str:
    value = getattr(obj, name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _snapshot(obj: Family | Member) -> dict[str, str]:
    names = MEMBER_FIELDS if isinstance(obj, Member) else FAMILY_FIELDS
    return {name: _value(obj, name) for name in names}


def _for_audit(values: dict[str, str]) -> dict[str, str]:
    return {k: (f"XXXX{v[-4:]}" if k in MASKED_IN_AUDIT and v else v) for k, v in values.items()}


def _record(
    obj: Family | Member,
    before: dict[str, str],
    *,
    action: str,
    actor: User | None,
    source: str,
    change_request: ChangeRequest | None,
) -> None:
    after = _snapshot(obj)
    changed = [name for name in after if before.get(name, "") != after[name]]
    family = obj if isinstance(obj, Family) else obj.family
    member = obj if isinstance(obj, Member) else None
    RegisterChange.objects.bulk_create(
        RegisterChange(
            family=family,
            member=member,
            action=action,
            field=name,
            old_value=before.get(name, ""),
            new_value=after[name],
            source=source,
            actor=actor,
            change_request=change_request,
        )
        for name in changed
    )
    audit.record(
        actor,
        action,
        obj,
        before=_for_audit({k: before.get(k, "") for k in changed}),
        after=_for_audit({k: after[k] for k in changed}),
        source=source,
    )


def _save_member(member: Member) -> None:
    member.version = F("version") + 1
    member.save()
    member.refresh_from_db(fields=["version"])


def _save_family(family: Family) -> None:
    family.version = F("version") + 1
    family.save()
    family.refresh_from_db(fields=["version"])


def _living_member_of(family: Family, member_id: str, field_name: str = "member_id") -> Member:
    member = family.members.filter(member_id=identifiers.normalise(member_id)).first()
    if member is None or not member.is_living:
        raise ValidationError(
            {
                field_name: ValidationError(
                    _("No living member of this family has that Member ID."), code="member"
                )
            }
        )
    return member


def _close_family(
    family: Family,
    status: str,
    *,
    actor: User | None,
    source: str,
    cr: ChangeRequest | None,
    into: Family | None = None,
) -> None:
    before = _snapshot(family)
    family.status = status
    family.merged_into = into
    _save_family(family)
    _record(family, before, action=f"family.{status}", actor=actor, source=source, change_request=cr)


def _make_head(new_head: Member, *, actor: User | None, source: str, cr: ChangeRequest | None) -> None:
    before = _snapshot(new_head)
    new_head.relation = Relation.HEAD
    _save_member(new_head)
    _record(new_head, before, action="family.head_changed", actor=actor, source=source, change_request=cr)
