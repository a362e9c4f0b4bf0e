"""What the register's pages show: data gathered for templates, nothing more."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from himaccess.accounts.models import User
from himaccess.audit.models import DataAccess
from himaccess.registry.change_requests import access
from himaccess.registry.forms import FORMS
from himaccess.registry.models import ChangeRequest, Family, Member, PartyDecision, RegisterChange
from himaccess.vault.masking import masked

HISTORY_ROWS = 50


ACTION_LABELS = {
    "family.registered": gettext_lazy("Family enrolled"),
    "family.created": gettext_lazy("Family enrolled"),
    "family.corrected": gettext_lazy("Family record corrected"),
    "family.split": gettext_lazy("Split of the family"),
    "family.merged": gettext_lazy("Merge of two families"),
    "family.dissolved": gettext_lazy("Family dissolved"),
    "family.head_changed": gettext_lazy("Change of head"),
    "member.added": gettext_lazy("Member added"),
    "member.born": gettext_lazy("Birth"),
    "member.joined": gettext_lazy("Joined by marriage"),
    "member.married": gettext_lazy("Marriage"),
    "member.widowed": gettext_lazy("Widowed"),
    "member.dead": gettext_lazy("Death"),
    "member.migrated": gettext_lazy("Moved out of the State"),
    "member.transferred": gettext_lazy("Moved to another family"),
    "member.corrected": gettext_lazy("Correction"),
    "member.aadhaar_added": gettext_lazy("Aadhaar number added"),
}
# Kept in the history for the audit trail, shown only through its last four digits.
HIDDEN_FIELDS = {"aadhaar_ref"}


def _field(change: RegisterChange) -> Field[Any, Any] | None:
    model = Member if change.member_id else Family
    try:
        return model._meta.get_field(change.field.removesuffix("_id"))  # type: ignore[return-value]
    except FieldDoesNotExist:
        return None


def history(family: Family) -> list[dict[str, Any]]:
    """The family's latest changes, labelled and with coded values shown in the reader's language."""
    rows = []
    for change in family.changes.exclude(field__in=HIDDEN_FIELDS).select_related("member")[:HISTORY_ROWS]:
        action = str(ACTION_LABELS.get(change.action, change.action))
        field = _field(change) if change.field else None
        shown = {str(k): str(v) for k, v in field.flatchoices} if field is not None and field.choices else {}
        if change.field == "aadhaar_last4":
            shown = {change.old_value: masked(change.old_value), change.new_value: masked(change.new_value)}
        label = (
            f"{action}: {field.verbose_name if field is not None else change.field}"
            if change.field
            else action
        )
        rows.append(
            {
                "at": change.at,
                "member": change.member,
                "label": label,
                "old_value": shown.get(change.old_value, change.old_value),
                "new_value": shown.get(change.new_value, change.new_value),
                "source": change.get_source_display(),
            }
        )
    return rows


def family_context(family: Family, user: User) -> dict[str, Any]:
    members = list(
        family.members.order_by("life_status", "date_of_birth").select_related("spouse", "father", "mother")
    )
    return {
        "family": family,
        "members": members,
        "living": [m for m in members if m.is_living],
        "former": [m for m in members if not m.is_living or m.family_id != family.pk],
        "history": history(family),
        "pending": family.change_requests.pending().select_related("requested_by"),
        # Requests filed by another family that would move people into or out of this one.
        "concerning": ChangeRequest.objects.pending()
        .filter(parties__family=family)
        .exclude(family=family)
        .order_by("created_at"),
        "decided": family.change_requests.exclude(status=ChangeRequest.Status.PENDING).order_by(
            "-decided_at"
        )[:10],
        "access_entries": DataAccess.objects.for_family(family),
        "can_file": access.can_file_for(user, family),
        "kinds": [(kind, ChangeRequest.Kind(kind).label) for kind in FORMS],
        "is_own_family": user.active_posting is None,
    }


def describe_parties(change: ChangeRequest) -> list[dict[str, Any]]:
    """Each family the request touches, with its head's answer and its area's approval.

    Only the Family ID is shown: a family's members stay out of sight of
    the other family until the request is applied.
    """
    rows = []
    for party in change.parties.select_related("family").prefetch_related("decisions"):
        decisions = {d.kind: d for d in party.decisions.all()}
        if not party.consent_required:
            consent = ""
        elif PartyDecision.Kind.REFUSED in decisions:
            consent = _("Refused")
        elif PartyDecision.Kind.CONSENTED in decisions:
            consent = _("Agreed on %(date)s") % {
                "date": date_format(localtime(decisions[PartyDecision.Kind.CONSENTED].at), "d-m-Y")
            }
        else:
            consent = _("Awaiting the head's answer")
        approved = decisions.get(PartyDecision.Kind.APPROVED)
        rows.append(
            {
                "family_id": party.family.display_id,
                "role": party.get_role_display(),
                "consent": consent,
                "approval": _("Approved on %(date)s") % {"date": date_format(localtime(approved.at), "d-m-Y")}
                if approved
                else _("Awaiting approval"),
            }
        )
    return rows


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
