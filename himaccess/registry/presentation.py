"""What the register's pages show: data gathered for templates, nothing more."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import BooleanField, DateField, Field, Model
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.audit.models import DataAccess
from himaccess.geography.models import Named
from himaccess.registry.change_requests import access
from himaccess.registry.forms import CHOICE_FIELDS, FORMS, ChangeForm, CorrectionForm, choice_code
from himaccess.registry.models import ChangeRequest, Family, Member, PartyDecision, RegisterChange
from himaccess.registry.validators import PEOPLES_DATE
from himaccess.vault.masking import masked

HISTORY_ROWS = 50
# An arrival writes a row per field; a page of history reads from this many rows at most.
HISTORY_ROWS_READ = HISTORY_ROWS * 25
# The rows of one change are written in one statement, moments apart.
SAME_CHANGE = timedelta(seconds=5)


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
# Someone or something new in the register: one line saying who, not a line per field.
ARRIVALS = {"family.registered", "family.created", "member.added", "member.born", "member.joined"}
# Kept in the history for the audit trail, shown only through its last four digits.
HIDDEN_FIELDS = {"aadhaar_ref"}
# Changes the action's own name already tells ("Death" needs no "living → dead").
IMPLIED_FIELDS = {
    "member.dead": {"life_status"},
    "member.migrated": {"life_status"},
    "family.merged": {"status"},
    "family.dissolved": {"status"},
}
# Fields whose model name is a column name rather than words a family reads.
FIELD_LABELS = {
    "family_id": gettext_lazy("Family ID"),
    "spouse_id": gettext_lazy("Wife / husband"),
    "merged_into_id": gettext_lazy("Merged into family"),
    "life_status": gettext_lazy("Living in the family"),
    "ekyc_status": gettext_lazy("e-KYC"),
    "status": gettext_lazy("Status"),
}
MASKED = {
    "mobile": lambda value: f"XXXXXX{value[-4:]}",
    "bank_account": lambda value: f"XXXX{value[-4:]}",
    "aadhaar_last4": masked,
}


@dataclass
class HistoryLine:
    """One change to the family as its page shows it."""

    at: datetime
    member: str
    label: str
    details: list[str]
    source: str


def _field(change: RegisterChange) -> Field[Any, Any] | None:
    model = Member if change.member_id else Family
    try:
        return model._meta.get_field(change.field.removesuffix("_id"))  # type: ignore[return-value]
    except FieldDoesNotExist:
        return None


def _together(changes: Iterable[RegisterChange]) -> list[list[RegisterChange]]:
    """The rows (newest first) grouped by the change that wrote them."""
    groups: list[list[RegisterChange]] = []
    for change in changes:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and (last.action, last.member_id, last.change_request_id, last.actor_id, last.source)
            == (change.action, change.member_id, change.change_request_id, change.actor_id, change.source)
            and last.at - change.at <= SAME_CHANGE
        ):
            groups[-1].append(change)
        else:
            groups.append([change])
    return groups


class _Values:
    """Stored values (text) as people read them: labels, names, Family IDs, dates, masked numbers."""

    def __init__(self, changes: list[RegisterChange], language: str, known: Iterable[Model] = ()) -> None:
        """``known``: rows already read (the family and its places), not read again."""
        self.language = language
        wanted: dict[type[Model], set[int]] = defaultdict(set)
        for change in changes:
            field = _field(change)
            if field is not None and field.is_relation and field.related_model is not None:
                for value in (change.old_value, change.new_value):
                    if value.isdigit():
                        wanted[field.related_model].add(int(value))
        already: dict[type[Model], dict[Any, Model]] = defaultdict(dict)
        for row in known:
            already[type(row)][row.pk] = row
        self.related: dict[type[Model], dict[Any, Model]] = {}
        for model, keys in wanted.items():
            found = {key: already[model][key] for key in keys if key in already[model]}
            missing = keys - found.keys()
            self.related[model] = {**found, **(model._default_manager.in_bulk(missing) if missing else {})}

    def label(self, change: RegisterChange) -> str:
        if change.field in FIELD_LABELS:
            return str(FIELD_LABELS[change.field])
        field = _field(change)
        return capfirst(str(field.verbose_name)) if field is not None else change.field

    def shown(self, change: RegisterChange, value: str) -> str:
        if not value:
            return ""
        if change.field in MASKED:
            return MASKED[change.field](value)
        field = _field(change)
        if field is None:
            return value
        if field.is_relation and field.related_model is not None:
            found = self.related.get(field.related_model, {})
            related = found.get(int(value)) if value.isdigit() else None
            if isinstance(related, Family):
                return related.display_id
            return related.name_in(self.language) if isinstance(related, Member | Named) else ""
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, BooleanField):
            return str(_("Yes") if value == "yes" else _("No"))
        if isinstance(field, DateField):
            try:
                return date_format(date.fromisoformat(value), PEOPLES_DATE)
            except ValueError:
                return value
        return value


def _places(family: Family) -> list[Model]:
    """The family and the places already read with it (``select_related``), without a query."""
    fields = [f for f in Family._meta.concrete_fields if f.is_relation and f.is_cached(family)]  # type: ignore[attr-defined]
    return [family, *(row for f in fields if (row := getattr(family, f.name)) is not None)]


def _keep_places(family: Family, values: _Values) -> None:
    """Hand the places the history read to the family, so the page does not read them again."""
    for f in Family._meta.concrete_fields:
        if f.is_relation and not f.is_cached(family) and f.related_model is not None:  # type: ignore[attr-defined]
            row = values.related.get(f.related_model, {}).get(getattr(family, f.attname))
            if row is not None:
                f.set_cached_value(family, row)  # type: ignore[attr-defined]


def _arrival(rows: list[RegisterChange], values: _Values) -> list[str]:
    """What a new member's line says: their relation and date of birth."""
    written = {row.field: row for row in rows}
    if "relation" not in written or "date_of_birth" not in written:
        return []
    relation = values.shown(written["relation"], written["relation"].new_value)
    born = values.shown(written["date_of_birth"], written["date_of_birth"].new_value)
    return [_("%(relation)s, born %(date)s") % {"relation": relation, "date": born}]


