"""Use cases of schemes and benefits: each validates, writes its rows and audit entry in one transaction.

Re-evaluation (``reevaluate_family``) is what life events, corrections, rule
changes and the daily age scan call. It writes a decision only when something
in it changed, offers a scheme to a member who became eligible, and opens a
review (never a stop) for a beneficiary who no longer appears eligible.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from himaccess.accounts.models import Role, User
from himaccess.audit import log as audit
from himaccess.departments.models import Department
from himaccess.lib import identifiers, links
from himaccess.notifications import sms
from himaccess.registry import change_requests
from himaccess.registry.forms import parse_field_value
from himaccess.registry.models import ChangeRequest, Family, IdCounter, Member
from himaccess.schemes import eligibility
from himaccess.schemes.models import (
    DepartmentClient,
    Dispute,
    EligibilityDecision,
    Enrolment,
    EnrolmentStep,
    MemberFact,
    Offer,
    ReviewCase,
    RuleVersion,
    Scheme,
)
from himaccess.schemes.vocabulary import ATTRIBUTES


def today() -> date:
    return timezone.localdate()


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


# ------------------------------------------------------------- notices


def _notify(member: Member, template: str, scheme: Scheme, **params: Any) -> None:
    mobile = member.contact_mobile()
    if not mobile:
        return
    language = sms.language_for(mobile)
    with override(language):
        values = {"name": member.name_in(language), "scheme": scheme.name_in(language), **params}
    values.setdefault("url", links.absolute(reverse("schemes:family", args=[member.family.family_id])))
    sms.send(mobile, template, values, language=language)


# -------------------------------------------------------- re-evaluation


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
        open_review(live, decision=decision, trigger=trigger, reason=eligibility.reason(_clause(decision)))


def _clause(decision: EligibilityDecision) -> Any:
    from himaccess.lib.rules import Clause

    return Clause.from_dict(decision.explanation)


def open_review(
    enrolment: Enrolment, *, decision: EligibilityDecision | None, trigger: str, reason: str
) -> ReviewCase | None:
    """Open a review of a sanctioned benefit (once), and tell the citizen; the benefit continues.

    Once per decision too: an officer who continued the benefit is not asked
    again, nor the citizen told again, until the facts or the rule change
    (a new decision), however often the member is re-evaluated meanwhile.
    """
    reviews = ReviewCase.objects.filter(enrolment=enrolment)
    if reviews.filter(status=ReviewCase.Status.OPEN).exists():
        return None
    if decision is not None and reviews.filter(decision=decision).exists():
        return None
    grace_until = today() + timedelta(days=ReviewCase.GRACE_DAYS)
    review = ReviewCase.objects.create(
        enrolment=enrolment, decision=decision, trigger=trigger[:40], reason=reason, grace_until=grace_until
    )
    audit.record(None, "scheme.review_opened", enrolment, after={"trigger": trigger, "reason": reason})
    _notify(enrolment.member, "scheme_review_notice", enrolment.scheme, date=grace_until.strftime("%d-%m-%Y"))
    return review


@transaction.atomic
def reevaluate_member(member: Member, *, trigger: str, on: date | None = None) -> list[Outcome]:
    on = on or today()
    member = Member.objects.select_related("family").get(
        pk=member.pk
    )  # as committed, not a caller's stale copy
    if not member.is_living:
        for enrolment in Enrolment.objects.receiving().filter(member=member):
            with override("en"):
                reason = _("The register records that the beneficiary is no longer living in the family.")
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


# ------------------------------------------------------------- citizens


def citizen_may_act_for(user: User, member: Member) -> bool:
    return (
        Family.objects.visible_to(user).filter(pk=member.family_id).exists() and user.active_posting is None
    )


def _new_reference() -> str:
    return identifiers.make_id("E", IdCounter.reserve("E"), settings.REGISTER_ID_KEY)


@transaction.atomic
def accept_offer(offer: Offer, *, acting_user: User) -> Enrolment:
    """The citizen accepts with one click: an enrolment is filed for the department's officer."""
    locked = Offer.objects.select_for_update().select_related("member__family", "scheme").get(pk=offer.pk)
    if not citizen_may_act_for(acting_user, locked.member):
        raise PermissionDenied
    if locked.status != Offer.Status.OPEN:
        raise ValidationError(_("This offer is no longer open."), code="offer_closed")
    outcomes = reevaluate_member(locked.member, trigger="offer.accepted")
    current = next((o for o in outcomes if o.decision.scheme_id == locked.scheme_id), None)
    if current is None or not current.decision.eligible:
        raise ValidationError(
            _("You no longer appear eligible for this scheme; see the explanation."), code="not_eligible"
        )
    locked.refresh_from_db()
    locked.status = Offer.Status.ACCEPTED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    enrolment = Enrolment.objects.create(
        reference=_new_reference(),
        member=locked.member,
        scheme=locked.scheme,
        offer=locked,
        monthly_amount=current.decision.monthly_amount,
        filed_by=acting_user,
    )
    EnrolmentStep.objects.create(enrolment=enrolment, to_status=enrolment.status, actor=acting_user)
    audit.record(acting_user, "scheme.enrolment_filed", enrolment, after={"scheme": locked.scheme.scheme_id})
    return enrolment


