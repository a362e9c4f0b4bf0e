"""SMS the register sends to people about their own record."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from himaccess.accounts.language import language_for
from himaccess.notifications import sms
from himaccess.registry.models import Member


def notify_old_number(old_mobile: str, member: Member) -> None:
    """Tell the previous number that it was replaced, so a hijack does not go unnoticed."""
    params = {"name": member.name_hi or member.name_en, "date": timezone.localdate().strftime("%d-%m-%Y")}
    transaction.on_commit(
        lambda: sms.send(old_mobile, "mobile_number_changed", params, language=language_for(old_mobile))
    )
