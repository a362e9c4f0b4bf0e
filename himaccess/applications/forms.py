"""Forms built from a service definition, shared by the pages and the JSON API.

``ApplicationForm`` has one Django field per definition field (labels and help
in the user's language). A field the register filled is disabled: Django then
ignores whatever is posted for it and keeps the register's value. Each
document slot has an upload field and a choice of the member's documents of
that kind already on file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from himaccess.applications import documents as storage
from himaccess.applications.models import Action, Application, Document, RejectionReason
from himaccess.catalog.models import Service, ServiceVersion
from himaccess.lib.forms import CleanTextForm
from himaccess.registry import validators

# A date field's "when" (catalog.definitions.DATE_WHEN) -> its bounds; a definition published
# before "when" existed reads as "any": no date before 1900 or more than a year ahead.
DATE_VALIDATORS: dict[str, Callable[[date], None]] = {
    "past": validators.validate_past_date,
    "upcoming": validators.validate_upcoming_date,
    "any": validators.validate_plausible_date,
}


def _label(item: dict[str, Any], key: str, language: str) -> str:
    return str(
        item.get(f"{key}_hi") if language == "hi" and item.get(f"{key}_hi") else item.get(f"{key}_en", "")
    )


def _django_field(spec: dict[str, Any], language: str) -> forms.Field:
    common: dict[str, Any] = {
        "label": _label(spec, "label", language),
        "help_text": _label(spec, "help", language),
        "required": bool(spec.get("required", True)),
    }
    kind = spec["type"]
    if kind == "text":
        validators = (
            [RegexValidator(spec["pattern"], _("Enter the value in the form asked for."))]
            if spec.get("pattern")
            else []
        )
        return forms.CharField(max_length=spec.get("max_length", 200), validators=validators, **common)
    if kind == "textarea":
        return forms.CharField(
            max_length=spec.get("max_length", 1000), widget=forms.Textarea(attrs={"rows": 3}), **common
        )
    if kind == "date":
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}),
            validators=[DATE_VALIDATORS[spec.get("when", "any")]],
            **common,
        )
    if kind == "number":
        return forms.IntegerField(min_value=spec.get("min", 0), max_value=spec.get("max", 10**9), **common)
    if kind == "choice":
        choices = [("", "—")] + [(c["value"], _label(c, "label", language)) for c in spec["choices"]]
        return forms.ChoiceField(choices=choices, **common)
    return forms.BooleanField(**common)  # yes_no: a declaration the citizen ticks


def answers_to_json(cleaned: dict[str, Any], fields: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in fields:
        value = cleaned.get(spec["name"])
        out[spec["name"]] = value.isoformat() if isinstance(value, date) else value
    return out


class ApplicationForm(CleanTextForm):
    def __init__(
        self,
        *args: Any,
        version: ServiceVersion,
        language: str,
        prefilled: dict[str, dict[str, Any]],
        on_file: list[Document] | None = None,
        initial_answers: dict[str, Any] | None = None,
        attached: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.prefilled = prefilled
        self.document_errors: list[str] = []
        for spec in version.form_fields:
            field = _django_field(spec, language)
            name = spec["name"]
            if name in prefilled:
                field.disabled = True
                field.initial = prefilled[name]["value"]
            elif initial_answers and name in initial_answers:
                field.initial = initial_answers[name]
            self.fields[name] = field
        documents_on_file = on_file or []
        for slot in version.documents:
            code = slot["code"]
            label = _label(slot, "name", language)
            self.fields[f"doc_{code}"] = forms.FileField(label=label, required=False)
            mine = [d for d in documents_on_file if d.kind == code]
            if mine:
                choices = [("", _("Upload a new file"))] + [
                    (
                        str(d.pk),
                        _("Use %(name)s, on file since %(date)s")
                        % {"name": d.original_name, "date": d.uploaded_at.strftime("%d-%m-%Y")},
                    )
                    for d in mine
                ]
                self.fields[f"reuse_{code}"] = forms.TypedChoiceField(
                    label=label,
                    choices=choices,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    initial=str((attached or {}).get(code, mine[0].pk)),
                )
        self._on_file = {d.pk: d for d in documents_on_file}

    def field_specs(self) -> list[tuple[forms.BoundField, dict[str, Any] | None]]:
        """Each form field with its register origin (or None), for the template."""
        return [(self[spec["name"]], self.prefilled.get(spec["name"])) for spec in self.version.form_fields]

    def document_slots(self) -> list[tuple[dict[str, Any], forms.BoundField, forms.BoundField | None]]:
        return [
            (
                slot,
                self[f"doc_{slot['code']}"],
                self[f"reuse_{slot['code']}"] if f"reuse_{slot['code']}" in self.fields else None,
            )
            for slot in self.version.documents
        ]

    def uploads(self) -> dict[str, UploadedFile]:
        out = {}
        for slot in self.version.documents:
            upload = self.cleaned_data.get(f"doc_{slot['code']}")
            if upload:
                out[slot["code"]] = upload
        return out

    def reused(self) -> dict[str, Document]:
        out = {}
        for slot in self.version.documents:
            if self.cleaned_data.get(f"doc_{slot['code']}"):
                continue
            chosen = self.cleaned_data.get(f"reuse_{slot['code']}")
            if chosen is not None and chosen in self._on_file:
                out[slot["code"]] = self._on_file[chosen]
        return out

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for slot in self.version.documents:
            upload = cleaned.get(f"doc_{slot['code']}")
            if upload:
                try:
                    storage.check(upload)
                except storage.Refused as refused:
                    error = forms.ValidationError(str(refused.message), code=refused.code)
                    self.add_error(f"doc_{slot['code']}", error)
        return cleaned

    def answers(self) -> dict[str, Any]:
        return answers_to_json(self.cleaned_data, self.version.form_fields)

    def has_error_code(self, code: str) -> bool:
        return any(e.code == code for errors in self.errors.as_data().values() for e in errors)


class DecisionForm(CleanTextForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[])
    reason = forms.ChoiceField(
        label=_("Reason for rejection"), choices=[("", "—"), *RejectionReason.choices], required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        labels = dict(Action.choices)
        allowed = [(a, labels[a]) for a in application.allowed_official_actions()]
        # No action is chosen for the officer: a default would be recorded by a careless click.
        self.fields["action"].choices = [("", _("Choose an action")), *allowed]  # type: ignore[attr-defined]
        self.fields["action"].label = _("Action")
        self.fields["action"].error_messages["required"] = _("Choose an action.")
        self.fields["action"].error_messages["invalid_choice"] = _(
            "That action is not allowed at the application's current stage."
        )
        self.initial.setdefault("version", application.version)


class AppealForm(CleanTextForm):
    grounds = forms.CharField(
        label=_("Grounds of appeal"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class AppealDecisionForm(CleanTextForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Order"),
        choices=[("allowed", _("Allow: the service is to be provided")), ("dismissed", _("Dismiss"))],
    )
    note = forms.CharField(
        label=_("Order on the appeal"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class RevokeForm(CleanTextForm):
    reason = forms.CharField(
        label=_("Reason for revoking"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class VerifyForm(CleanTextForm):
    text = forms.CharField(
        label=_("Scanned code or link"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ServiceChoiceField(forms.ModelChoiceField):
    """A catalogue service, shown by its name in the operator's language."""

    language = "en"

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name_in(self.language)} ({obj.code})"


class ConsentStartForm(CleanTextForm):
    member_id = forms.CharField(label=_("Member ID of the citizen"), max_length=20)
    service = ServiceChoiceField(
        queryset=Service.objects.offered(), label=_("Service the citizen wants to apply for")
    )

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].language = language  # type: ignore[attr-defined]


class ConsentCodeForm(CleanTextForm):
    member_id = forms.CharField(widget=forms.HiddenInput, max_length=20)
    code = forms.RegexField(label=_("Code the citizen received by SMS"), regex=r"^\d{6}$", max_length=6)
