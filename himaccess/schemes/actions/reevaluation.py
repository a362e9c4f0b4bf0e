"""Eligibility: members re-evaluated against the rules in force, and what a changed outcome sets off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop, override

from himaccess.registry.models import Family, Member
from himaccess.schemes import eligibility
from himaccess.schemes.actions.records import _notify, today
from himaccess.schemes.actions.reviews import open_review
from himaccess.schemes.models import (
    EligibilityDecision,
    Enrolment,
    Offer,
    RuleVersion,
)


def rules_in_force(on: date) -> list[RuleVersion]:
    """The published version in force on ``on`` for every open scheme."""
    chosen: dict[int, RuleVersion] = {}
    versions = (
        RuleVersion.objects.filter(
            status=RuleVersion.Status.PUBLISHED, effective_from__lte=on, scheme__active=True
        )
        .select_related("scheme")
        .order_by("scheme_id", "-effective_from", "-number")
    )
    for version in versions:
        chosen.setdefault(version.scheme_id, version)
    return list(chosen.values())


@dataclass(frozen=True)
class Outcome:
    decision: EligibilityDecision
    changed: bool
    assessment: eligibility.Assessment


def _decide_member(member: Member, *, on: date, trigger: str, versions: list[RuleVersion]) -> list[Outcome]:
    person = eligibility.person_for(member)
    assessments = [eligibility.assess(person, v.scheme, v, on) for v in versions]
    names = {name for a in assessments for name in a.values}
    sources = eligibility.provenance(person, names)
    latest = latest_decisions(member)
    outcomes = []
    for a in assessments:
        inputs = {
            name: {**sources[name], "value": eligibility._jsonable(value)}
            for name, value in sorted(a.values.items())
        }
        decision = EligibilityDecision(
            member=member,
            scheme=a.scheme,
            rule_version=a.version,
            evaluated_on=on,
            eligible=a.eligible,
            monthly_amount=a.monthly_amount,
            inputs=inputs,
            explanation=a.clause.as_dict(),
            trigger=trigger[:40],
        )
        previous = latest.get(a.scheme.pk)
        changed = previous is None or not decision.same_as(previous)
        if changed:
            decision.save()
        else:
            assert previous is not None
            decision = previous
        outcomes.append(Outcome(decision, changed, a))
    return outcomes


def latest_decisions(member: Member) -> dict[int, EligibilityDecision]:
    """The last stored decision for each scheme (by scheme pk): what pages show, without evaluating."""
    found: dict[int, EligibilityDecision] = {}
    decisions = EligibilityDecision.objects.filter(member=member).select_related("scheme")
    for decision in decisions.order_by("-id"):
        found.setdefault(decision.scheme_id, decision)
    return found


def _consequences(member: Member, outcome: Outcome, *, trigger: str) -> None:
    decision, scheme = outcome.decision, outcome.decision.scheme
    live = Enrolment.objects.live().filter(member=member, scheme=scheme).first()
    open_offer = Offer.objects.filter(member=member, scheme=scheme, status=Offer.Status.OPEN).first()
    if decision.eligible:
        if live is None and open_offer is None and scheme.active:
            Offer.objects.create(member=member, scheme=scheme, decision=decision)
            _notify(member, "scheme_offer", scheme)
        return
    if open_offer is not None:
        open_offer.status = Offer.Status.LAPSED
        open_offer.closed_at = timezone.now()
        open_offer.save(update_fields=["status", "closed_at"])
    if live is not None and live.status == Enrolment.Status.SANCTIONED:
        # Kept in English for the audit trail; pages word it afresh in the reader's language.
        with override("en"):
            reason = eligibility.why_not(decision)
        open_review(live, decision=decision, trigger=trigger, reason=reason)


@transaction.atomic
def reevaluate_member(member: Member, *, trigger: str, on: date | None = None) -> list[Outcome]:
    on = on or today()
    member = Member.objects.select_related("family").get(
        pk=member.pk
    )  # as committed, not a caller's stale copy
    if not member.is_living:
        # Stored as the English message; pages translate it for the reader (eligibility.review_reason).
        reason = gettext_noop("The register records that the beneficiary is no longer living in the family.")
        for enrolment in Enrolment.objects.receiving().filter(member=member):
            open_review(enrolment, decision=None, trigger=trigger, reason=reason)
        return []
    outcomes = _decide_member(member, on=on, trigger=trigger, versions=rules_in_force(on))
    for outcome in outcomes:
        _consequences(member, outcome, trigger=trigger)
    return outcomes


@transaction.atomic
def reevaluate_family(
    family_id: str, *, trigger: str, on: date | None = None, member_ids: list[str] | None = None
) -> int:
    """Re-evaluate every member of a family (living, and any just dead or gone); returns members evaluated."""
    family = Family.objects.filter(family_id=family_id).first()
    if family is None:
        return 0
    members = Member.objects.filter(family=family).select_related("family")
    if member_ids:
        members = Member.objects.filter(member_id__in=member_ids).select_related("family") | members
    count = 0
    for member in members.distinct():
        reevaluate_member(member, trigger=trigger, on=on)
        count += 1
    return count
