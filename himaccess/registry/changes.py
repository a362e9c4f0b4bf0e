"""Applying an approved change request through the register's actions.

The request's payload is re-validated with its form against the family as it
is now; if the family changed since the request was filed so that it no
longer holds, approval fails with the form's errors and nothing is applied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.registry import actions
from himaccess.registry.forms import FORMS, ChangeForm
from himaccess.registry.models import ChangeRequest, Family, Member


def validated_form(request: ChangeRequest) -> ChangeForm:
    form = FORMS[request.kind](data=request.payload, family=request.family)
    if not form.is_valid():
        raise ValidationError(
            {
                name: [ValidationError(str(message)) for message in messages]
                for name, messages in form.errors.items()
            }
        )
    return form


def _person(form: ChangeForm, relation: str) -> actions.NewMember:
    data = form.cleaned_data
    return actions.NewMember(
        name_en=data.get("name_en", ""),
        name_hi=data.get("name_hi", ""),
        gender=data["gender"],
        date_of_birth=data["date_of_birth"],
        relation=relation,
        father=form.member("father") if "father" in form.fields else None,
        mother=form.member("mother") if "mother" in form.fields else None,
    )


def apply_change_request(request: ChangeRequest, *, acting_user: User) -> None:
    form = validated_form(request)
    APPLIERS[request.kind](request, form, acting_user)


def _common(request: ChangeRequest, acting_user: User) -> dict[str, Any]:
    return {"acting_user": acting_user, "source": request.source, "change_request": request}


def _birth(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    actions.record_birth(
        request.family, _person(form, form.cleaned_data["relation"]), **_common(request, user)
    )


def _marriage_in(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    data = form.cleaned_data
    existing = Member.objects.get(member_id=data["from_member_id"]) if data.get("from_member_id") else None
    actions.record_marriage_in(
        request.family,
        None if existing else _person(form, data["relation"]),
        spouse=form.member("spouse"),
        existing=existing,
        relation=data["relation"],
        **_common(request, user),
    )


def _death(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    member = _subject(form)
    new_head = actions.require_new_head(member, form.cleaned_data.get("new_head_member_id"))
    actions.record_death(member, on=form.cleaned_data["date"], new_head=new_head, **_common(request, user))


def _migration(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    member = _subject(form)
    new_head = actions.require_new_head(member, form.cleaned_data.get("new_head_member_id"))
    actions.record_migration(
        member, on=form.cleaned_data["date"], new_head=new_head, **_common(request, user)
    )


def _marriage_out(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    to_family = Family.objects.get(family_id=form.cleaned_data["to_family_id"])
    actions.record_marriage_out(
        _subject(form), to_family, relation=form.cleaned_data["relation"], **_common(request, user)
    )


def _split(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    data = form.cleaned_data
    leaving = list(request.family.members.filter(member_id__in=data["member_ids"]))
    new_head = next(m for m in leaving if m.member_id == data["new_head_member_id"])
    family = request.family
    address = actions.Address(
        district=family.district,
        tehsil=family.tehsil,
        pincode=family.pincode,
        area=family.area,
        block=family.block,
        urban_body=family.urban_body,
        panchayat=family.panchayat,
        village=family.village,
        ward=family.ward,
        house=data.get("house", ""),
    )
    actions.split_family(
        family, leaving, new_head=new_head, relations={}, address=address, **_common(request, user)
    )


def _merge(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    other = Family.objects.get(family_id=form.cleaned_data["other_family_id"])
    actions.merge_families(request.family, other, relations={}, **_common(request, user))


def _change_head(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    new_head = form.member("new_head_member_id")
    assert new_head is not None
    actions.change_head(
        request.family,
        new_head,
        old_head_relation=form.cleaned_data["old_head_relation"],
        **_common(request, user),
    )


def _correction(request: ChangeRequest, form: ChangeForm, user: User) -> None:
    data = form.cleaned_data
    target: Model | None = form.member("member_id")
    if isinstance(target, Member):
        actions.correct_member(target, {data["field"]: data["value"]}, **_common(request, user))
    else:
        actions.correct_family(request.family, {data["field"]: data["value"]}, **_common(request, user))


def _subject(form: ChangeForm) -> Member:
    member = form.subject()
    if member is None:
        raise ValidationError({"member_id": ValidationError(_("Choose the member."), code="required")})
    return member


APPLIERS: dict[str, Callable[[ChangeRequest, ChangeForm, User], None]] = {
    ChangeRequest.Kind.BIRTH: _birth,
    ChangeRequest.Kind.MARRIAGE_IN: _marriage_in,
    ChangeRequest.Kind.DEATH: _death,
    ChangeRequest.Kind.MIGRATION_OUT: _migration,
    ChangeRequest.Kind.MARRIAGE_OUT: _marriage_out,
    ChangeRequest.Kind.SPLIT: _split,
    ChangeRequest.Kind.MERGE: _merge,
    ChangeRequest.Kind.CHANGE_HEAD: _change_head,
    ChangeRequest.Kind.CORRECTION: _correction,
}
