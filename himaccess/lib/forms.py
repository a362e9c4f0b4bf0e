"""The project's form bases: text typed into a form is cleaned before any field or validator sees it.

Every form of the project derives from ``CleanTextForm`` or
``CleanTextModelForm`` (a test finds the forms and checks it). What a person
typed into a text field (a ``CharField`` or any subclass) is put through
``lib.text.clean`` first: invisible and direction-changing characters go,
ZWJ and ZWNJ stay only inside Devanagari, and the text is in NFC. Passwords
are left exactly as typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from himaccess.lib import text


def _cleaned(value: Any) -> Any:
    return text.clean(value) if isinstance(value, str) else value


class CleanTextMixin(forms.BaseForm):
    def _text_keys(self) -> list[str]:
        return [
            self.add_prefix(name)
            for name, field in self.fields.items()
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)
        ]

    def full_clean(self) -> None:
        # Here rather than in __init__: forms built from data (a service's form) add fields after it.
        if self.is_bound:
            self.data = self._cleaned_data(self.data)
        super().full_clean()

    def _cleaned_data(self, data: Any) -> Any:
        keys = [key for key in self._text_keys() if key in data]
        if not keys:
            return data
        if isinstance(data, QueryDict):
            copy = data.copy()
            for key in keys:
                copy.setlist(key, [_cleaned(value) for value in data.getlist(key)])
            return copy
        return {**data, **{key: _cleaned(data[key]) for key in keys}}


class CleanTextForm(CleanTextMixin, forms.Form):
    pass


class CleanTextModelForm(CleanTextMixin, forms.ModelForm):
    pass
