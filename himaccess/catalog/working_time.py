"""Time limits counted in working time, as the Public Services Guarantee Act intends.

The clock runs only on working days: every day except Sundays and the
gazetted holidays in ``Holiday`` (which the state administrator keeps; the
Saturdays the state closes on are entered there too). A limit of 24 hours
from Saturday 16:00 falls due on Monday 16:00. Days are Indian Standard Time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache

from himaccess.catalog.models import HOLIDAYS_VERSION_KEY, Holiday

IST = ZoneInfo("Asia/Kolkata")
SUNDAY = 6
# Enough days to cover any limit plus the closed days inside it.
_LOOKAHEAD_FACTOR = 3


# Holidays change a few times a year: a process keeps what it read for a few minutes.
CACHE_SECONDS = 300


def _closed_days(start: date, end: date) -> set[date]:
    key = f"catalog:holidays:{cache.get(HOLIDAYS_VERSION_KEY, 0)}:{start.isoformat()}:{end.isoformat()}"
    cached: set[date] | None = cache.get(key)
    if cached is None:
        cached = set(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True))
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def is_working_day(day: date, closed: set[date]) -> bool:
    return day.weekday() != SUNDAY and day not in closed


def due_after(start: datetime, hours: int) -> datetime:
    """The moment ``hours`` of working time after ``start`` (aware datetime in, aware out)."""
    moment = start.astimezone(IST)
    closed = _closed_days(moment.date(), moment.date() + timedelta(days=hours // 24 * _LOOKAHEAD_FACTOR + 60))
    remaining = timedelta(hours=hours)
    while True:
        day = moment.date()
        next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=IST)
        if is_working_day(day, closed):
            available = next_midnight - moment
            if remaining <= available:
                return moment + remaining
            remaining -= available
        moment = next_midnight
        if day.year > start.year + 2:  # a calendar with no working day at all is a data error
            raise ValueError("no working days in the holiday calendar")


def closed_days_around(moment: datetime, days: int = 400) -> set[date]:
    """Holidays within ``days`` either side of ``moment``: load once for a page of clocks."""
    day = moment.astimezone(IST).date()
    return _closed_days(day - timedelta(days=days), day + timedelta(days=days))


def working_hours_between(start: datetime, end: datetime, closed: set[date] | None = None) -> float:
    """Working hours from ``start`` to ``end`` (negative when ``end`` is earlier): time left on a clock."""
    if end < start:
        return -working_hours_between(end, start, closed)
    a, b = start.astimezone(IST), end.astimezone(IST)
    if closed is None:
        closed = _closed_days(a.date(), b.date())
    total = timedelta(0)
    moment = a
    while moment < b:
        day = moment.date()
        next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=IST)
        stop = min(next_midnight, b)
        if is_working_day(day, closed):
            total += stop - moment
        moment = stop
    return total.total_seconds() / 3600
