"""What the register's pages show: data gathered for templates, nothing more."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.audit.models import DataAccess
from himaccess.registry import actions
from himaccess.registry.forms import FORMS
from himaccess.registry.models import ChangeRequest, Family, Member

HISTORY_ROWS = 50
ACCESS_ROWS = 50


def family_context(family: Family, user: User) -> dict[str, Any]:
    members = list(
        family.members.order_by("life_status", "date_of_birth").select_related("spouse", "father", "mother")
    )
    return {
        "family": family,
        "members": members,
        "living": [m for m in members if m.is_living],
        "former": [m for m in members if not m.is_living or m.family_id != family.pk],
        "history": family.changes.select_related("member", "actor")[:HISTORY_ROWS],
        "pending": family.change_requests.pending().select_related("requested_by"),
        "decided": family.change_requests.exclude(status=ChangeRequest.Status.PENDING).order_by(
            "-decided_at"
        )[:10],
        "access_entries": DataAccess.objects.for_family(family)[:ACCESS_ROWS],
        "can_file": actions.can_file_for(user, family),
        "kinds": [(kind, ChangeRequest.Kind(kind).label) for kind in FORMS],
        "is_own_family": user.active_posting is None,
    }


def describe_payload(change: ChangeRequest) -> list[tuple[str, str]]:
    """The request's fields as (label, value) pairs in the reader's language."""
    form = FORMS[change.kind](data=change.payload, family=change.family)
    rows: list[tuple[str, str]] = []
    members = {m.member_id: m for m in Member.objects.filter(family=change.family)}
    for name, field in form.fields.items():
        raw = change.payload.get(name)
        if raw in (None, "", []):
            continue
        values = raw if isinstance(raw, list) else [raw]
        shown = []
        for value in values:
            member = members.get(str(value))
            if member is not None:
                shown.append(f"{member.name_en or member.name_hi} ({member.display_id})")
            elif hasattr(field, "choices"):
                shown.append(str(dict(field.choices).get(value, value)))
            else:
                shown.append(str(value))
        rows.append((str(field.label or name), ", ".join(shown)))
    if not rows:
        rows.append((_("Details"), "—"))
    return rows
