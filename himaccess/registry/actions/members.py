"""People joining and leaving families: births, marriages in and out, deaths, migration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.events.bus import emit
from himaccess.registry import validators
from himaccess.registry.actions.records import (
    _close_family,
    _living_member_of,
    _make_head,
    _record,
    _save_member,
    _snapshot,
)
from himaccess.registry.models import (
    ChangeRequest,
    Family,
    MaritalStatus,
    Member,
    Occupation,
    Relation,
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
                    params={
                        "parent": parent.name_en or parent.name_hi,
                        "dob": date_format(parent.date_of_birth, validators.PEOPLES_DATE),
                    },
                )
            )
    if errors:
        raise ValidationError(errors)


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
