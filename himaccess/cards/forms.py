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
