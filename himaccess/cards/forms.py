from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaccess.lib.forms import CleanTextForm


class VerifyForm(CleanTextForm):
    # No length limit here: an over-long text still gets a verdict ("not a card code").
    qr_text = forms.CharField(
        label=_("Text of the QR code"),
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false"}),
        strip=True,
    )


class RevokeCardForm(CleanTextForm):
    # The reason is kept with the card and told to whoever checks it later: a word or two at least.
    reason = forms.CharField(
        label=_("Reason for revoking the card"),
        help_text=_("For example: reported lost, stolen, damaged, or issued in error."),
        min_length=4,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
