"""What people do with complaints. Each function validates, changes the
complaint, appends its ``ComplaintStep`` and audit row in one transaction,
and sends its SMS after commit (``notifications.sms.send`` queues on commit).

Who may call which function is checked here, not only in views: an
official acting outside their jurisdiction gets ``NotFoundForYou`` (a 404) and
nothing changes. ``ValidationError`` carries a message for the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from himaccess.accounts.language import language_for
from himaccess.accounts.models import Role, User
from himaccess.audit import log as audit
from himaccess.audit.redaction import mask_aadhaar_numbers
from himaccess.departments.models import Department
from himaccess.events import bus as events
from himaccess.grievances import confirmation, routing
from himaccess.grievances.access import supervises
from himaccess.grievances.models import (
    COMPLAINT_PREFIX,
    DESCRIPTION_MAX,
    SUGGESTION_PREFIX,
    Category,
    Channel,
    Complaint,
    ComplaintStep,
    Suggestion,
)
from himaccess.lib import identifiers, links, transitions
from himaccess.lib.errors import NotFoundForYou
from himaccess.lib.mobile import is_mobile
from himaccess.notifications import sms
from himaccess.registry.models import IdCounter, Member


@dataclass(frozen=True)
class Filing:
    complaint: Complaint
    # True when the call was linked to an open complaint instead of opening one.
    repeat: bool


def _site(path: str) -> str:
    return links.absolute(path)


def _track_url(complaint: Complaint) -> str:
    return _site(reverse("grievances:track") + f"?reference={complaint.reference}")


def clean_description(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Describe the complaint."), code="description_empty")
    if len(text) > DESCRIPTION_MAX:
        raise ValidationError(
            _("The description is too long: at most %(limit)d characters.") % {"limit": DESCRIPTION_MAX},
            code="description_long",
        )
    # People type their Aadhaar number into complaints; only the vault may hold one.
    return mask_aadhaar_numbers(text)


def clean_mobile(mobile: str) -> str:
    mobile = (mobile or "").strip()
    if not is_mobile(mobile):
        raise ValidationError(_("Enter a ten-digit Indian mobile number."), code="mobile")
    return mobile


def fileable_category(code: str) -> Category:
    category = (
        Category.objects.select_related("department")
        .filter(code=code, active=True, children__isnull=True)
        .first()
    )
    if category is None:
        raise ValidationError(_("There is no such complaint category."), code="category")
    return category


def known_member(mobile: str) -> Member | None:
    """The living register member with this mobile, if exactly one."""
    members = list(Member.objects.living().filter(mobile=mobile).select_related("family")[:2])
    return members[0] if len(members) == 1 else None


def _notify_officer(complaint: Complaint) -> None:
    officer = complaint.assignee
    if officer is not None and is_mobile(officer.mobile):
        due = timezone.localtime(complaint.due_at).strftime("%d-%m-%Y %H:%M")
        url = _site(reverse("grievances:queue"))
        sms.send(
            officer.mobile,
            "grievance_assigned",
            {"reference": complaint.reference, "due": due, "url": url},
            language=language_for(officer.mobile),
        )


def _routing_reason(route: routing.Route) -> str:
    if route.officer is None:
        return gettext_noop("no officer is posted on any level of the ladder for this place")
    if route.routed_up:
        return gettext_noop(
            "no officer is posted on the lower level for this place: sent to the next level up"
        )
    return ""


@transaction.atomic
def file_complaint(
    *,
    category: Category,
    description: str,
    mobile: str,
    place: routing.Place,
    channel: str,
    name: str = "",
    member: Member | None = None,
    acting_user: User | None,
) -> Filing:
    """Register a complaint, or link a repeat call to the open one.

    1. Validate the text and the number.
    2. The same caller, category and place within the duplicate window,
       still open or awaiting an answer: record a ``repeat`` step on it.
    3. Otherwise route it (``routing.route``), reserve a reference number,
       save it with its ``filed`` step and an audit row, and tell the caller
       the reference by SMS and the officer by SMS.
    """
    description = clean_description(description)
    mobile = clean_mobile(mobile)
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."), code="channel")
    now = timezone.now()
    same_place = {f"{field}": value for field, value in place.columns().items() if field != "village"}
    earlier = (
        Complaint.objects.select_for_update()
        .filter(
            complainant_mobile=mobile,
            category=category,
            created_at__gte=now - timedelta(hours=settings.GRIEVANCE_DUPLICATE_HOURS),
            status__in=[Complaint.Status.OPEN, Complaint.Status.RESOLVED],
            **same_place,
        )
        .order_by("-created_at")
        .first()
    )
    if earlier is not None:
        ComplaintStep.objects.create(
            complaint=earlier,
            kind=ComplaintStep.Kind.REPEAT,
            actor=acting_user,
            channel=channel,
            reason=description,
        )
        # A repeat call changes the complaint's record (a step): it leaves its audit row like any other.
        audit.record(acting_user, "complaint.repeated", earlier, after={"channel": channel})
        sms.send(
            mobile,
            "grievance_repeat",
            {"reference": earlier.reference, "url": _track_url(earlier)},
            language=language_for(mobile),
        )
        return Filing(earlier, True)

    route = routing.route(category, place)
    reference = identifiers.make_id(
        COMPLAINT_PREFIX, IdCounter.reserve(COMPLAINT_PREFIX), settings.REGISTER_ID_KEY
    )
    sla_due = now + timedelta(days=category.time_limit_days)
    complaint = Complaint.objects.create(
        reference=reference,
        channel=channel,
        category=category,
        department_id=category.department_id,
        description=description,
        complainant_name=name.strip()[:100],
        complainant_mobile=mobile,
        member=member,
        filed_by=acting_user,
        status=Complaint.Status.OPEN,
        level=route.rung.number,
        assignee=route.officer,
        routed_up=route.routed_up,
        created_at=now,
        sla_due_at=sla_due,
        due_at=sla_due,
        **place.columns(),
    )
    ComplaintStep.objects.create(
        complaint=complaint,
        kind=ComplaintStep.Kind.FILED,
        at=now,
        actor=acting_user,
        channel=channel,
        to_level=route.rung.number,
        to_officer=route.officer,
        reason=_routing_reason(route),
    )
    audit.record(
        acting_user, "complaint.filed", complaint, after={"category": category.code, "channel": channel}
    )
    events.emit("complaint.filed", reference=reference, department=category.department_id)
    sms.send(
        mobile,
        "grievance_registered",
        {"reference": reference, "url": _track_url(complaint)},
        language=language_for(mobile),
    )
    _notify_officer(complaint)
    return Filing(complaint, False)


@transaction.atomic
def record_suggestion(
    *,
    kind: str,
    department_code: str,
    text: str,
    mobile: str,
    place: routing.Place,
    channel: str,
    acting_user: User | None,
) -> Suggestion:
    if kind not in Suggestion.Kind.values:
        raise ValidationError(_("Choose suggestion or demand."), code="kind")
    if not Department.objects.filter(code=department_code).exists():
        raise ValidationError(_("There is no such department."), code="department")
    reference = identifiers.make_id(
        SUGGESTION_PREFIX, IdCounter.reserve(SUGGESTION_PREFIX), settings.REGISTER_ID_KEY
    )
    suggestion = Suggestion.objects.create(
        reference=reference,
        kind=kind,
        channel=channel,
        department_id=department_code,
        text=clean_description(text),
        mobile=clean_mobile(mobile),
        district=place.district,
        filed_by=acting_user,
    )
    audit.record(
        acting_user, "suggestion.recorded", suggestion, after={"kind": kind, "department": department_code}
    )
    sms.send(
        suggestion.mobile,
        "suggestion_recorded",
        {"reference": reference},
        language=language_for(suggestion.mobile),
    )
    return suggestion


def _wrong_stage() -> ValidationError:
    return ValidationError(_("This cannot be done at the complaint's present stage."), code="stage")


def _locked(complaint: Complaint) -> Complaint:
    return transitions.lock(complaint, "category", "department")


def _require_assignee(complaint: Complaint, user: User) -> None:
    if complaint.assignee_id != user.pk or user.active_posting is None:
        raise NotFoundForYou("not the officer holding this complaint")


@transaction.atomic
def record_action(complaint: Complaint, *, note: str, acting_user: User) -> Complaint:
    """The holding officer notes what was done (the first such note is the first action)."""
    complaint = _locked(complaint)
    _require_assignee(complaint, acting_user)
    if complaint.status != Complaint.Status.OPEN:
        raise ValidationError(_("This cannot be done at the complaint's present stage."), code="stage")
    note = clean_description(note)
    now = timezone.now()
    if complaint.first_action_at is None:
        complaint.first_action_at = now
        complaint.save(update_fields=["first_action_at"])
    ComplaintStep.objects.create(
        complaint=complaint, kind=ComplaintStep.Kind.NOTE, at=now, actor=acting_user, reason=note
    )
    audit.record(acting_user, "complaint.action", complaint)
    return complaint


@transaction.atomic
def resolve(
    complaint: Complaint, *, note: str, acting_user: User, attachment: UploadedFile | None = None
) -> Complaint:
    """The holding officer resolves; the complainant is asked to confirm or reject by SMS link."""
    complaint = _locked(complaint)
    _require_assignee(complaint, acting_user)
    if not transitions.may_follow(Complaint.TRANSITIONS, complaint.status, Complaint.Status.RESOLVED):
        raise _wrong_stage()  # before the attachment is stored
    note = clean_description(note)
    now = timezone.now()
    complaint.resolution_round += 1
    if attachment is not None:
        complaint.resolution_attachment.save(
            f"{complaint.reference}-{complaint.resolution_round}", attachment, save=False
        )
    transitions.move(
        complaint,
        Complaint.Status.RESOLVED,
        transitions=Complaint.TRANSITIONS,
        refused=_wrong_stage,
        changes={
            "resolved_at": now,
            "resolution_note": note,
            "confirm_by": now + timedelta(days=settings.GRIEVANCE_CONFIRM_DAYS),
            "first_action_at": complaint.first_action_at or now,
        },
        also_saved=("resolution_round", "resolution_attachment"),
        step=lambda previous: ComplaintStep.objects.create(
            complaint=complaint, kind=ComplaintStep.Kind.RESOLVED, at=now, actor=acting_user, reason=note
        ),
        audit=lambda previous: audit.record(acting_user, "complaint.resolved", complaint),
    )
    sms.send(
        complaint.complainant_mobile,
        "grievance_resolved",
        {
            "reference": complaint.reference,
            "days": settings.GRIEVANCE_CONFIRM_DAYS,
            "url": confirmation.url_for(complaint),
        },
        language=language_for(complaint.complainant_mobile),
    )
    return complaint


def _may_answer(complaint: Complaint, user: User | None, channel: str) -> None:
    """The complainant answers on the site or by link; a helpline agent records a callback."""
    if channel == Channel.HELPLINE:
        posting = user.active_posting if user is not None else None
        if posting is None or posting.role != Role.HELPLINE_AGENT:
            raise NotFoundForYou("only a helpline agent records a callback")
    elif user is not None and user.is_authenticated and not complaint.is_complainant(user):
        raise NotFoundForYou("not the complainant")


@transaction.atomic
def confirm_resolution(complaint: Complaint, *, acting_user: User | None, channel: str) -> Complaint:
    """The complainant accepts the resolution: the complaint closes.

    ``acting_user`` is None when the answer came through the signed SMS link.
    """
    complaint = _locked(complaint)
    _may_answer(complaint, acting_user, channel)
    now = timezone.now()
    transitions.move(
        complaint,
        Complaint.Status.CLOSED,
        transitions=Complaint.TRANSITIONS,
        refused=lambda: ValidationError(_("This complaint is not awaiting your answer."), code="stage"),
        changes={"closed_at": now, "closed_how": Complaint.ClosedHow.CONFIRMED},
        step=lambda previous: ComplaintStep.objects.create(
            complaint=complaint, kind=ComplaintStep.Kind.CONFIRMED, at=now, actor=acting_user, channel=channel
        ),
        audit=lambda previous: audit.record(
            acting_user, "complaint.confirmed", complaint, after={"channel": channel}
        ),
    )
    sms.send(
        complaint.complainant_mobile,
        "grievance_closed",
        {
            "reference": complaint.reference,
            "days": settings.GRIEVANCE_REOPEN_DAYS,
            "url": _track_url(complaint),
        },
        language=language_for(complaint.complainant_mobile),
    )
    return complaint


def _reopen_higher(
    complaint: Complaint, *, kind: str, reason: str, acting_user: User | None, channel: str
) -> None:
    """Send the complaint back to work one level above where it was resolved."""
    place = routing.Place(
        complaint.district, complaint.tehsil, complaint.block, complaint.panchayat, complaint.urban_body
    )
    route = routing.route(complaint.category, place, from_number=complaint.level + 1)
    now = timezone.now()
    step = ComplaintStep(
        complaint=complaint,
        kind=kind,
        at=now,
        actor=acting_user,
        channel=channel,
        from_level=complaint.level,
        to_level=route.rung.number,
        from_officer_id=complaint.assignee_id,
        to_officer=route.officer,
        reason=reason,
    )
    complaint.status = Complaint.Status.OPEN
    complaint.level = route.rung.number
    complaint.assignee = route.officer
    complaint.routed_up = route.routed_up
    complaint.due_at = now + timedelta(hours=route.rung.hours)
    complaint.confirm_by = None
    complaint.closed_at = None
    complaint.closed_how = ""
    complaint.reopen_count += 1
    complaint.save()
    step.save()
    _notify_officer(complaint)


@transaction.atomic
def reject_resolution(
    complaint: Complaint, *, reason: str, acting_user: User | None, channel: str
) -> Complaint:
    """The complainant says it is not resolved: it reopens at the next level."""
    complaint = _locked(complaint)
    _may_answer(complaint, acting_user, channel)
    if complaint.status != Complaint.Status.RESOLVED:
        raise ValidationError(_("This complaint is not awaiting your answer."), code="stage")
    reason = clean_description(reason)
    _reopen_higher(
        complaint, kind=ComplaintStep.Kind.REJECTED, reason=reason, acting_user=acting_user, channel=channel
    )
    audit.record(
        acting_user, "complaint.rejected", complaint, after={"channel": channel, "level": complaint.level}
    )
    return complaint


@transaction.atomic
def reopen(complaint: Complaint, *, reason: str, acting_user: User) -> Complaint:
    """The complainant reopens a closed complaint within the reopen window."""
    complaint = _locked(complaint)
    if not complaint.is_complainant(acting_user):
        raise NotFoundForYou("not the complainant")
    if not complaint.can_reopen():
        raise ValidationError(_("This complaint can no longer be reopened."), code="reopen_window")
    reason = clean_description(reason)
    _reopen_higher(
        complaint,
        kind=ComplaintStep.Kind.REOPENED,
        reason=reason,
        acting_user=acting_user,
        channel=Channel.WEB,
    )
    audit.record(acting_user, "complaint.reopened", complaint, after={"level": complaint.level})
    return complaint


@transaction.atomic
def rate(complaint: Complaint, *, rating: int, acting_user: User) -> Complaint:
    complaint = _locked(complaint)
    if not complaint.is_complainant(acting_user):
        raise NotFoundForYou("not the complainant")
    if complaint.status != Complaint.Status.CLOSED:
        raise ValidationError(_("A complaint can be rated once it is closed."), code="stage")
    if not 1 <= rating <= 5:
        raise ValidationError(_("Choose a rating from 1 to 5."), code="rating")
    complaint.rating = rating
    complaint.save(update_fields=["rating"])
    ComplaintStep.objects.create(
        complaint=complaint,
        kind=ComplaintStep.Kind.RATED,
        actor=acting_user,
        reason=str(rating),
        channel=Channel.WEB,
    )
    audit.record(acting_user, "complaint.rated", complaint, after={"rating": rating})
    return complaint


@transaction.atomic
def reassign(complaint: Complaint, *, to: User, reason: str, acting_user: User) -> Complaint:
    """A supervisor hands an open complaint to another officer of the place, with a reason."""

    complaint = _locked(complaint)
    if not supervises(acting_user, complaint):
        raise NotFoundForYou("not a supervisor of this complaint")
    if complaint.status != Complaint.Status.OPEN:
        raise ValidationError(_("This cannot be done at the complaint's present stage."), code="stage")
    reason = clean_description(reason)
    posting = to.active_posting
    place = routing.Place(
        complaint.district, complaint.tehsil, complaint.block, complaint.panchayat, complaint.urban_body
    )
    if (
        posting is None
        or not routing.officer_covers(posting, place)
        or posting.department_code not in ("", complaint.department_id)
    ):
        raise ValidationError(
            _("Choose an officer posted in this complaint's area and department."), code="officer"
        )
    now = timezone.now()
    ComplaintStep.objects.create(
        complaint=complaint,
        kind=ComplaintStep.Kind.REASSIGNED,
        at=now,
        actor=acting_user,
        from_level=complaint.level,
        to_level=complaint.level,
        from_officer_id=complaint.assignee_id,
        to_officer=to,
        reason=reason,
    )
    complaint.assignee = to
    complaint.routed_up = False
    complaint.save(update_fields=["assignee", "routed_up"])
    audit.record(acting_user, "complaint.reassigned", complaint, after={"to": to.pk, "reason": reason})
    _notify_officer(complaint)
    return complaint
