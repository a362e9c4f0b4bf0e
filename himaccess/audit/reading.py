"""The family's access log as people read it: one line per reader, purpose and day.

An official browsing a family's pages makes a row per page (the log must not miss
one), but fifty identical rows tell the family nothing more than "Tehsildar, Mandi
read your family's details 50 times on 2 December for register administration".
Readers are named by name and the designation they held when they read: the
posting in force at that moment, so a later transfer does not rewrite history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.audit.models import DataAccess


@dataclass
class ReadGroup:
    day: date
    reader: str
    purpose: str
    first: datetime
    last: datetime
    members: list[Any] = field(default_factory=list)
    whole_family: bool = False
    reads: int = 0


def _posting_at(user: Any, moment: datetime) -> Any:
    """The posting the official held at ``moment`` (postings are prefetched, never queried here)."""
    for posting in user.postings.all():
        if posting.started_at <= moment and (posting.ended_at is None or posting.ended_at > moment):
            return posting
    return None


def reader_name(entry: DataAccess, language: str) -> str:
    if entry.client is not None:
        # A department's data client (client-credentials grant) is named with its department.
        is_data_client = entry.client.authorization_grant_type == "client-credentials"
        data_client = getattr(entry.client, "data_client", None) if is_data_client else None
        if data_client is not None:
            return f"{data_client.name_in(language)} ({data_client.department.name_in(language)})"
        app = getattr(entry.client, "department_app", None)
        if app is not None:
            return f"{app.name_in(language)} ({app.department})"
        return str(entry.client.name)
    user = entry.user
    if user is None:
        return ""
    posting = _posting_at(user, entry.at)
    name = user.get_full_name()
    if posting is None:
        return name or _("An official")
    title = f"{posting.get_role_display()}, {posting.area_name(language)}"
    return f"{name} ({title})" if name else title


def grouped(entries: Iterable[DataAccess], language: str) -> list[ReadGroup]:
    """Consecutive reads grouped by day, reader and purpose, newest first."""
    groups: dict[tuple[date, str, str], ReadGroup] = {}
    for entry in entries:
        local = timezone.localtime(entry.at)
        reader = reader_name(entry, language)
        key = (local.date(), reader, entry.purpose)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ReadGroup(local.date(), reader, entry.purpose, local, local)
        group.first = min(group.first, local)
        group.last = max(group.last, local)
        group.reads += 1
        if entry.member is None:
            group.whole_family = True
        elif entry.member not in group.members:
            group.members.append(entry.member)
    return list(groups.values())
