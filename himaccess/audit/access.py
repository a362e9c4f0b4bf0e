"""The per-family data-access log: who read a family's data, when, and why.

Call ``record_read`` wherever an official or a department's application reads
a member's data (register pages and API, OpenID userinfo). The family sees the
rows on its page (``audit/includes/access_log.html``).

The log sits below the register: it takes the family and members read as
anything with a primary key (``Recorded``) and keeps their keys, so it imports
no model of the register (docs/decisions/1180).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from himaccess.audit.log import client_address
from himaccess.audit.models import DataAccess

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from oauth2_provider.models import Application


class Recorded(Protocol):
    """A row of the register read (a family or a member): only its key is kept."""

    @property
    def pk(self) -> Any: ...


# Many reads in one statement over two arrays (PostgreSQL): ``record_reads``.
INSERT_READS = (
    "INSERT INTO audit_dataaccess (family_id, member_id, client_id, purpose, at, client_address) "
    "SELECT family, member, %s, %s, %s, %s FROM unnest(%s::bigint[], %s::bigint[]) AS r(family, member)"
)


@transaction.atomic
def record_read(
    *,
    family: Recorded,
    members: Iterable[Recorded] | None = None,
    purpose: str,
    user: AbstractBaseUser | AnonymousUser | None = None,
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
            family_id=family.pk,
            member_id=member.pk if member is not None else None,
            user_id=reader.pk if reader is not None else None,
            client=client,
            purpose=str(purpose)[:200],
            client_address=where,
        )
        for member in (list(members) if members is not None else [None])
    ]
    return DataAccess.objects.bulk_create(rows)


def record_reads(
    reads: Iterable[tuple[int, int | None]],
    *,
    purpose: str,
    client: Application,
    address: str = "",
) -> int:
    """Log many reads by a department's ``client`` at once: ``(family_pk, member_pk or None)`` pairs.

    For set-based answers (a bulk verification): one insert, in batches, whatever the number of reads.
    """
    pairs = list(reads)
    if not pairs:
        return 0
    if connection.vendor == "postgresql":
        # One statement over two arrays: building and compiling thousands of model rows costs far more
        # than the insert itself (docs/decisions/1192).
        with connection.cursor() as cursor:
            cursor.execute(
                INSERT_READS,
                [
                    client.pk,
                    str(purpose)[:200],
                    timezone.now(),
                    address,
                    [family for family, _member in pairs],
                    [member for _family, member in pairs],
                ],
            )
        return len(pairs)
    rows = [
        DataAccess(
            family_id=family_pk,
            member_id=member_pk,
            client=client,
            purpose=str(purpose)[:200],
            client_address=address,
        )
        for family_pk, member_pk in pairs
    ]
    DataAccess.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