def can_officiate(user: User, enrolment: Enrolment) -> bool:
    return Enrolment.objects.for_officer(user).filter(pk=enrolment.pk).exists()


def _move(enrolment: Enrolment, to_status: str, *, acting_user: User | None, note: str) -> Enrolment:
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if not locked.can_move_to(to_status):
        raise ValidationError(_("This enrolment has already been decided."), code="already_decided")
    previous = locked.status
    locked.status = to_status
    locked.decided_by = acting_user
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    EnrolmentStep.objects.create(
        enrolment=locked, from_status=previous, to_status=to_status, actor=acting_user, note=note
    )
    audit.record(acting_user, f"scheme.enrolment_{to_status}", locked, after={"note": note})
    return locked


@transaction.atomic
def sanction_enrolment(enrolment: Enrolment, *, acting_user: User, note: str = "") -> Enrolment:
    if not can_officiate(acting_user, enrolment):
        raise PermissionDenied
    scheme = enrolment.scheme
    if scheme.one_per_family:
        others = Enrolment.objects.receiving().filter(
            scheme=scheme, member__family_id=enrolment.member.family_id
        )
        if others.exclude(pk=enrolment.pk).exists():
            raise ValidationError(
                _("Another member of this family already receives this scheme (one per family)."),
                code="one_per_family",
            )
    sanctioned = _move(enrolment, Enrolment.Status.SANCTIONED, acting_user=acting_user, note=note)
    _notify(sanctioned.member, "scheme_enrolment_decided", scheme, reference=sanctioned.reference)
    return sanctioned


@transaction.atomic
def reject_enrolment(enrolment: Enrolment, *, reason: str, acting_user: User) -> Enrolment:
    if not can_officiate(acting_user, enrolment):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(
            {"note": ValidationError(_("Give the reason for rejecting."), code="reason_required")}
        )
    rejected = _move(enrolment, Enrolment.Status.REJECTED, acting_user=acting_user, note=reason.strip())
    _notify(rejected.member, "scheme_enrolment_decided", rejected.scheme, reference=rejected.reference)
    return rejected


@transaction.atomic
def decide_review(review: ReviewCase, *, stop: bool, note: str, acting_user: User) -> ReviewCase:
    """An officer continues or stops a benefit under review; stopping waits for the grace period."""
    locked = ReviewCase.objects.select_for_update().select_related("enrolment").get(pk=review.pk)
    if not can_officiate(acting_user, locked.enrolment):
        raise PermissionDenied
    if locked.status != ReviewCase.Status.OPEN:
        raise ValidationError(_("This review has already been decided."), code="already_decided")
    if not note.strip():
        raise ValidationError(
            {"note": ValidationError(_("Record the reason for the decision."), code="reason_required")}
        )
    if stop and today() <= locked.grace_until:
        raise ValidationError(
            _("The citizen has until %(date)s to respond; the benefit cannot be stopped before then.")
            % {"date": locked.grace_until.strftime("%d-%m-%Y")},
            code="grace_period",
        )
    locked.status = ReviewCase.Status.STOPPED if stop else ReviewCase.Status.CONTINUED
    locked.decided_by = acting_user
    locked.decided_at = timezone.now()
    locked.note = note.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit.record(acting_user, f"scheme.review_{locked.status}", locked.enrolment, after={"note": locked.note})
    if stop:
        _move(locked.enrolment, Enrolment.Status.STOPPED, acting_user=acting_user, note=locked.note)
    _notify(
        locked.enrolment.member,
        "scheme_enrolment_decided",
        locked.enrolment.scheme,
        reference=locked.enrolment.reference,
    )
    return locked


