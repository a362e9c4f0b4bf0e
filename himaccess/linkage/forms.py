from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaccess.lib.forms import CleanTextForm


class PairDecisionForm(CleanTextForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("same", _("Same person: file the merge of the two families")),
            ("different", _("Different people: never propose this pair again")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
