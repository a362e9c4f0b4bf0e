"""The one answer to "which language does this person read?" for messages sent to a mobile number.

Notifications sit below accounts and take the language from their callers;
callers ask here (docs/decisions/0402).
"""

from __future__ import annotations

from himaccess.accounts.models import User
from himaccess.notifications.sms import DEFAULT_LANGUAGE, LANGUAGES


def language_for(mobile: str, asked: str | None = None) -> str:
    """The language asked for, else the citizen's preferred one if the number has a login, else Hindi."""
    if asked in LANGUAGES:
        return asked
    preferred = (
        User.objects.filter(mobile=mobile, kind=User.Kind.CITIZEN)
        .values_list("preferred_language", flat=True)
        .first()
    )
    return preferred if preferred in LANGUAGES else DEFAULT_LANGUAGE
