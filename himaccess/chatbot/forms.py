from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaccess.chatbot.api import TEXT_MAX
from himaccess.lib.forms import CleanTextForm


class ChatForm(CleanTextForm):
    text = forms.CharField(
        label=_("Your message"),
        max_length=TEXT_MAX,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": TEXT_MAX}),
    )


class HandoverForm(CleanTextForm):
    """An agent's action on one hand-over: take it, reply (WhatsApp), or close it with a note."""

    ACTIONS = [("take", _("Take")), ("reply", _("Reply")), ("close", _("Close"))]

    handover = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    action = forms.ChoiceField(choices=ACTIONS)
    text = forms.CharField(label=_("Message or note"), max_length=1000, required=False)