# -------------------------------------------------------------- disputes


@transaction.atomic
def file_dispute(
    member: Member, scheme: Scheme, attribute: str, *, claimed_value: str, note: str, acting_user: User
) -> Dispute:
    """Route a disputed input to its owner: a register correction request, or the owning department."""
    if not citizen_may_act_for(acting_user, member):
        raise PermissionDenied
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
        change_request = change_requests.file_change_request(
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
        raise PermissionDenied
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


# ---------------------------------------------------------------- rules


def _check_rule_parts(rule: Any, bands: Any) -> None:
    from himaccess.lib.rules import InvalidRule
    from himaccess.schemes import vocabulary

    errors: dict[str, list[str]] = {}
    try:
        vocabulary.validate(rule)
    except InvalidRule as exc:
        errors["rule"] = [str(e) for e in exc.errors]
    if not isinstance(bands, list):
        errors["bands"] = [_("Amount bands must be a list.")]
    else:
        for index, band in enumerate(bands):
            where = f"[{index}]"
            if (
                not isinstance(band, dict)
                or set(band) - {"when", "amount", "label_en", "label_hi"}
                or "when" not in band
            ):
                errors.setdefault("bands", []).append(
                    _("%(where)s: a band has when, amount, label_en and label_hi.") % {"where": where}
                )
                continue
            amount = band.get("amount")
            if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= 10_000_000:
                errors.setdefault("bands", []).append(
                    _("%(where)s.amount: a whole number of rupees between 0 and 1,00,00,000.")
                    % {"where": where}
                )
            try:
                vocabulary.validate(band["when"])
            except InvalidRule as exc:
                errors.setdefault("bands", []).extend(
                    f"{where}.when.{e}" if e.position else f"{where}.when: {e.message}" for e in exc.errors
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_draft(
    scheme: Scheme,
    *,
    rule: Any,
    bands: Any,
    effective_from: date,
    choice_note_en: str,
    choice_note_hi: str,
    acting_user: User,
) -> RuleVersion:
    """A new draft version, refused with positioned errors if the rule or a band is invalid."""
    _check_rule_parts(rule, bands)
    if not choice_note_en.strip():
        raise ValidationError({"choice_note_en": _("Say which source this version follows and why.")})
    number = (scheme.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = RuleVersion.objects.create(
        scheme=scheme,
        number=number,
        effective_from=effective_from,
        rule=rule,
        bands=bands,
        choice_note_en=choice_note_en.strip(),
        choice_note_hi=choice_note_hi.strip(),
        created_by=acting_user,
    )
    audit.record(acting_user, "scheme.rule_drafted", version, after={"number": number})
    return version


@transaction.atomic
def publish(version: RuleVersion, *, acting_user: User) -> RuleVersion:
    """Publish a draft; beneficiaries it makes ineligible get a review, never a stop."""
    locked = RuleVersion.objects.select_for_update().select_related("scheme").get(pk=version.pk)
    if locked.status != RuleVersion.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."), code="not_draft")
    locked.status = RuleVersion.Status.PUBLISHED
    locked.published_by = acting_user
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_by", "published_at"])
    audit.record(acting_user, "scheme.rule_published", locked, after={"number": locked.number})
    from himaccess.schemes.tasks import follow_rule_change

    version_pk = locked.pk
    transaction.on_commit(lambda: follow_rule_change.delay(version_pk))
    return locked


# ---------------------------------------------------------- departments


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_department_client(
    name: str, department: Department, *, acting_user: User | None
) -> tuple[DepartmentClient, str]:
    """A new ledger client; returns it with its bearer token, which is never stored or shown again."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    client = DepartmentClient.objects.create(
        name=name, department=department, key_id=key_id, secret_hash=hash_secret(secret)
    )
    audit.record(acting_user, "scheme.client_created", client, after={"department": department.pk})
    return client, f"{key_id}.{secret}"


def authenticate_client(token: str) -> DepartmentClient | None:
    key_id, _dot, secret = token.partition(".")
    if not key_id or not secret:
        return None
    client = DepartmentClient.objects.filter(key_id=key_id, active=True).select_related("department").first()
    if client is None or not secrets.compare_digest(client.secret_hash, hash_secret(secret)):
        return None
    return client
