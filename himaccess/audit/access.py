"""The per-family data-access log: who read a family's data, when, and why.

Call ``record_read`` wherever an official or a department's application reads
a member's data (register pages and API, OpenID userinfo). The family sees the
rows on its page (``audit/includes/access_log.html``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest

from himaccess.audit.log import client_address
from himaccess.audit.models import DataAccess

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from oauth2_provider.models import Application

    from himaccess.accounts.models import User
    from himaccess.registry.models import Family, Member


@transaction.atomic
def record_read(
    *,
    family: Family,
    members: Iterable[Member] | None = None,
    purpose: str,
    user: User | AnonymousUser | None = None,
    client: Application | None = None,
    request: HttpRequest | None = None,
    address: str = "",
) -> list[DataAccess]:
    """Log one read of ``family`` (one row per member read, or one for the family).

    The reader is an official ``user`` or a department ``client``; a citizen
    reading their own family is not logged (nobody else read it).
    """
    reader = user if user is not None and user.is_authenticated else None
    if reader is not None and not getattr(reader, "is_official", False) and client is None:
        return []
    if reader is None and client is None:
        raise ValueError("A data read is logged with the official or the application that made it")
    where = client_address(request) if request is not None else address
    rows = [
        DataAccess(
            family=family,
            member=member,
            user=reader,
            client=client,
            purpose=str(purpose)[:200],
            client_address=where,
        )
        for member in (list(members) if members is not None else [None])
    ]
    return DataAccess.objects.bulk_create(rows)
