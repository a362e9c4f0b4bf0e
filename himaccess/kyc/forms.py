from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from himaccess.kyc.models import ALTERNATIVE_METHODS
from himaccess.lib.forms import CleanTextForm

SIX_DIGITS = RegexValidator(r"^[0-9]{6}$", _("Enter the 6-digit code."))


class CodeForm(CleanTextForm):
    code = forms.CharField(label=_("Code from the SMS"), max_length=6, min_length=6, validators=[SIX_DIGITS])


class AadhaarForm(CleanTextForm):
    aadhaar = forms.CharField(
        label=_("Aadhaar number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class UidaiOtpForm(CleanTextForm):
    otp = forms.CharField(
        label=_("OTP sent by UIDAI to the mobile linked to Aadhaar"),
        max_length=6,
        min_length=6,
        validators=[SIX_DIGITS],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class OfflineForm(CleanTextForm):
    file = forms.FileField(label=_("Offline e-KYC zip file downloaded from UIDAI"))
    share_code = forms.CharField(
        label=_("Share code (the 4 characters you chose when downloading)"),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class MemberIdForm(CleanTextForm):
    member_id = forms.CharField(label=_("Member ID"), max_length=20)


class ReviewDecisionForm(CleanTextForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("accept", _("Correct the register to the Aadhaar value")),
            ("reject", _("Keep the register as it is")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (needed to keep the register)"), max_length=1000, required=False, widget=forms.Textarea
    )


class AlternativeForm(CleanTextForm):
    method = forms.ChoiceField(
        label=_("How the person was verified"),
        choices=[(m.value, m.label) for m in ALTERNATIVE_METHODS],
        widget=forms.RadioSelect,
    )
    ration_card_no = forms.CharField(label=_("Ration card number seen"), max_length=20, required=False)
    note = forms.CharField(
        label=_("Where and how you saw the person"), max_length=300, required=False, widget=forms.Textarea
    )


class AreaForm(CleanTextForm):
    district = forms.IntegerField(required=False, min_value=1, max_value=10**7)
    block = forms.IntegerField(required=False, min_value=1, max_value=10**7)
