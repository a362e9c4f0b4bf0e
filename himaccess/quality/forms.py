from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaccess.lib.forms import CleanTextForm


class AnswerForm(CleanTextForm):
    text = forms.CharField(label=_("Your answer"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
