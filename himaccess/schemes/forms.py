from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaccess.lib import input_guard
from himaccess.lib.forms import CleanTextForm
from himaccess.lib.rules import BOOL
from himaccess.registry import validators
from himaccess.schemes.vocabulary import ATTRIBUTES

# How people write a date of birth here: day first, with dashes, slashes or dots; ISO is what a
# date input sends. Never month first: 05/03/1960 is the 5th of March.
DATE_OF_BIRTH_FORMATS = ["%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"]
# Digits alone, as someone types an age: a date of birth is asked for instead.
AN_AGE = re.compile(r"[0-9]{1,3}")


def date_of_birth(raw: str) -> date:
    """A typed date of birth, or a ValidationError saying what to type (an age is not one)."""
    if AN_AGE.fullmatch(raw.strip()):
        raise forms.ValidationError(
            _("Give the date of birth (for example 15-08-1960), not the age: the age is worked out from it."),
            code="age_not_date",
        )
    field = forms.DateField(
        input_formats=DATE_OF_BIRTH_FORMATS,
        error_messages={
            "invalid": _("Give the date of birth as day-month-year, for example 15-08-1960."),
        },
    )
    born: date = field.clean(raw)
    validators.validate_date_of_birth(born)
    return born


class DisputeForm(CleanTextForm):
    """A citizen's claim that an input of a decision is wrong, asked for as its owner records it.

    The age is corrected through the date of birth it is worked out from; a yes/no input takes
    yes or no. The value field's label and id follow the input disputed, so an error names
    the field as the page shows it and links to it.
    """

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
        disputed = self.data.get("attribute") if self.is_bound else None
        if disputed in attributes:
            value = self.fields["claimed_value"]
            value.label = correction_label(disputed)
            value.widget.attrs["id"] = f"cv-{disputed}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        attribute = ATTRIBUTES.get(cleaned.get("attribute", ""))
        raw = cleaned.get("claimed_value")
        if attribute is None or not raw:
            return cleaned
        try:
            if attribute.correction_field == "date_of_birth":
                cleaned["claimed_value"] = date_of_birth(raw).isoformat()
            elif attribute.type == BOOL and not attribute.correction_field:
                cleaned["claimed_value"] = yes_or_no(raw)
        except forms.ValidationError as exc:
            self.add_error("claimed_value", exc)
        return cleaned


def correction_label(attribute: str) -> str:
    if ATTRIBUTES[attribute].correction_field == "date_of_birth":
        return str(_("Correct date of birth"))
    return str(_("Correct value"))


def yes_or_no(raw: str) -> str:
    answer = raw.strip().casefold()
    if answer in ("yes", "हाँ"):
        return "yes"
    if answer in ("no", "नहीं"):
        return "no"
    raise forms.ValidationError(_("Answer yes or no."), code="boolean")


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
