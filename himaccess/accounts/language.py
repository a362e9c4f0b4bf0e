"""The one answer to "which language does this person read?" for messages sent to a mobile number.

Notifications sit below accounts and take the language from their callers;
callers ask here (docs/decisions/0402).
"""

from __future__ import annotations

from collections.abc import Iterable

from himaccess.accounts.models import User
from himaccess.notifications.sms import DEFAULT_LANGUAGE, LANGUAGES


def languages_for(mobiles: Iterable[str]) -> dict[str, str]:
    """``language_for`` of many numbers, a few queries for all (a monthly run texts thousands)."""
    wanted = sorted(set(mobiles))
    preferred: dict[str, str] = {}
    # In slices: SQLite caps the parameters of one statement.
    for start in range(0, len(wanted), 500):
        citizens = User.objects.filter(mobile__in=wanted[start : start + 500], kind=User.Kind.CITIZEN)
        preferred.update(citizens.values_list("mobile", "preferred_language"))
    return {
        mobile: preferred[mobile] if preferred.get(mobile) in LANGUAGES else DEFAULT_LANGUAGE
        for mobile in wanted
    }


def language_for(mobile: str, asked: str | None = None, *, user: User | None = None) -> str:
    """The language asked for, else the citizen's preferred one if the number has a login, else Hindi.

    ``user``: a user already loaded (the citizen acting); when it is the number's citizen login,
    its preference is read from it instead of asked of the database again.
    """
    if asked in LANGUAGES:
        return asked
    if user is not None and user.kind == User.Kind.CITIZEN and user.mobile == mobile:
        return user.preferred_language if user.preferred_language in LANGUAGES else DEFAULT_LANGUAGE
    preferred = (
        User.objects.filter(mobile=mobile, kind=User.Kind.CITIZEN)
        .values_list("preferred_language", flat=True)
        .first()
    )
    return preferred if preferred in LANGUAGES else DEFAULT_LANGUAGE
