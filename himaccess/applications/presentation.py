"""What the application pages show: data gathered for templates, nothing more."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from himaccess.accounts.models import User
from himaccess.applications.access import appeals_awaiting
from himaccess.applications.actions import appeals as applications_appeals
from himaccess.applications.certificates import Verdict
from himaccess.applications.forms import AppealDecisionForm, AppealForm, DecisionForm, RevokeForm
from himaccess.applications.models import Action, Application, Certificate, RejectionReason, Status
from himaccess.applications.prefill import source_label
from himaccess.catalog.definitions import PREFILL_SOURCES
from himaccess.catalog.working_time import closed_days_around, working_hours_between

QUEUE_ROWS = 100


def _stage_name(application: Application, code: str, language: str) -> str:
    for stage in application.service_version.stages:
        if stage["stage"] == code:
            return str(stage["name_hi" if language == "hi" else "name_en"])
    return ""


def header(application: Application, language: str) -> dict[str, Any]:
    return {"service_name": application.service_version.text("name", language), "language": language}


def _answers(application: Application, language: str) -> list[dict[str, Any]]:
    rows = []
    for spec in application.service_version.form_fields:
        value = application.answers.get(spec["name"])
        if spec["type"] == "choice":
            value = next(
                (
                    c["label_hi" if language == "hi" else "label_en"]
                    for c in spec["choices"]
                    if c["value"] == value
                ),
                value,
            )
        origin = application.prefilled.get(spec["name"])
        rows.append(
            {
                "label": spec["label_hi" if language == "hi" else "label_en"],
                "value": value,
                "from_register": bool(origin),
                "register_field": PREFILL_SOURCES.get(origin["source"]) if origin else None,
                "recorded_by": source_label(origin.get("from", "")) if origin else "",
                "recorded_at": origin.get("at", "")[:10] if origin else "",
            }
        )
    return rows


def detail_context(application: Application, user: User, language: str) -> dict[str, Any]:
    steps = list(application.steps.select_related("actor").order_by("at", "id"))
    reasons = dict(RejectionReason.choices)
    labels = dict(Action.choices)
    trail = [
        {
            "at": s.at,
            "action": labels.get(s.action, s.action),
            "stage": _stage_name(application, s.to_stage, language),
            "role": s.actor_role,
            "reason": reasons.get(s.reason, ""),
            "note": s.note,
        }
        for s in steps
    ]
    is_citizen = not user.is_official
    certificate = Certificate.objects.filter(application=application).first()
    can_act = (
        user.active_posting is not None
        and application.stage_role == user.active_posting.role
        and bool(application.allowed_official_actions())
    )
    appeal_level = applications_appeals.appeal_open(application) if is_citizen else 0
    return {
        **header(application, language),
        "application": application,
        "answers": _answers(application, language),
        "attachments": application.attachments.select_related("document"),
        "trail": trail,
        "stage_name": _stage_name(application, application.stage, language),
        "is_overdue": application.is_overdue(),
        "hours_left": _hours_left(application),
        "decision_form": DecisionForm(application=application) if can_act else None,
        "appeals": application.appeals.all(),
        "appeal_level": appeal_level,
        "appeal_form": AppealForm() if appeal_level else None,
        "certificate": certificate,
        "revoke_form": RevokeForm()
        if certificate and not certificate.is_revoked and certificate.can_be_revoked_by(user)
        else None,
        "can_edit": application.status in (Status.DRAFT, Status.RETURNED)
        and (is_citizen or application.assisted_by_id == user.pk),
    }


def _hours_left(application: Application, closed: set[Any] | None = None) -> float | None:
    if application.status != Status.PENDING or application.due_at is None:
        return None
    return round(working_hours_between(timezone.now(), application.due_at, closed), 1)


def queue_context(user: User) -> dict[str, Any]:
    posting = user.active_posting
    assert posting is not None
    closed = closed_days_around(timezone.now())
    waiting = list(
        Application.objects.awaiting(posting).select_related("service_version", "member", "family")[
            :QUEUE_ROWS
        ]
    )
    rows = [
        {"application": a, "hours_left": _hours_left(a, closed), "overdue": a.is_overdue()} for a in waiting
    ]
    appeals = [
        {"appeal": appeal, "form": AppealDecisionForm(initial={"version": appeal.version})}
        for appeal in appeals_awaiting(user)[:QUEUE_ROWS]
    ]
    return {"rows": rows, "appeals": appeals, "posting": posting}


def certificate_facts(verdict: Verdict, language: str) -> list[tuple[str, str]]:
    """The facts a checked certificate's code certifies, each under its form field's label.

    Labels and choice values are in the reader's language (the code signs the
    English value; a choice's Hindi label says the same).
    """
    if verdict.payload is None or verdict.certificate is None:
        return []
    facts = verdict.payload.get("facts")
    if not isinstance(facts, dict):
        return []
    fields = {f["name"]: f for f in verdict.certificate.application.service_version.form_fields}
    key = "label_hi" if language == "hi" else "label_en"
    rows = []
    for name, value in facts.items():
        spec = fields.get(name)
        label = str(spec[key]) if spec else name.replace("_", " ").capitalize()
        shown = str(value)
        if spec and spec["type"] == "choice" and language == "hi":
            shown = next((str(c["label_hi"]) for c in spec["choices"] if c["label_en"] == value), shown)
        elif spec and spec["type"] == "yes_no" and language == "hi":
            shown = {"Yes": "हाँ", "No": "नहीं"}.get(shown, shown)
        rows.append((label, shown))
    return rows
