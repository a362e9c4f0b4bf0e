"""Forms of the complaint pages; they validate at the edge and hand clean values to ``actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import Posting, User
from himaccess.geography.models import Block, District, Tehsil, UrbanBody
from himaccess.grievances import actions, routing
from himaccess.grievances.models import DESCRIPTION_MAX, Category, Complaint
from himaccess.lib import identifiers
from himaccess.lib.forms import CleanTextForm
from himaccess.lib.mobile import is_mobile
from himaccess.registry.models import Member

ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
# Allowed attachments, recognised by their first bytes, not their name.
ATTACHMENT_SIGNATURES = (b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def category_choices(language: str = "en") -> list[tuple[Any, Any]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    leaves = Category.objects.filter(active=True, children__isnull=True).select_related(
        "department", "parent"
    )
    for category in leaves.order_by("department__name_en", "parent__name_en", "name_en"):
        label = category.name_in(language)
        if category.parent is not None:
            label = f"{category.parent.name_in(language)}: {label}"
        groups.setdefault(category.department.name_in(language), []).append((category.code, label))
    return [("", "—")] + [(department, options) for department, options in groups.items()]


def _description_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": DESCRIPTION_MAX}),
        error_messages={
            "required": _("Describe the complaint."),
            "max_length": _("The description is too long."),
        },
    )


class CategoryMixin(CleanTextForm):
    category = forms.ChoiceField(label=_("What is the complaint about?"))

    def setup_categories(self, language: str) -> None:
        self.fields["category"].choices = category_choices(language)  # type: ignore[attr-defined]

    def clean_category(self) -> Category:
        return actions.fileable_category(self.cleaned_data["category"])


class CitizenComplaintForm(CategoryMixin):
    description = _description_field(_("Describe the problem"))

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_categories(language)


class AgentComplaintForm(CategoryMixin):
    mobile = forms.CharField(label=_("Caller's mobile number"), max_length=10)
    name = forms.CharField(label=_("Caller's name"), max_length=100, required=False)
    description = _description_field(_("The complaint in the caller's words"))
    district = forms.TypedChoiceField(label=_("District"), coerce=int, required=False, empty_value=None)
    tehsil = forms.TypedChoiceField(label=_("Tehsil"), coerce=int, required=False, empty_value=None)
    block = forms.TypedChoiceField(label=_("Block (rural)"), coerce=int, required=False, empty_value=None)
    urban_body = forms.TypedChoiceField(
        label=_("Town (urban body)"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_categories(language)
        blank = [("", "—")]
        districts = [(d.pk, d.name_in(language)) for d in District.objects.all()]
        self.fields["district"].choices = blank + districts  # type: ignore[attr-defined]
        for name, model in (("tehsil", Tehsil), ("block", Block), ("urban_body", UrbanBody)):
            grouped: dict[str, list[tuple[int, str]]] = {}
            for area in model.objects.select_related("district").order_by("district__name_en", "name_en"):
                grouped.setdefault(area.district.name_in(language), []).append(
                    (area.pk, area.name_in(language))
                )
            self.fields[name].choices = blank + list(grouped.items())  # type: ignore[attr-defined]
        self.member: Member | None = None
        self.place: routing.Place | None = None

    def clean_mobile(self) -> str:
        return actions.clean_mobile(self.cleaned_data["mobile"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mobile = data.get("mobile")
        self.member = actions.known_member(mobile) if mobile else None
        codes = {key: data.get(key) for key in ("district", "tehsil", "block", "urban_body")}
        if not any(codes.values()) and self.member is not None:
            self.place = routing.Place.of_family(self.member.family)
        elif mobile:
            try:
                self.place = routing.Place.from_codes(**codes)  # type: ignore[arg-type]
            except ValidationError as error:
                self.add_error(None, error)
        return data


class NoteForm(CleanTextForm):
    note = _description_field(_("What was done"))


class ResolveForm(CleanTextForm):
    note = _description_field(_("How it was resolved"))
    attachment = forms.FileField(label=_("Attachment (PDF, JPEG or PNG, at most 2 MB)"), required=False)

    def clean_attachment(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("attachment")
        if upload is None:
            return None
        if upload.size is None or upload.size > ATTACHMENT_MAX_BYTES:
            raise ValidationError(_("The attachment is larger than 2 MB."))
        head = upload.read(8)
        upload.seek(0)
        if not head.startswith(ATTACHMENT_SIGNATURES):
            raise ValidationError(_("Attach a PDF, JPEG or PNG file."))
        return upload


class AnswerForm(CleanTextForm):
    decision = forms.ChoiceField(
        label=_("Is the problem solved?"),
        choices=[("confirm", _("Yes, it is solved")), ("reject", _("No, it is not solved"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("What is still wrong (if not solved)"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say what is still wrong."))
        return data


class ReopenForm(CleanTextForm):
    reason = _description_field(_("Why reopen it"))


class RateForm(CleanTextForm):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the resolution? (1 = not at all, 5 = fully)"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )


class ReassignForm(CleanTextForm):
    officer = forms.ModelChoiceField(label=_("Officer"), queryset=User.objects.none())
    reason = _description_field(_("Reason"))

    def __init__(self, *args: Any, complaint: Complaint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place = routing.Place(
            complaint.district, complaint.tehsil, complaint.block, complaint.panchayat, complaint.urban_body
        )

        postings = Posting.objects.current().filter(
            Q(department_id=complaint.department_id) | Q(department__isnull=True)
        )
        ids = [p.user_id for p in postings if p.role != "helpline_agent" and routing.officer_covers(p, place)]
        officers = User.objects.filter(pk__in=ids, is_active=True).order_by("username")
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]


class LookupForm(CleanTextForm):
    query = forms.CharField(label=_("Reference number or caller's mobile"), max_length=20)

    def clean_query(self) -> str:
        value = identifiers.normalise(self.cleaned_data["query"])
        if not (is_mobile(value) or (len(value) == 12 and value[0] == "G")):
            raise ValidationError(
                _("Enter a reference number (G and eleven digits) or a ten-digit mobile number.")
            )
        return value


class TrackDetailsForm(CleanTextForm):
    """What opens a complaint's progress to someone who is not logged in as its complainant."""

    reference = forms.CharField(max_length=20)
    mobile_last4 = forms.RegexField(
        label=_("Last 4 digits of the mobile number the complaint was registered with"),
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"invalid": _("Enter the last 4 digits of the mobile number, e.g. 1234.")},
    )
