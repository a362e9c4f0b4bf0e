from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaccess.lib import input_guard
from himaccess.lib.forms import CleanTextForm
from himaccess.registry import validators


class DisputeForm(CleanTextForm):
    attribute = forms.ChoiceField(label=_("Which input is wrong"))
    claimed_value = forms.CharField(label=_("Correct value"), max_length=100)
    note = forms.CharField(
        label=_("Anything else the office should know"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, attributes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attribute"].choices = [(name, name) for name in attributes]  # type: ignore[attr-defined]


class OfficerDecisionForm(CleanTextForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("sanction", _("Sanction")),
            ("reject", _("Reject")),
            ("continue", _("Continue the benefit")),
            ("stop", _("Stop the benefit")),
            ("correct", _("Correct the data")),
            ("keep", _("Keep the data as it is")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason / note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# Deeper than any rule needs, far shallower than the parser's recursion limit.
MAX_RULE_DEPTH = 64


class JsonField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 14, "spellcheck": "false"})

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        if input_guard.json_deeper_than(text.encode(), MAX_RULE_DEPTH):
            raise forms.ValidationError(
                _("Not valid here: nested more than %(depth)s levels deep."),
                params={"depth": MAX_RULE_DEPTH},
                code="json_depth",
            )
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Not valid JSON: %(error)s (line %(line)s, column %(column)s)"),
                params={"error": exc.msg, "line": exc.lineno, "column": exc.colno},
                code="json",
            ) from exc


class RuleVersionForm(CleanTextForm):
    rule = JsonField(label=_("Rule (JSON)"), max_length=50_000)
    bands = JsonField(label=_("Amount bands (JSON)"), max_length=20_000)
    effective_from = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validators.validate_plausible_date],
    )
    choice_note_en = forms.CharField(
        label=_("Choice of rule and its source (English)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    choice_note_hi = forms.CharField(
        label=_("Choice of rule and its source (Hindi)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
