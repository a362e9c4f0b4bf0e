"""A refused date names its limit as people write dates here (day-month-year), not in ISO form."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from himaccess.registry.validators import (
    FUTURE_HORIZON_DAYS,
    today,
    validate_plausible_date,
    validate_upcoming_date,
)


@pytest.mark.parametrize("validator", [validate_plausible_date, validate_upcoming_date])
def test_the_latest_date_allowed_is_written_day_month_year(validator: object) -> None:
    latest = today() + timedelta(days=FUTURE_HORIZON_DAYS)
    with pytest.raises(ValidationError) as refused:
        validator(latest + timedelta(days=1))  # type: ignore[operator]
    message = refused.value.messages[0]
    assert f"{latest:%d-%m-%Y}" in message
    assert latest.isoformat() not in message


def test_a_date_within_the_limits_is_accepted() -> None:
    validate_plausible_date(date(1950, 1, 1))
    validate_upcoming_date(today() + timedelta(days=3))
