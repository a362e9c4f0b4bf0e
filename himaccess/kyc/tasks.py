"""The campaign's timers: weekly SMS reminders to pending families, and the nightly recount."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone

from himaccess.accounts.language import language_for
from himaccess.celery import app
from himaccess.kyc import campaign
from himaccess.kyc.models import DONE_STATES, KycReminder
from himaccess.notifications import sms
from himaccess.registry.models import Family, FamilyQuerySet, Member, Relation

REMINDER_TEMPLATE = "kyc_reminder"
REMIND_EVERY = timedelta(days=7)
WINDOW = 2000
CURSOR_KEY = "kyc.remind.cursor"
# No SMS between 21:00 and 08:00 in India (TRAI's promotional hours, and people sleep): the
# hourly run does nothing then, so the families left wait for the first run of the morning.
QUIET_FROM, QUIET_UNTIL = time(21, 0), time(8, 0)


def in_quiet_hours(moment: datetime) -> bool:
    local = timezone.localtime(moment).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def families_to_remind(now: datetime) -> FamilyQuerySet:
    """Active families with a member still pending, a head with a mobile, and no reminder this week."""
    pending = Member.objects.living().filter(family=OuterRef("pk")).exclude(kyc__state__in=DONE_STATES)
    head_with_mobile = (
        Member.objects.living().filter(family=OuterRef("pk"), relation=Relation.HEAD).exclude(mobile="")
    )
    recent = KycReminder.objects.filter(family=OuterRef("pk"), sent_at__gt=now - REMIND_EVERY)
    return (
        Family.objects.active()
        .filter(Exists(pending), Exists(head_with_mobile))
        .exclude(Exists(recent))
        .order_by("pk")
    )


def _remind_family(family: Family, now: datetime, url: str) -> bool:
    pending = family.members.living().exclude(kyc__state__in=DONE_STATES).count()
    mobile = family.head_mobile()
    if not pending or not mobile:
        return False
    with transaction.atomic():
        KycReminder.objects.create(family=family, pending=pending, sent_at=now)
        sms.send(
            mobile,
            REMINDER_TEMPLATE,
            {"pending": pending, "family_id": family.display_id, "url": url},
            language=language_for(mobile),
        )
    return True


def remind(now: datetime | None = None, limit: int | None = None) -> int:
    """Text up to ``limit`` pending families (at most one SMS a week each); returns how many.

    Families are walked in windows of ``WINDOW`` database ids from where the
    last run stopped (kept in the cache), wrapping at the end: each window's
    query is a few index lookups per family, where one query over the whole
    register would build its anti-joins over every member first.
    """
    now = now or timezone.now()
    if in_quiet_hours(now):
        return 0
    limit = limit or settings.KYC_REMINDERS_PER_RUN
    url = settings.SITE_URL + reverse("kyc:index")
    last = Family.objects.aggregate(last=Max("pk"))["last"] or 0
    position = min(int(cache.get(CURSOR_KEY) or 0), last)
    sent = walked = 0
    while sent < limit and walked <= last:
        if position >= last:
            position = 0
        window = families_to_remind(now).filter(pk__gt=position, pk__lte=position + WINDOW)
        end = position + WINDOW
        for family in window:
            sent += _remind_family(family, now, url)
            if sent >= limit:
                end = family.pk
                break
        walked += end - position
        position = end
    cache.set(CURSOR_KEY, position, timeout=None)
    return sent


@shared_task(name="kyc.remind")
def send_reminders() -> int:
    return remind()


@shared_task(name="kyc.recount")
def recount() -> int:
    return campaign.recount()


app.conf.beat_schedule.update(
    {
        # Hourly, so the morning's first run (08:xx) picks up what the night held back.
        "kyc-reminders": {"task": "kyc.remind", "schedule": crontab(minute=20)},
        "kyc-recount": {"task": "kyc.recount", "schedule": crontab(minute=40, hour=2)},
    }
)
