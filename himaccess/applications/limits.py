"""Daily caps on what one citizen starts and submits, counted in the database.

A citizen's account starts at most ``SERVICES_DRAFTS_PER_DAY`` drafts and
submits at most ``SERVICES_SUBMISSIONS_PER_DAY`` applications in a calendar
day (Asia/Kolkata). The counts are rows already written (the drafts started,
the submission steps), read after locking the citizen's own row, so every web
process sees the same count and two requests at once cannot both take the
last place. Past a cap the caller gets ``DailyLimitReached`` with the seconds
to midnight, which pages and the API answer as 429 with Retry-After.

Officials are not capped here: a Lok Mitra Kendra operator files for many
families a day, each only with that family's consent code, which is itself
rate-limited per number.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import User
from himaccess.applications.models import Action, Application, Step


class DailyLimitReached(Exception):
    """The citizen has reached a daily cap; ``retry_after`` is the seconds until it resets."""

    def __init__(self, message: object, retry_after: int) -> None:
        super().__init__(str(message))
        self.message = message
        self.retry_after = retry_after


def _today(now: datetime) -> tuple[datetime, int]:
    """The start of the local day and the seconds left in it."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, max(1, int((start + timedelta(days=1) - now).total_seconds()))


def _lock(user: User) -> None:
    # Serialises one citizen's own creates (PostgreSQL row lock); other citizens are not held up.
    # Without the key lock: every row the citizen's other requests write points at this user, and
    # a FOR UPDATE would make their commits wait (or deadlock) on it.
    list(User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk", flat=True))


def check_new_draft(user: User, now: datetime | None = None) -> None:
    """Raise ``DailyLimitReached`` if ``user`` (a citizen) has started today's allowance of drafts."""
    if user.is_official:
        return
    now = now or timezone.now()
    start, left = _today(now)
    _lock(user)
    limit = settings.SERVICES_DRAFTS_PER_DAY
    started = Application.objects.filter(
        filed_by=user, created_at__gte=start, draft_expires_at__isnull=False
    ).count()
    if started >= limit:
        raise DailyLimitReached(
            _(
                "You have started %(limit)s applications today, the most one person may start in a day. "
                "Continue a saved draft, or start a new one after midnight."
            )
            % {"limit": limit},
            left,
        )


def check_submission(user: User, now: datetime | None = None) -> None:
    """Raise ``DailyLimitReached`` if ``user`` (a citizen) has made today's allowance of submissions."""
    if user.is_official:
        return
    now = now or timezone.now()
    start, left = _today(now)
    _lock(user)
    limit = settings.SERVICES_SUBMISSIONS_PER_DAY
    submitted = Step.objects.filter(actor=user, action=Action.SUBMIT, at__gte=start).count()
    if submitted >= limit:
        raise DailyLimitReached(
            _(
                "You have submitted %(limit)s applications today, the most one person may submit in a "
                "day. You can submit again after midnight."
            )
            % {"limit": limit},
            left,
        )
