from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from himaccess.lib import identifiers
from himaccess.lib.forms import CleanTextMixin
from himaccess.milkfed.models import Society

MAX_CSV_BYTES = 1_000_000


class RegisterFarmerForm(CleanTextMixin, forms.Form):
    member_id = forms.CharField(label=_("Member ID"), max_length=20)
    joined_on = forms.DateField(
        label=_("Member of the society since"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_member_id(self) -> str:
        value: str = self.cleaned_data["member_id"]
        if not identifiers.is_valid(value, identifiers.MEMBER_PREFIX):
            raise forms.ValidationError(_("Enter a valid Member ID (M and 11 digits)."))
        return identifiers.normalise(value)


class ApplyForm(CleanTextMixin, forms.Form):
    member = forms.ChoiceField(label=_("Family member"))
    society = forms.CharField(label=_("Society code"), max_length=20)
    joined_on = forms.DateField(
        label=_("Member of the society since"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, members: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["member"].choices = members  # type: ignore[attr-defined]

    def clean_society(self) -> Society:
        code = self.cleaned_data["society"].strip().upper()
        society = Society.objects.open().filter(code=code).first()
        if society is None:
            raise forms.ValidationError(_("No open milk society has this code."))
        return society


class UploadForm(CleanTextMixin, forms.Form):
    file = forms.FileField(label=_("Collection file (CSV)"))

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is too large: at most 1 MB."))
        data: bytes = upload.read()
        return data


class StatusForm(CleanTextMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Society.Status.choices)