def history(family: Family) -> list[HistoryLine]:
    """The family's latest changes, one line each, in the reader's language.

    The register keeps a row per field changed (the audit trail); a line here
    is everything one change wrote: a birth is one line, not sixteen.
    """
    language = get_language() or "en"
    rows = list(family.changes.exclude(field__in=HIDDEN_FIELDS).select_related("member")[:HISTORY_ROWS_READ])
    values = _Values(rows, language, known=_places(family))
    _keep_places(family, values)
    lines = []
    for group in _together(rows)[:HISTORY_ROWS]:
        first = group[0]
        if first.action in ARRIVALS:
            details = _arrival(group, values) if first.member_id else []
        else:
            implied = IMPLIED_FIELDS.get(first.action, set())
            details = [
                _("%(field)s: %(old)s → %(new)s")
                % {
                    "field": values.label(row),
                    "old": values.shown(row, row.old_value) or "—",
                    "new": values.shown(row, row.new_value) or "—",
                }
                for row in reversed(group)  # in the order the fields were written
                if row.field and row.field not in implied
            ]
        lines.append(
            HistoryLine(
                at=first.at,
                member=first.member.name_in(language) if first.member is not None else "",
                label=str(ACTION_LABELS.get(first.action, _("Change"))),
                details=details,
                source=first.get_source_display(),
            )
        )
    return lines


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
                "date": date_format(localtime(decisions[PartyDecision.Kind.CONSENTED].at), PEOPLES_DATE)
            }
        else:
            consent = _("Awaiting the head's answer")
        approved = decisions.get(PartyDecision.Kind.APPROVED)
        approval = (
            _("Approved on %(date)s") % {"date": date_format(localtime(approved.at), PEOPLES_DATE)}
            if approved
            else _("Awaiting approval")
        )
        rows.append(
            {
                "family_id": party.family.display_id,
                "role": party.get_role_display(),
                "consent": consent,
                "approval": approval,
            }
        )
    return rows


def _payload_value(form: ChangeForm, name: str, value: Any) -> str:
    """One stored value of a request as people read it: a label, a date as dd-mm-yyyy."""
    field = form.fields[name]
    if isinstance(field, forms.DateField):
        try:
            day = field.to_python(value)
        except ValidationError:
            day = None
        return date_format(day, PEOPLES_DATE) if day else str(value)
    if name == "new_value" and isinstance(form, CorrectionForm):
        # A correction's value is typed as text: a coded field's value reads as its label.
        corrected = form.data.get("field", "")
        if corrected in CHOICE_FIELDS:
            code = choice_code(corrected, str(value))
            return str(CHOICE_FIELDS[corrected](code).label) if code else str(value)
        if corrected == "date_of_birth":
            return _payload_value_as_date(str(value))
    if isinstance(field, forms.ChoiceField):
        choices: Any = field.choices  # a list once the form is built
        return str(dict(choices).get(value, value))
    return str(value)


def _payload_value_as_date(value: str) -> str:
    try:
        return date_format(forms.DateField().clean(value), PEOPLES_DATE)
    except ValidationError:
        return value


def describe_payload(change: ChangeRequest) -> list[tuple[str, str]]:
    """The request's fields as (label, value) pairs in the reader's language."""
    language = get_language() or "en"
    form = FORMS[change.kind](data=change.payload, family=change.family)
    rows: list[tuple[str, str]] = []
    members = {m.member_id: m for m in Member.objects.filter(family=change.family)}
    for name, field in form.fields.items():
        raw = change.payload.get(name)
        if raw in (None, "", []):
            continue
        shown = []
        for value in raw if isinstance(raw, list) else [raw]:
            member = members.get(str(value))
            if member is not None:
                shown.append(f"{member.name_in(language)} ({member.display_id})")
            else:
                shown.append(_payload_value(form, name, value))
        rows.append((str(field.label or name), ", ".join(shown)))
    if not rows:
        rows.append((_("Details"), "—"))
    return rows


def progress(change: ChangeRequest) -> list[dict[str, Any]]:
    """The request's steps, each status by its name in the reader's language."""
    names = dict(ChangeRequest.Status.choices)
    return [
        {"at": step.at, "status": names.get(step.to_status, step.to_status), "note": step.note}
        for step in change.steps.all()
    ]
