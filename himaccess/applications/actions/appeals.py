"""Appeals against a refusal or a missed time limit, and their decision."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import User
from himaccess.applications.actions.records import _lock, _notify, _step
from himaccess.applications.models import (
    Action,
    Appeal,
    AppealStatus,
    Application,
    Status,
)
from himaccess.audit import log as audit
from himaccess.catalog.working_time import due_after
from himaccess.lib.errors import Conflict, NotAllowed

# The Act gives 30 days to appeal after a refusal or after the time limit ran out.
APPEAL_WINDOW_DAYS = 30


def appeal_open(application: Application, now: datetime | None = None) -> int:
    """The level of appeal the citizen may file now (1 or 2), or 0."""
    now = now or timezone.now()
    version = application.service_version
    if application.status in (Status.DRAFT, Status.APPROVED, Status.RETURNED):
        return 0
    appeals = list(application.appeals.all())
    if not appeals:
        if version.appeal(1) is None:
            return 0
        if application.status == Status.REJECTED and application.decided_at:
            opened = application.decided_at
        elif application.is_overdue(now):
            opened = application.due_at  # type: ignore[assignment]
        else:
            return 0
        return 1 if now <= opened + timedelta(days=APPEAL_WINDOW_DAYS) else 0
    first = appeals[0]
    if len(appeals) > 1 or version.appeal(2) is None:
        return 0
    if first.status == AppealStatus.DISMISSED and first.decided_at:
        return 2 if now <= first.decided_at + timedelta(days=APPEAL_WINDOW_DAYS) else 0
    if first.is_overdue(now):
        return 2 if now <= first.due_at + timedelta(days=APPEAL_WINDOW_DAYS) else 0
    return 0


@transaction.atomic
def file_appeal(application: Application, grounds: str, *, acting_user: User) -> Appeal:
    application = _lock(application)
    level = appeal_open(application)
    if not level:
        raise NotAllowed(_("An appeal cannot be filed on this application now."))
    if not grounds.strip():
        raise NotAllowed(_("Write the grounds of your appeal."))
    authority = application.service_version.appeal(level)
    assert authority is not None
    now = timezone.now()
    appeal = Appeal.objects.create(
        application=application,
        level=level,
        authority_role=authority["role"],
        grounds=grounds.strip(),
        filed_by=acting_user,
        filed_at=now,
        due_at=due_after(now, int(authority["time_limit_hours"])),
    )
    application.version += 1
    application.save(update_fields=["version"])
    _step(
        application,
        Action.APPEAL,
        actor=acting_user,
        from_status=application.status,
        from_stage=application.stage,
        note=grounds.strip(),
        at=now,
    )
    _notify(application, "service_appeal_filed", level=level)
    audit.record(
        acting_user, "application.appeal", application, after={"level": level, "authority": authority["role"]}
    )
    return appeal


@transaction.atomic
def decide_appeal(
    appeal: Appeal, outcome: str, note: str, *, acting_user: User, expected_version: int
) -> Appeal:
    """The appellate authority allows the appeal (service within a fresh time limit) or dismisses it."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    application = _lock(appeal.application)
    posting = acting_user.active_posting
    in_area = (
        posting is not None
        and Application.objects.filter(pk=application.pk).in_jurisdiction(posting).exists()
    )
    if posting is None or posting.role != appeal.authority_role or not in_area:
        raise NotAllowed(_("This appeal is not yours to decide."))
    if appeal.version != expected_version:
        raise Conflict(
            _("Another official decided this appeal while you were looking at it. Nothing was changed.")
        )
    if appeal.status != AppealStatus.PENDING:
        raise NotAllowed(_("This appeal has already been decided."))
    if outcome not in (AppealStatus.ALLOWED, AppealStatus.DISMISSED):
        raise NotAllowed(_("Choose whether the appeal is allowed or dismissed."))
    if not note.strip():
        raise NotAllowed(_("Write the order on the appeal."))
    now = timezone.now()
    appeal.status = outcome
    appeal.decided_by = acting_user
    appeal.decided_at = now
    appeal.decision_note = note.strip()
    appeal.version += 1
    appeal.save()
    from_status, from_stage = application.status, application.stage
    if outcome == AppealStatus.ALLOWED:
        # The designated officer must now provide the service within a fresh time limit.
        last = application.service_version.stages[-1]
        application.status = Status.PENDING
        application.stage, application.stage_role = last["stage"], last["role"]
        application.stage_department = last.get("department", "")
        application.due_at = due_after(now, application.service_version.time_limit_hours)
        application.overdue_at = None
        application.decided_at = None
    application.version += 1
    application.save()
    action = Action.APPEAL_ALLOWED if outcome == AppealStatus.ALLOWED else Action.APPEAL_DISMISSED
    _step(
        application,
        action,
        actor=acting_user,
        from_status=from_status,
        from_stage=from_stage,
        note=note.strip(),
        at=now,
    )
    _notify(application, "service_appeal_decided", level=appeal.level)
    audit.record(
        acting_user, f"application.{action}", application, after={"level": appeal.level, "outcome": outcome}
    )
    return appeal
