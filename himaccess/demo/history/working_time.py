"""The Act's clock over the whole window, with the holidays read once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock

from himaccess.catalog.working_time import IST, closed_days_around, is_working_day


@dataclass(frozen=True)
class WorkingTime:
    """``working_time.due_after`` with the holidays read once for the whole window, not once a call."""

    closed: set[date]

    @classmethod
    def around(cls, start: datetime, end: datetime) -> WorkingTime:
        days = (end - start).days + 400  # the window, and the longest time limit after it
        return cls(closed_days_around(end, days=days))

    def after(self, moment: datetime, hours: float) -> datetime:
        """``hours`` of working time after ``moment``: Sundays and holidays do not count (the Act's clock)."""
        moment = moment.astimezone(IST)
        remaining = timedelta(hours=hours)
        while True:
            day = moment.date()
            next_midnight = datetime.combine(day + timedelta(days=1), clock(0), tzinfo=IST)
            if is_working_day(day, self.closed):
                available = next_midnight - moment
                if remaining <= available:
                    return moment + remaining
                remaining -= available
            moment = next_midnight
