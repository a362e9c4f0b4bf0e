"""Step 4: an approved request is applied through the register's actions.

The payload is validated again by its kind's form against the families as they are now, and the
other families come from the parties recorded at filing, never re-read from the payload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.registry.actions import corrections, households, members
from himaccess.registry.actions import families as registry_families
from himaccess.registry.change_requests.access import Kind, PartyRole
from himaccess.registry.change_requests.filing import validated_form
from himaccess.registry.forms import ChangeForm
from himaccess.registry.models import (
    ChangeRequest,
    Family,
    Member,
)


def _person(form: ChangeForm, relation: str) -> members.NewMember:
    data = form.cleaned_data
    return members.NewMember(
        name_en=data.get("name_en", ""),
        name_hi=data.get("name_hi", ""),
        gender=data["gender"],
        date_of_birth=data["date_of_birth"],
        relation=relation,
        father=form.member("father") if "father" in form.fields else None,
        mother=form.member("mother") if "mother" in form.fields else None,
    )


def _common(request: ChangeRequest, acting_user: User) -> dict[str, Any]:
    return {"acting_user": acting_user, "source": request.source, "change_request": request}


def _subject(form: ChangeForm) -> Member:
    member = form.subject()
    if member is None:
        raise ValidationError({"member_id": ValidationError(_("Choose the member."), code="required")})
    return member


def _party_family(request: ChangeRequest, role: str) -> Family:
    """The other family as recorded when the request was filed (never re-read from the payload)."""
    return request.parties.get(role=role).family


def _birth(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    members.record_birth(
        request.family, _person(form, form.cleaned_data["relation"]), **_common(request, user)
    )


def _marriage_in(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    data = form.cleaned_data
    existing = None
    if data.get("from_member_id"):
        # The family that agreed to let this person go must still be theirs.
        existing = (
            _party_family(request, PartyRole.GIVING)
            .members.living()
            .filter(member_id=data["from_member_id"])
            .first()
        )
        if existing is None:
            raise ValidationError(
                _(
                    "The person has left the family that agreed to this request since it was filed; "
                    "reject it and file a new one."
                ),
                code="left_giving_family",
            )
    members.record_marriage_in(
        request.family,
        None if existing else _person(form, data["relation"]),
        spouse=form.member("spouse"),
        existing=existing,
        relation=data["relation"],
        **_common(request, user),
    )


def _death(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    member = _subject(form)
    new_head = members.require_new_head(member, form.cleaned_data.get("new_head_member_id"))
    members.record_death(member, on=form.cleaned_data["date"], new_head=new_head, **_common(request, user))


def _migration(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    member = _subject(form)
    new_head = members.require_new_head(member, form.cleaned_data.get("new_head_member_id"))
    members.record_migration(
        member, on=form.cleaned_data["date"], new_head=new_head, **_common(request, user)
    )


def _marriage_out(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    members.record_marriage_out(
        _subject(form),
        _party_family(request, PartyRole.RECEIVING),
        relation=form.cleaned_data["relation"],
        **_common(request, user),
    )


def _split(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    data = form.cleaned_data
    leaving = list(request.family.members.filter(member_id__in=data["member_ids"]))
    new_head = next(m for m in leaving if m.member_id == data["new_head_member_id"])
    address = registry_families.Address.of(request.family, house=data.get("house", ""))
    households.split_family(
        request.family, leaving, new_head=new_head, relations={}, address=address, **_common(request, user)
    )


def _merge(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    households.merge_families(
        request.family, _party_family(request, PartyRole.JOINING), relations={}, **_common(request, user)
    )


def _change_head(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    new_head = form.member("new_head_member_id")
    assert new_head is not None
    households.change_head(
        request.family,
        new_head,
        old_head_relation=form.cleaned_data["old_head_relation"],
        **_common(request, user),
    )


def _correction(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    data = form.cleaned_data
    target: Model | None = form.member("member_id")
    if isinstance(target, Member):
        corrections.correct_member(target, {data["field"]: data["value"]}, **_common(request, user))
    else:
        corrections.correct_family(request.family, {data["field"]: data["value"]}, **_common(request, user))


APPLIERS: dict[str, Callable[[ChangeRequest, ChangeForm, User], None]] = {
    Kind.BIRTH: _birth,
    Kind.MARRIAGE_IN: _marriage_in,
    Kind.DEATH: _death,
    Kind.MIGRATION_OUT: _migration,
    Kind.MARRIAGE_OUT: _marriage_out,
    Kind.SPLIT: _split,
    Kind.MERGE: _merge,
    Kind.CHANGE_HEAD: _change_head,
    Kind.CORRECTION: _correction,
}


def apply(request: ChangeRequest, *, acting_user: User) -> None:
    """Apply an approved request: its payload validated again against the families as they are now."""
    form = validated_form(request.kind, request.payload, request.family)
    APPLIERS[request.kind](request, form, acting_user)
