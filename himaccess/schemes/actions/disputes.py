"""Disputes: a citizen says a fact the decision rested on is wrong; an officer resolves it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.accounts.models import Role, User
from himaccess.audit import log as audit
from himaccess.departments.models import Department
from himaccess.lib.errors import NotFoundForYou
from himaccess.registry.change_requests import filing
from himaccess.registry.forms import parse_field_value
from himaccess.registry.models import ChangeRequest, Member
from himaccess.schemes.actions.records import citizen_may_act_for
from himaccess.schemes.actions.reevaluation import latest_decisions, reevaluate_family
from himaccess.schemes.models import (
    Dispute,
    MemberFact,
    Scheme,
)
from himaccess.schemes.vocabulary import ATTRIBUTES


@transaction.atomic
def file_dispute(
    member: Member, scheme: Scheme, attribute: str, *, claimed_value: str, note: str, acting_user: User
) -> Dispute:
    """Route a disputed input to its owner: a register correction request, or the owning department."""
    if not citizen_may_act_for(acting_user, member):
        raise NotFoundForYou
    spec = ATTRIBUTES.get(attribute)
    if spec is None:
        raise ValidationError({"attribute": ValidationError(_("Unknown input."), code="unknown_attribute")})
    claimed_value = claimed_value.strip()
    if not claimed_value:
        raise ValidationError(
            {"claimed_value": ValidationError(_("Say what the correct value is."), code="required")}
        )
    latest = latest_decisions(member).get(scheme.pk)
    shown = str(latest.inputs.get(attribute, {}).get("value", "")) if latest else ""
    change_request: ChangeRequest | None = None
    department: Department | None = None
    if spec.correction_field:
        try:
            parse_field_value(spec.correction_field, claimed_value)
        except ValidationError as exc:
            raise ValidationError({"claimed_value": exc.messages}) from exc
        change_request = filing.file_change_request(
            member.family,
            ChangeRequest.Kind.CORRECTION,
            {"member_id": member.member_id, "field": spec.correction_field, "new_value": claimed_value},
            requested_by=acting_user,
            member=member,
        )
    else:
        department = Department.objects.get(pk=spec.department)
    dispute = Dispute.objects.create(
        member=member,
        scheme=scheme,
        attribute=attribute,
        shown_value=shown[:100],
        claimed_value=claimed_value[:100],
        note=note.strip(),
        change_request=change_request,
        department=department,
        filed_by=acting_user,
    )
    audit.record(
        acting_user,
        "scheme.dispute_filed",
        member,
        after={"attribute": attribute, "scheme": scheme.scheme_id},
    )
    return dispute


def disputes_for_officer(user: User) -> Any:
    posting = user.active_posting
    if posting is None or posting.role not in (Role.DEPARTMENT_OFFICER, Role.DISTRICT_WELFARE_OFFICER):
        return Dispute.objects.none()
    return Dispute.objects.filter(
        posting.family_filter("member__family__"),
        department_id=posting.department_code,
        status=Dispute.Status.OPEN,
    )


@transaction.atomic
def resolve_dispute(dispute: Dispute, *, corrected: bool, note: str, acting_user: User) -> Dispute:
    """The owning department answers; a correction of its own data is recorded and the family re-evaluated."""
    if not disputes_for_officer(acting_user).filter(pk=dispute.pk).exists():
        raise NotFoundForYou
    if not note.strip():
        raise ValidationError(
            {"note": ValidationError(_("Record the reason for the decision."), code="reason_required")}
        )
    dispute.status = Dispute.Status.CORRECTED if corrected else Dispute.Status.REJECTED
    dispute.resolved_by = acting_user
    dispute.resolved_at = timezone.now()
    dispute.resolution = note.strip()
    dispute.save(update_fields=["status", "resolved_by", "resolved_at", "resolution"])
    if corrected and dispute.attribute in MemberFact.Attribute.values:
        value = dispute.claimed_value.lower() in ("yes", "true", "हाँ", "1")
        record_member_fact(
            dispute.member, dispute.attribute, value, department=dispute.department, acting_user=acting_user
        )
    audit.record(
        acting_user, f"scheme.dispute_{dispute.status}", dispute.member, after={"note": dispute.resolution}
    )
    transaction.on_commit(
        lambda: reevaluate_family(dispute.member.family.family_id, trigger="dispute.resolved")
    )
    return dispute


@transaction.atomic
def record_member_fact(
    member: Member, attribute: str, value: bool, *, department: Department | None, acting_user: User | None
) -> MemberFact:
    if attribute not in MemberFact.Attribute.values:
        raise ValidationError({"attribute": ValidationError(_("Unknown input."), code="unknown_attribute")})
    owner = department or Department.objects.get(pk=ATTRIBUTES[attribute].department)
    fact, _created = MemberFact.objects.update_or_create(
        member=member,
        attribute=attribute,
        defaults={"value": value, "department": owner, "recorded_at": timezone.now()},
    )
    audit.record(acting_user, "scheme.fact_recorded", member, after={attribute: value}, source=owner.pk)
    family_id = member.family.family_id
    transaction.on_commit(lambda: reevaluate_family(family_id, trigger=f"fact.{attribute}"))
    return fact
