"""Splitting a household off, merging two families, and changing the head."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.events.bus import emit
from himaccess.registry.actions.families import Address, _validate_address
from himaccess.registry.actions.records import _close_family, _make_head, _record, _save_member, _snapshot
from himaccess.registry.models import (
    ChangeRequest,
    Family,
    Member,
    Relation,
)


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
    new_family = address.new_family()
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
