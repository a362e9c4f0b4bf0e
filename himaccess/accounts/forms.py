"""Login forms. Each checks only the shape of what was typed; the checks against stored data are in
``otp`` and ``authentication`` so that a wrong value and an unknown one look the same."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from himaccess.lib.forms import CleanTextForm
from himaccess.registry.models import Member

_MOBILE = re.compile(r"^[6-9]\d{9}$")


def normalise_mobile(raw: str) -> str:
    """``+91 98160 00001``, ``098160-00001`` and ``9816000001`` are one number."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+91"):
        digits = digits[3:]
    elif len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    return digits


class MobileForm(CleanTextForm):
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=16,
        help_text=_("The 10-digit mobile number given in your family's Him Parivar record."),
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "numeric"}),
    )

    def clean_mobile(self) -> str:
        mobile = normalise_mobile(self.cleaned_data["mobile"])
        if not _MOBILE.match(mobile):
            raise forms.ValidationError(_("Enter a 10-digit mobile number starting with 6, 7, 8 or 9."))
        return mobile


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


class MemberChoiceField(forms.ModelChoiceField):
    language = "hi"

    def label_from_instance(self, obj: Member) -> str:  # type: ignore[override]
        return f"{obj.name_in(self.language)} ({obj.get_relation_display()}, {obj.date_of_birth.year})"


class ChooseMemberForm(CleanTextForm):
    member = MemberChoiceField(
        label=_("Who are you?"),
        queryset=Member.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        to_field_name="member_id",
    )

    def __init__(self, data: Any = None, *, candidates: QuerySet[Member], language: str = "hi") -> None:
        super().__init__(data)
        field = self.fields["member"]
        assert isinstance(field, MemberChoiceField)
        field.queryset = candidates
        field.language = language
