"""An official's work page: what waits for them across the product, with counts and what is late.

It sits above every feature app (like ``urls``) and only reads each app's own
"what does this official have to do" querysets, so each count is exactly the
queue the link opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import Role, User
from himaccess.applications.access import appeals_awaiting
from himaccess.applications.models import Application
from himaccess.cards.models import PrintRequest, PrintStatus
from himaccess.grievances.access import is_agent, supervised_filter
from himaccess.grievances.models import Complaint
from himaccess.registry.models import ChangeRequest
from himaccess.schemes.actions.disputes import disputes_for_officer
from himaccess.schemes.models import Enrolment, ReviewCase

SCHEME_OFFICERS = (Role.DEPARTMENT_OFFICER, Role.DISTRICT_WELFARE_OFFICER)


@dataclass(frozen=True)
class Queue:
    title: str | Promise
    url: str
    waiting: int
    overdue: int = 0
    note: str | Promise = ""


def _waiting(queryset: QuerySet[Any], now: datetime) -> tuple[int, int]:
    """How many wait, and how many of them are past their due time."""
    counts = queryset.aggregate(n=Count("id"), late=Count("id", filter=Q(due_at__lte=now)))
    return counts["n"], counts["late"]


def queues_for(user: User) -> list[Queue]:
    """The queues this official's posting works, in the order a working day takes them."""
    posting = user.active_posting
    if posting is None:
        return []
    now = timezone.now()
    if is_agent(user):
        return [Queue(_("Helpline console"), reverse("grievances:console"), 0, note=_("Take a call"))]
    if posting.role == Role.LOK_MITRA_OPERATOR:
        assisted = reverse("applications:assisted")
        return [Queue(_("Apply for a resident"), assisted, 0, note=_("With their consent"))]
    applications = reverse("applications:queue")
    complaints = reverse("grievances:queue")
    queues = [
        Queue(
            _("Applications to decide"), applications, *_waiting(Application.objects.awaiting(posting), now)
        )
    ]
    appeals = _waiting(appeals_awaiting(user), now)
    if appeals[0]:
        queues.append(Queue(_("Appeals to decide"), applications, *appeals))
    queues.append(
        Queue(
            _("Change requests"),
            reverse("registry:queue"),
            ChangeRequest.objects.visible_to(user).pending().count(),
        )
    )
    mine = _waiting(Complaint.objects.open().filter(assignee=user), now)
    queues.append(Queue(_("Complaints assigned to you"), complaints, *mine))
    team = _waiting(Complaint.objects.open().filter(supervised_filter(posting)).exclude(assignee=user), now)
    if team[0]:
        queues.append(Queue(_("Complaints of officers below you"), complaints, *team))
    if posting.role in SCHEME_OFFICERS:
        enrolments = Enrolment.objects.for_officer(user)
        work = (
            enrolments.filter(status=Enrolment.Status.FILED).count()
            + ReviewCase.objects.filter(enrolment__in=enrolments, status=ReviewCase.Status.OPEN).count()
            + disputes_for_officer(user).count()
        )
        queues.append(Queue(_("Scheme enrolments and reviews"), reverse("schemes:queue"), work))
    printing = PrintRequest.objects.visible_to(user).filter(status=PrintStatus.REQUESTED).count()
    queues.append(Queue(_("Cards to print"), reverse("cards:print_queue"), printing))
    return queues
