"""Forms render as GOV.UK Frontend markup, however a template asks for them.

``{{ form }}``, ``{{ form.as_div }}``, ``{{ form.as_p }}``, ``{{ field.as_field_group }}``,
``{{ field }}`` and ``{{ field.errors }}`` all give the kit's classes: a form group (marked when
the field was refused), a label, the help text as a hint, each error after a hidden "Error:", and
the control with its own class. Choices of radio buttons or checkboxes sit in a fieldset whose
legend is the field's label. IDs and names stay Django's own (``id_<name>``, ``id_<name>_0`` for
the first choice), so the error summary's links and every posted name are unchanged.

The templates are in ``himaccess/templates/govuk/forms/``; ``django/forms/div.html``,
``p.html`` and ``errors/list/default.html`` there stand in for Django's own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import django.forms
from django.forms import widgets
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.template.backends.base import BaseEngine
from django.utils.functional import cached_property

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# The kit's class for each kind of control, most specific first (a file input is an input, and
# Django's checkboxes are a kind of radio buttons).
CONTROL_CLASSES: list[tuple[type[widgets.Widget], str]] = [
    (widgets.CheckboxSelectMultiple, "govuk-checkboxes__input"),
    (widgets.RadioSelect, "govuk-radios__input"),
    (widgets.CheckboxInput, "govuk-checkboxes__input"),
    (widgets.FileInput, "govuk-file-upload"),
    (widgets.Select, "govuk-select"),
    (widgets.Textarea, "govuk-textarea"),
    (widgets.Input, "govuk-input"),
]
# Controls whose border turns red when the field was refused.
MARKED_WHEN_REFUSED = {"govuk-file-upload", "govuk-select", "govuk-textarea", "govuk-input"}


def control_class(widget: widgets.Widget) -> str:
    if isinstance(widget, widgets.HiddenInput):
        return ""
    return next((name for kind, name in CONTROL_CLASSES if isinstance(widget, kind)), "")


class GovukBoundField(BoundField):
    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: widgets.Widget | None = None
    ) -> dict[str, Any]:
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        name = control_class(widget)
        if name:
            classes = [name, f"{name}--error"] if name in MARKED_WHEN_REFUSED and self.errors else [name]
            # A class the form or the template gave the widget (a width, an admin style) is kept.
            given = f"{widget.attrs.get('class', '')} {attrs.get('class', '')}".split()
            attrs["class"] = " ".join(dict.fromkeys([*classes, *given]))
        return attrs


class GovukFormRenderer(DjangoTemplates):
    """Django's renderer, reading our templates before Django's built-in widget templates."""

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
    bound_field_class = GovukBoundField

    @cached_property
    def engine(self) -> BaseEngine:
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [TEMPLATES, Path(django.forms.__file__).resolve().parent / "templates"],
                "NAME": "govukforms",
                "OPTIONS": {},
            }
        )
