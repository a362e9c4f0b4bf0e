"""Use cases that change the register.

Every function validates, writes one ``RegisterChange`` row per changed field
and an audit row, and emits a domain event, all inside one transaction: a
change is either wholly recorded or not at all. Change requests carry a
validated payload (``registry.forms``); approving one applies it through the
same functions, so a change made directly by an official and one asked for
by a family leave the same trail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from himaccess.accounts import sessions
from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.events.bus import emit
from himaccess.geography.models import Block, District, Panchayat, Tehsil, UrbanBody, Village
from himaccess.geography.validators import validate_pincode_in_district
from himaccess.lib import identifiers
from himaccess.registry import validators
from himaccess.registry.models import (
    Area,
    ChangeRequest,
    CitizenLink,
    Family,
    Gender,
    MaritalStatus,
    Member,
    Occupation,
    RegisterChange,
    Relation,
    Source,
)
from himaccess.vault import actions as vault

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
# Never copied into the audit log in clear.
MASKED_IN_AUDIT = {"mobile", "bank_account"}


class Conflict(Exception):
    """The record changed under the caller: someone else acted first."""


@dataclass(frozen=True)
class Address:
    district: District
    tehsil: Tehsil
    pincode: str
    area: str = Area.RURAL
    block: Block | None = None
    urban_body: UrbanBody | None = None
    panchayat: Panchayat | None = None
    village: Village | None = None
    ward: str = ""
    house: str = ""

    @classmethod
    def of(cls, family: Family, *, house: str = "") -> Address:
        """The family's place, for a household set up beside it (a split)."""
        return cls(
            district=family.district,
            tehsil=family.tehsil,
            pincode=family.pincode,
            area=family.area,
            block=family.block,
            urban_body=family.urban_body,
            panchayat=family.panchayat,
            village=family.village,
            ward=family.ward,
            house=house,
        )


@dataclass(frozen=True)
class NewMember:
    gender: str
    date_of_birth: date
    relation: str
    name_en: str = ""
    name_hi: str = ""
    marital_status: str = MaritalStatus.NEVER_MARRIED
    social_category: str = ""
    occupation: str = Occupation.OTHER
    disability_percent: int = 0
    annual_income: int = 0
    is_bpl: bool = False
    mobile: str = ""
    father: Member | None = None
    mother: Member | None = None
    spouse: Member | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------- history


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
    member.version = F("version") + 1  # type: ignore[assignment]
    member.save()
    member.refresh_from_db(fields=["version"])


def _save_family(family: Family) -> None:
    family.version = F("version") + 1  # type: ignore[assignment]
    family.save()
    family.refresh_from_db(fields=["version"])


# ------------------------------------------------------------- validation


def _validate_address(address: Address) -> None:
    errors: dict[str, list[ValidationError]] = {}
    if address.tehsil.district_id != address.district.pk:
        errors.setdefault("tehsil", []).append(
            ValidationError(_("The tehsil is not in the chosen district."), code="tehsil_district")
        )
    for name in ("block", "urban_body", "panchayat", "village"):
        area = getattr(address, name)
        if area is not None and area.district_id != address.district.pk:
            errors.setdefault(name, []).append(
                ValidationError(_("This place is not in the chosen district."), code="area_district")
            )
    if address.area == Area.URBAN and address.urban_body is None:
        errors.setdefault("urban_body", []).append(
            ValidationError(_("An urban family needs its urban local body."), code="urban_body_required")
        )
    if address.area == Area.RURAL and address.urban_body is not None:
        errors.setdefault("urban_body", []).append(
            ValidationError(_("A rural family has no urban local body."), code="urban_body_rural")
        )
    try:
        validate_pincode_in_district(address.pincode, address.district)
    except ValidationError as exc:
        errors.setdefault("pincode", []).append(exc)
    if errors:
        raise ValidationError(errors)


