"""Login forms. Each checks only the shape of what was typed; the checks against stored data are in
``otp`` and ``authentication`` so that a wrong value and an unknown one look the same."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaccess.lib.forms import CleanTextForm
from himaccess.lib.mobile import read_mobile


class MobileForm(CleanTextForm):
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=16,
        help_text=_("The 10-digit mobile number given in your family's Him Parivar record."),
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "numeric"}),
    )

    def clean_mobile(self) -> str:
        number = read_mobile(self.cleaned_data["mobile"])
        if number is None:
            raise forms.ValidationError(_("Enter a 10-digit mobile number starting with 6, 7, 8 or 9."))
        return number


class CodeForm(CleanTextForm):
    code = forms.CharField(
        label=_("Code"),
        min_length=6,
        max_length=6,
        help_text=_("The 6-digit code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."))
        return code


class PasswordLoginForm(CleanTextForm):
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
