from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from himaccess.cards.tests.conftest import AshaCards
from himaccess.cards.verification import verify_text
from himaccess.cards.verifier import himparivar_verify as spec

IST = ZoneInfo("Asia/Kolkata")


def test_card_is_genuine_through_its_last_day_and_expired_after(asha_cards: AshaCards) -> None:
    last_day = asha_cards.ravi.expires_on
    with time_machine.travel(
        datetime.combine(last_day, datetime.min.time(), IST) + timedelta(hours=23), tick=False
    ):
        assert verify_text(asha_cards.ravi.qr_text).verdict == spec.GENUINE
    with time_machine.travel(
        datetime.combine(last_day, datetime.min.time(), IST) + timedelta(days=1, hours=1), tick=False
    ):
        result = verify_text(asha_cards.ravi.qr_text)
    assert result.verdict == spec.EXPIRED
    assert result.details["id"]  # the counter still sees whose card it was


def test_cards_are_valid_for_five_years(asha_cards: AshaCards) -> None:
    issued = asha_cards.ravi.issued_at.astimezone(IST).date()
    assert asha_cards.ravi.expires_on == issued.replace(year=issued.year + 5)