def _validate_new_member(details: NewMember) -> None:
    errors: dict[str, list[ValidationError]] = {}

    def check(name: str, validator: Any, value: Any) -> None:
        try:
            validator(value)
        except ValidationError as exc:
            errors.setdefault(name, []).append(exc)

    if not details.name_en and not details.name_hi:
        errors["name_en"] = [
            ValidationError(_("Give the name in Hindi or in English."), code="name_required")
        ]
    if details.name_en:
        check("name_en", validators.validate_name_en, details.name_en)
    if details.name_hi:
        check("name_hi", validators.validate_name_hi, details.name_hi)
    check("date_of_birth", validators.validate_date_of_birth, details.date_of_birth)
    check("disability_percent", validators.validate_disability_percent, details.disability_percent)
    if details.mobile:
        check("mobile", validators.validate_mobile, details.mobile)
    for parent_field in ("father", "mother"):
        parent: Member | None = getattr(details, parent_field)
        if parent is not None and parent.date_of_birth >= details.date_of_birth:
            errors.setdefault("date_of_birth", []).append(
                ValidationError(
                    _("A child cannot be older than their parent (%(parent)s, born %(dob)s)."),
                    code="child_older_than_parent",
                    params={"parent": parent.name_en or parent.name_hi, "dob": parent.date_of_birth},
                )
            )
    if errors:
        raise ValidationError(errors)


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


def require_new_head(member: Member, new_head_id: str | None) -> Member | None:
    """A head who dies or leaves must be replaced when others remain."""
    if member.relation != Relation.HEAD:
        return None
    others = member.family.members.living().exclude(pk=member.pk)
    if not others.exists():
        return None
    if not new_head_id:
        raise ValidationError(
            {
                "new_head_member_id": ValidationError(
                    _("The head of family is leaving: choose the new head."), code="new_head_required"
                )
            }
        )
    new_head = _living_member_of(member.family, new_head_id, "new_head_member_id")
    if new_head.pk == member.pk:
        raise ValidationError(
            {"new_head_member_id": ValidationError(_("Choose another member as head."), code="new_head_same")}
        )
    return new_head


# -------------------------------------------------------------- families


@transaction.atomic
def register_family(address: Address, head: NewMember, *, acting_user: User | None, source: str) -> Family:
    """Enrol a new family with its head."""
    _validate_address(address)
    family = Family(
        district=address.district,
        tehsil=address.tehsil,
        block=address.block,
        urban_body=address.urban_body,
        panchayat=address.panchayat,
        village=address.village,
        ward=address.ward,
        house=address.house,
        pincode=address.pincode,
        area=address.area,
    )
    family.save()
    _record(family, {}, action="family.registered", actor=acting_user, source=source, change_request=None)
    _create_member(family, head, actor=acting_user, source=source, change_request=None, action="member.added")
    emit("family.registered", family_id=family.family_id)
    return family


def _create_member(
    family: Family,
    details: NewMember,
    *,
    actor: User | None,
    source: str,
    change_request: ChangeRequest | None,
    action: str,
) -> Member:
    _validate_new_member(details)
    head = family.head()
    member = Member(
        family=family,
        name_en=details.name_en,
        name_hi=details.name_hi,
        relation=details.relation,
        gender=details.gender,
        date_of_birth=details.date_of_birth,
        marital_status=details.marital_status,
        social_category=details.social_category or (head.social_category if head else "general"),
        occupation=details.occupation,
        disability_percent=details.disability_percent,
        annual_income=details.annual_income,
        is_bpl=details.is_bpl or bool(head and head.is_bpl),
        ration_card_no=head.ration_card_no if head else "",
        mobile=details.mobile,
        father=details.father,
        mother=details.mother,
        spouse=details.spouse,
        **details.extra,
    )
    member.refresh_name_keys()
    member.save()
    _record(member, {}, action=action, actor=actor, source=source, change_request=change_request)
    return member


@transaction.atomic
def record_birth(
    family: Family,
    details: NewMember,
    *,
    acting_user: User | None,
    source: str,
    change_request: ChangeRequest | None = None,
) -> Member:
    child = _create_member(
        family, details, actor=acting_user, source=source, change_request=change_request, action="member.born"
    )
    emit("member.added", family_id=family.family_id, member_id=child.member_id, kind="birth")
    return child


def _marry(
    member: Member, spouse: Member | None, *, actor: User | None, source: str, cr: ChangeRequest | None
) -> None:
    if spouse is None:
        return
    for person, partner in ((member, spouse), (spouse, member)):
        before = _snapshot(person)
        person.spouse = partner
        person.marital_status = MaritalStatus.MARRIED
        _save_member(person)
        _record(person, before, action="member.married", actor=actor, source=source, change_request=cr)


