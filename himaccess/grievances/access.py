"""Whose complaints a person may see and act on; every lookup goes through here.

- A citizen: the complaints they filed or that carry their mobile number.
- A helpline agent: every complaint (they answer callers about any of them).
- An officer: the complaints they hold, and as a supervisor the complaints
  below their rung of a ladder in their area (the queues of their officers).
Anything else is 404, the same answer as for a reference that does not exist.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from himaccess.accounts.models import Level, Posting, Role, User
from himaccess.grievances.models import AREA_COLUMNS, Complaint, LadderLevel
from himaccess.lib import identifiers


def is_agent(user: User) -> bool:
    posting = user.active_posting if user.is_authenticated else None
    return posting is not None and posting.role == Role.HELPLINE_AGENT


def supervised_filter(posting: Posting) -> Q:
    """Complaints below this posting's rung in its area, for every ladder it sits on."""
    rungs = LadderLevel.objects.filter(role=posting.role, area_level=posting.level)
    if posting.department_code:
        rungs = rungs.filter(department_id=posting.department_code)
    area = Q()
    if posting.level != Level.STATE:
        column = AREA_COLUMNS[Level(posting.level)]
        area = Q(**{column: getattr(posting, column)})
    scope = Q(pk__in=[])
    for rung in rungs:
        scope |= Q(department_id=rung.department_id, level__lt=rung.number) & area
    return scope


def visible_complaints(user: User) -> QuerySet[Complaint]:
    if not user.is_authenticated or not user.is_active:
        return Complaint.objects.none()
    posting = user.active_posting
    if posting is not None:
        if posting.role == Role.HELPLINE_AGENT:
            return Complaint.objects.all()
        return Complaint.objects.filter(Q(assignee=user) | supervised_filter(posting))
    if user.is_official:
        return Complaint.objects.none()
    own = Q(filed_by=user)
    if user.mobile:
        own |= Q(complainant_mobile=user.mobile)
    return Complaint.objects.filter(own)


def get_complaint_for(user: User, reference: str) -> Complaint:
    reference = identifiers.normalise(reference)
    complaint = (
        visible_complaints(user)
        .select_related("category", "department", "assignee")
        .filter(reference=reference)
        .first()
    )
    if complaint is None:
        raise Http404
    return complaint


def supervises(user: User, complaint: Complaint) -> bool:
    posting = user.active_posting
    if posting is None or posting.role == Role.HELPLINE_AGENT:
        return False
    return Complaint.objects.filter(supervised_filter(posting), pk=complaint.pk).exists()
