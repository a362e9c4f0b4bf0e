from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaccess.geography.models import District
from himaccess.lib.forms import CleanTextForm


class DistrictForm(CleanTextForm):
    """The public pages' one filter: the whole state, or one district."""

    district = forms.TypedChoiceField(
        label=_("District"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a district from the list.")},
    )

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        districts = [(str(d.lgd_code), d.name_in(language)) for d in District.objects.order_by("name_en")]
        self.names = dict(districts)
        self.fields["district"].choices = [("", _("All of Himachal Pradesh")), *districts]  # type: ignore[attr-defined]