@transaction.atomic
def record_marriage_in(
    family: Family,
    details: NewMember | None,
    *,
    spouse: Member | None,
    existing: Member | None = None,
    relation: str = Relation.SPOUSE,
    acting_user: User | None,
    source: str,
    change_request: ChangeRequest | None = None,
) -> Member:
    """Someone joins the family by marriage: a new entry, or a member moving from another family."""
    if existing is not None:
        member = _move_member(
            existing, family, relation=relation, actor=acting_user, source=source, cr=change_request
        )
    else:
        assert details is not None
        member = _create_member(
            family,
            details,
            actor=acting_user,
            source=source,
            change_request=change_request,
            action="member.joined",
        )
    _marry(member, spouse, actor=acting_user, source=source, cr=change_request)
    emit("member.added", family_id=family.family_id, member_id=member.member_id, kind="marriage_in")
    return member


def _move_member(
    member: Member,
    to_family: Family,
    *,
    relation: str,
    actor: User | None,
    source: str,
    cr: ChangeRequest | None,
) -> Member:
    if not member.is_living:
        raise ValidationError(_("Only a living member can move to another family."), code="not_living")
    if member.family_id == to_family.pk:
        raise ValidationError(_("The member is already in this family."), code="same_family")
    if to_family.status != Family.Status.ACTIVE:
        raise ValidationError(_("The receiving family is no longer active."), code="family_inactive")
    if member.relation == Relation.HEAD and member.family.members.living().exclude(pk=member.pk).exists():
        raise ValidationError(
            _("The head of a family cannot move out while others remain: change the head first."),
            code="head_moving",
        )
    from_family = member.family
    before = _snapshot(member)
    member.family = to_family
    member.relation = relation
    member.father = member.mother = None  # parents stay in the old family's record
    _save_member(member)
    _record(member, before, action="member.transferred", actor=actor, source=source, change_request=cr)
    if not from_family.members.living().exists():
        _close_family(from_family, Family.Status.DISSOLVED, actor=actor, source=source, cr=cr)
    emit(
        "member.transferred",
        family_id=to_family.family_id,
        member_id=member.member_id,
        other_family_id=from_family.family_id,
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


def _end_membership(
    member: Member,
    *,
    status: str,
    on: date,
    new_head: Member | None,
    actor: User | None,
    source: str,
    cr: ChangeRequest | None,
) -> None:
    try:
        validators.validate_past_date(on)
    except ValidationError as exc:
        raise ValidationError({"date": exc}) from exc
    if on < member.date_of_birth:
        raise ValidationError(
            {"date": ValidationError(_("The date is before the date of birth."), code="before_birth")}
        )
    if not member.is_living:
        raise ValidationError(_("This member is no longer living in the family."), code="not_living")
    before = _snapshot(member)
    member.life_status = status
    if status == Member.LifeStatus.DEAD:
        member.died_on = on
    else:
        member.left_on = on
    was_head = member.relation == Relation.HEAD
    _save_member(member)
    _record(member, before, action=f"member.{status}", actor=actor, source=source, change_request=cr)
    if was_head and new_head is not None:
        _make_head(new_head, actor=actor, source=source, cr=cr)
    if status == Member.LifeStatus.DEAD and member.spouse_id:
        spouse = Member.objects.get(pk=member.spouse_id)
        if spouse.is_living and spouse.marital_status == MaritalStatus.MARRIED:
            spouse_before = _snapshot(spouse)
            spouse.marital_status = MaritalStatus.WIDOWED
            _save_member(spouse)
            _record(
                spouse, spouse_before, action="member.widowed", actor=actor, source=source, change_request=cr
            )
    event = "member.died" if status == Member.LifeStatus.DEAD else "member.migrated"
    emit(event, family_id=member.family.family_id, member_id=member.member_id, on=on.isoformat())


@transaction.atomic
def record_death(
    member: Member,
    *,
    on: date,
    new_head: Member | None = None,
    acting_user: User | None,
    source: str,
    change_request: ChangeRequest | None = None,
) -> None:
    _end_membership(
        member,
        status=Member.LifeStatus.DEAD,
        on=on,
        new_head=new_head,
        actor=acting_user,
        source=source,
        cr=change_request,
    )


@transaction.atomic
def record_migration(
    member: Member,
    *,
    on: date,
    new_head: Member | None = None,
    acting_user: User | None,
    source: str,
    change_request: ChangeRequest | None = None,
) -> None:
    _end_membership(
        member,
        status=Member.LifeStatus.MIGRATED,
        on=on,
        new_head=new_head,
        actor=acting_user,
        source=source,
        cr=change_request,
    )


@transaction.atomic
def record_marriage_out(
    member: Member,
    to_family: Family,
    *,
    relation: str,
    spouse: Member | None = None,
    acting_user: User | None,
    source: str,
    change_request: ChangeRequest | None = None,
) -> None:
    _move_member(member, to_family, relation=relation, actor=acting_user, source=source, cr=change_request)
    _marry(member, spouse, actor=acting_user, source=source, cr=change_request)


@transaction.atomic
def split_family(
    family: Family,
    leaving: Iterable[Member],
    *,
    new_head: Member,
    relations: dict[str, str],
    address: Address | None = None,
    acting_user: User | None,
    source: str,
    change_request: ChangeRequest | None = None,
) -> Family:
    """Part of a family sets up its own household with a new Family ID."""
    members = list(leaving)
    if new_head not in members:
        raise ValidationError(
            {"new_head_member_id": ValidationError(_("The new head must be among those leaving."))}
        )
    if any(m.relation == Relation.HEAD for m in members):
        raise ValidationError(
            {
                "member_ids": ValidationError(
                    _("The head stays with the original family; change the head first.")
                )
            }
        )
    if any(m.family_id != family.pk or not m.is_living for m in members):
        raise ValidationError(
            {"member_ids": ValidationError(_("Only living members of this family can split off."))}
        )
    address = address or Address.of(family)
    _validate_address(address)
    new_family = Family(
        district=address.district,
        tehsil=address.tehsil,
        block=address.block,
        urban_body=address.urban_body,
        panchayat=address.panchayat,
        village=address.village,
        ward=address.ward,
        house=address.house,
        pincode=address.pincode,
        area=address.area,
    )
    new_family.save()
    _record(
        new_family,
        {},
        action="family.registered",
        actor=acting_user,
        source=source,
        change_request=change_request,
    )
    for member in members:
        before = _snapshot(member)
        member.family = new_family
        member.relation = relations.get(member.member_id) or member.relation_to(new_head)
        _save_member(member)
        _record(
            member,
            before,
            action="family.split",
            actor=acting_user,
            source=source,
            change_request=change_request,
        )
    emit("family.split", family_id=family.family_id, other_family_id=new_family.family_id)
    return new_family


@transaction.atomic
def merge_families(
    family: Family,
    other: Family,
    *,
    relations: dict[str, str],
    acting_user: User | None,
    source: str,
    change_request: ChangeRequest | None = None,
) -> None:
    """Every living member of ``other`` joins ``family``; ``other`` is closed as merged."""
    if other.pk == family.pk:
        raise ValidationError({"other_family_id": ValidationError(_("A family cannot merge with itself."))})
    if other.status != Family.Status.ACTIVE:
        raise ValidationError({"other_family_id": ValidationError(_("That family is no longer active."))})
    head = family.head()
    for member in other.members.living():
        before = _snapshot(member)
        member.family = family
        member.relation = relations.get(member.member_id) or (
            member.relation_to(head) if head else Relation.OTHER
        )
        _save_member(member)
        _record(
            member,
            before,
            action="family.merged",
            actor=acting_user,
            source=source,
            change_request=change_request,
        )
    _close_family(
        other, Family.Status.MERGED, actor=acting_user, source=source, cr=change_request, into=family
    )
    emit("family.merged", family_id=family.family_id, other_family_id=other.family_id)


@transaction.atomic
def change_head(
    family: Family,
    new_head: Member,
    *,
    old_head_relation: str,
    acting_user: User | None,
    source: str,
    change_request: ChangeRequest | None = None,
) -> None:
    if new_head.family_id != family.pk or not new_head.is_living:
        raise ValidationError(
            {"new_head_member_id": ValidationError(_("Choose a living member of this family."))}
        )
    old = family.head()
    if old is not None:
        if old.pk == new_head.pk:
            raise ValidationError(
                {"new_head_member_id": ValidationError(_("This member is already the head."))}
            )
        before = _snapshot(old)
        old.relation = old_head_relation
        _save_member(old)
        _record(
            old,
            before,
            action="family.head_changed",
            actor=acting_user,
            source=source,
            change_request=change_request,
        )
    _make_head(new_head, actor=acting_user, source=source, cr=change_request)
    emit("family.head_changed", family_id=family.family_id, member_id=new_head.member_id)


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


__all__ = [
    "Address",
    "Conflict",
    "Gender",
    "NewMember",
    "change_head",
    "correct_family",
    "correct_member",
    "merge_families",
    "record_birth",
    "record_death",
    "record_marriage_in",
    "record_marriage_out",
    "record_migration",
    "register_family",
    "split_family",
]


# ---------------------------------------------------------------- Aadhaar


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
