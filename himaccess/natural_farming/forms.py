from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from himaccess.lib.forms import CleanTextForm
from himaccess.natural_farming.actions import KHASRA_MAX, MAX_MOISTURE_PERCENT, MAX_WEIGHMENT_KG
from himaccess.natural_farming.models import AreaUnit, CertificationStatus, Crop


class RegisterForm(CleanTextForm):
    member_id = forms.CharField(label=_("Member ID (from the Him Parivar card)"), max_length=20)


class ParcelForm(CleanTextForm):
    village = forms.IntegerField(
        label=_("Village (LGD code)"),
        min_value=1,
        max_value=99_999_999,
        help_text=_("As in the land record."),
    )
    khasra = forms.CharField(label=_("Khasra number"), max_length=KHASRA_MAX)
    area = forms.DecimalField(label=_("Area"), min_value=Decimal("0.0001"), max_digits=9, decimal_places=4)
    unit = forms.ChoiceField(label=_("Unit"), choices=AreaUnit.choices)


class CertificationForm(CleanTextForm):
    to_status = forms.ChoiceField(label=_("New status"), choices=CertificationStatus.choices)
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Certificate valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class WeighmentForm(CleanTextForm):
    farmer = forms.CharField(label=_("Farmer's registration number or Member ID"), max_length=20)
    crop = forms.ChoiceField(label=_("Crop"), choices=Crop.choices)
    kg = forms.DecimalField(
        label=_("Weight (kg)"),
        min_value=Decimal("0.1"),
        max_value=MAX_WEIGHMENT_KG,
        max_digits=7,
        decimal_places=1,
    )
    moisture_percent = forms.DecimalField(
        label=_("Moisture (%)"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_MOISTURE_PERCENT,
        max_digits=4,
        decimal_places=1,
    )
    quality_note = forms.CharField(label=_("Quality note"), max_length=200, required=False)


class WindowForm(CleanTextForm):
    crop = forms.ChoiceField(label=_("Crop"), choices=Crop.choices)
    season = forms.CharField(label=_("Season"), max_length=20)
    opens_on = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    daily_from = forms.TimeField(label=_("Daily from"), initial=time(10, 0))
    daily_until = forms.TimeField(label=_("Daily until"), initial=time(16, 0))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens_on") and data.get("closes_on") and data["opens_on"] > data["closes_on"]:
            self.add_error("closes_on", _("The window must close after it opens."))
        if data.get("daily_from") and data.get("daily_until") and data["daily_from"] >= data["daily_until"]:
            self.add_error("daily_until", _("The window must close after it opens."))
        return data
