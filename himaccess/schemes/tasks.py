"""Scheduled and background work of schemes, run by Celery (in-process in the embedded profile).

- ``scan_age_thresholds`` (daily, beat): members who today reach an age at
  which some rule or band changes (60, 70, 18, 80, ...) are re-evaluated. The
  query is an equality on the date of birth per threshold, so it reads an
  index instead of computing every member's age.
- ``follow_rule_change``: after a rule version is published, the people it
  affects (found by the compiled rule, never a loop over the population) are
  re-evaluated, which offers the scheme to new eligibles and opens reviews for
  beneficiaries who no longer qualify.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task
from celery.schedules import crontab

from himaccess.celery import app
from himaccess.lib import rules
from himaccess.registry.models import Member
from himaccess.schemes import population
from himaccess.schemes.actions import records, reevaluation
from himaccess.schemes.models import Enrolment, RuleVersion

BATCH = 500


def thresholds(on: date) -> set[int]:
    found: set[int] = set()
    for version in reevaluation.rules_in_force(on):
        found |= rules.age_thresholds(version.rule)
        for band in version.bands:
            found |= rules.age_thresholds(band["when"])
    return {age for age in found if 0 < age <= 130}


def birthdays_reaching(on: date, ages: set[int]) -> list[date]:
    """The dates of birth of those who complete one of ``ages`` years exactly on ``on``."""
    dates = {rules.born_by(on, age) for age in ages}
    if on.month == 3 and on.day == 1:
        # Born on 29 February: their birthday in a common year is 1 March.
        dates |= {date(on.year - age, 2, 29) for age in ages if _leap(on.year - age) and not _leap(on.year)}
    return sorted(dates)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@shared_task(name="schemes.scan_age_thresholds")
def scan_age_thresholds(on_iso: str = "") -> int:
    on = date.fromisoformat(on_iso) if on_iso else records.today()
    born = birthdays_reaching(on, thresholds(on))
    families = (
        Member.objects.filter(date_of_birth__in=born, life_status=Member.LifeStatus.LIVING)
        .values_list("family__family_id", flat=True)
        .distinct()
    )
    count = 0
    for family_id in families.iterator(chunk_size=BATCH):
        count += reevaluation.reevaluate_family(family_id, trigger="age.threshold", on=on)
    return count


@shared_task(name="schemes.follow_rule_change")
def follow_rule_change(version_pk: int) -> int:
    version = RuleVersion.objects.select_related("scheme").get(pk=version_pk)
    on = max(records.today(), version.effective_from)
    affected = population.affected_members(version, on)
    beneficiaries = Enrolment.objects.live().filter(scheme=version.scheme).values_list("member_id", flat=True)
    families = (
        Member.objects.filter(pk__in=affected.values("pk")).values_list("family__family_id", flat=True)
        | Member.objects.filter(pk__in=beneficiaries).values_list("family__family_id", flat=True)
    ).distinct()
    count = 0
    for family_id in families.iterator(chunk_size=BATCH):
        count += reevaluation.reevaluate_family(family_id, trigger="rule.published", on=on)
    return count


# Daily at 00:20 Asia/Kolkata, after midnight has made today's birthdays.
app.conf.beat_schedule.update(
    {
        "schemes-scan-age-thresholds": {
            "task": "schemes.scan_age_thresholds",
            "schedule": crontab(minute=20, hour=0),
        }
    }
)
