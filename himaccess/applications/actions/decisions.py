"""Officers' decisions at each stage, and flagging applications past their time limit."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import Posting, User
from himaccess.applications.actions.issuing import issue_certificate
from himaccess.applications.actions.records import _lock, _notify, _step
from himaccess.applications.models import (
    TRANSITIONS,
    Action,
    Application,
    RejectionReason,
    Status,
)
from himaccess.audit import log as audit
from himaccess.events.bus import emit
from himaccess.lib import transitions
from himaccess.lib.errors import Conflict, NotAllowed


def _check_official(application: Application, posting: Posting | None) -> Posting:
    if posting is None or application.stage_role != posting.role:
        raise NotAllowed(_("This application is not at a stage you act on."))
    if application.stage_department and application.stage_department != posting.department_code:
        raise NotAllowed(_("This application is not at a stage you act on."))
    if not Application.objects.filter(pk=application.pk).in_jurisdiction(posting).exists():
        raise NotAllowed(_("This application is not at a stage you act on."))
    return posting


_SMS_FOR: dict[str, str] = {
    Action.VERIFY: "service_moved",
    Action.FORWARD: "service_moved",
    Action.RETURN: "service_returned",
    Action.APPROVE: "service_approved",
    Action.REJECT: "service_rejected",
}


@transaction.atomic
def act(
    application: Application,
    action: str,
    *,
    acting_user: User,
    expected_version: int,
    reason: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> Application:
    """An official's move at the current stage: verify, forward, return, approve or reject."""
    application = _lock(application)
    if application.version != expected_version:
        raise Conflict(
            _(
                "Another official acted on this application while you were looking at it. "
                "Nothing was changed: see its current state and decide again."
            )
        )
    posting = _check_official(application, acting_user.active_posting)
    if action not in application.allowed_official_actions():
        raise NotAllowed(_("That action is not allowed at the application's current stage."))
    note = note.strip()
    if action == Action.REJECT and reason not in RejectionReason.values:
        raise NotAllowed(_("Choose the reason for rejection."))
    if action == Action.REJECT and reason == RejectionReason.OTHER and not note:
        raise NotAllowed(_("Explain the reason for rejection."))
    if action == Action.RETURN and not note:
        raise NotAllowed(_("Say what the citizen should correct."))
    now = timezone.now()
    from_stage = application.stage
    changes: dict[str, object] = {"version": application.version + 1}
    if action in (Action.VERIFY, Action.FORWARD):
        stages = application.service_version.stages
        index = next(i for i, s in enumerate(stages) if s["stage"] == application.stage)
        following = stages[index + 1]
        changes |= {
            "stage": following["stage"],
            "stage_role": following["role"],
            "stage_department": following.get("department", ""),
        }
    if action in (Action.APPROVE, Action.REJECT):
        changes["decided_at"] = now
    starts_from, to_status = TRANSITIONS[action]

    def then(from_status: str) -> None:
        if action == Action.APPROVE and application.service_version.issues_certificate:
            issue_certificate(application, acting_user=acting_user, posting=posting)
        _notify(application, _SMS_FOR[action])
        if action in (Action.APPROVE, Action.REJECT):
            emit(
                "application.decided",
                number=application.number,
                service=application.service_id,
                family_id=application.family.family_id,
                member_id=application.member.member_id,
                outcome=application.status,
                within_time=application.due_at is None or now <= application.due_at,
            )

    transitions.move(
        application,
        to_status,
        transitions={status: to_status for status in starts_from},
        refused=lambda: NotAllowed(_("That action is not allowed at the application's current stage.")),
        changes=changes,
        step=lambda from_status: _step(
            application,
            action,
            actor=acting_user,
            from_status=from_status,
            from_stage=from_stage,
            reason=reason if action == Action.REJECT else "",
            note=note,
            at=now,
        ),
        then=then,
        # Last, so the audit chain's head stays locked for the shortest time.
        audit=lambda from_status: audit.record(
            acting_user,
            f"application.{action}",
            application,
            before={"status": from_status, "stage": from_stage},
            after={"status": application.status, "stage": application.stage, "reason": reason},
            request=request,
        ),
    )
    return application


def flag_overdue(now: datetime | None = None) -> int:
    """Mark pending applications past their time limit (once each) and tell the citizen they may appeal."""
    now = now or timezone.now()
    flagged = 0
    candidates = Application.objects.filter(status=Status.PENDING, due_at__lt=now, overdue_at__isnull=True)
    for pk in candidates.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            application = (
                Application.objects.select_for_update().filter(pk=pk, overdue_at__isnull=True).first()
            )
            if application is None or not application.is_overdue(now):
                continue
            application.overdue_at = now
            application.save(update_fields=["overdue_at"])
            _step(
                application,
                Action.OVERDUE,
                actor=None,
                from_status=application.status,
                from_stage=application.stage,
                at=now,
            )
            if application.service_version.appeal(1):
                _notify(application, "service_overdue")
            audit.record(None, "application.overdue", application, after={"due_at": application.due_at})
            flagged += 1
    return flagged
