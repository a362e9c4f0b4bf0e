"""Forms for change requests, one per kind of event in a family's life.

A form validates what the family or the panchayat secretary asks for against
the family as it is. Its raw values are stored as the request's payload, and
the same form re-validates them when an official approves, against the
family as it is then (a member may have died in between).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from himaccess.geography.validators import validate_pincode_in_district
from himaccess.lib import identifiers
from himaccess.lib.forms import CleanTextForm
from himaccess.registry import validators
from himaccess.registry.actions.corrections import CORRECTABLE_FAMILY_FIELDS, CORRECTABLE_MEMBER_FIELDS
from himaccess.registry.actions.members import require_new_head
from himaccess.registry.models import (
    ChangeRequest,
    Family,
    Gender,
    MaritalStatus,
    Member,
    Occupation,
    Relation,
    ResidencyBasis,
    SocialCategory,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"})
# The empty first option of a list nobody may leave unchosen: nothing is chosen for the clerk.
CHOOSE = ("", _("Choose…"))
CHILD_RELATIONS = [
    (r.value, r.label)
    for r in (Relation.SON, Relation.DAUGHTER, Relation.GRANDSON, Relation.GRANDDAUGHTER, Relation.OTHER)
]
MARRIAGE_RELATIONS = [
    (r.value, r.label) for r in (Relation.SPOUSE, Relation.DAUGHTER_IN_LAW, Relation.SON_IN_LAW)
]


class ChangeForm(CleanTextForm):
    kind: ClassVar[str]

    def __init__(self, *args: Any, family: Family, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.family = family
        members = list(family.living_members())
        for field in self.fields.values():
            if isinstance(field, MemberField | MembersField):
                eligible = getattr(field, "eligible", None)
                living = [
                    (m.member_id, f"{m.name_in(get_language() or 'en')} ({m.display_id})")
                    for m in members
                    if eligible is None or eligible(m)
                ]
                blank = [] if isinstance(field, MembersField) else [CHOOSE if field.required else ("", "—")]
                field.choices = blank + living

    def payload(self) -> dict[str, Any]:
        """The submitted values, as stored on the request and re-validated on approval."""
        data: dict[str, Any] = {}
        for name, field in self.fields.items():
            if isinstance(field, forms.MultipleChoiceField):
                data[name] = (
                    self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name, [])
                )
            else:
                data[name] = self.data.get(name, "")
        return data

    def member(self, name: str) -> Member | None:
        member_id = self.cleaned_data.get(name)
        if not member_id:
            return None
        return self.family.members.get(member_id=member_id)

    def subject(self) -> Member | None:
        return self.member("member_id") if "member_id" in self.fields else None


class MemberField(forms.ChoiceField):
    """A member of the family, chosen from those who could be the one asked for."""

    def __init__(self, *args: Any, eligible: Callable[[Member], bool] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.eligible = eligible


# Youngest age at which a member is offered as a parent or a spouse: a list of candidates
# that offers an infant as a mother invites a mistake no clerk should be able to make.
YOUNGEST_PARENT = 12
YOUNGEST_SPOUSE = 18


def _aged(member: Member, years: int) -> bool:
    return member.age_on(timezone.localdate()) >= years


def _could_be_mother(member: Member) -> bool:
    return member.gender == Gender.FEMALE and _aged(member, YOUNGEST_PARENT)


def _could_be_father(member: Member) -> bool:
    return member.gender == Gender.MALE and _aged(member, YOUNGEST_PARENT)


def _could_be_spouse(member: Member) -> bool:
    return _aged(member, YOUNGEST_SPOUSE)


class MembersField(forms.MultipleChoiceField):
    pass


class FamilyIdField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=20, **kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return ""
        if not identifiers.is_valid(value, identifiers.FAMILY_PREFIX):
            raise ValidationError(
                _(
                    "That is not a valid Family ID: check the letters and digits "
                    "(for example F 1234 5678 901)."
                ),
                code="family_id",
            )
        return identifiers.normalise(value)


class NewPersonForm(ChangeForm):
    name_hi = forms.CharField(label=_("Name in Hindi"), max_length=100, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=100, required=False)
    # No choice is made for the clerk: a preselected gender is recorded by whoever does not look.
    gender = forms.ChoiceField(label=_("Gender"), choices=[CHOOSE, *Gender.choices])
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DATE_INPUT)

    def clean_name_hi(self) -> str:
        value: str = self.cleaned_data["name_hi"].strip()
        if value:
            validators.validate_name_hi(value)
        return value

    def clean_name_en(self) -> str:
        value: str = self.cleaned_data["name_en"].strip()
        if value:
            validators.validate_name_en(value)
        return value

    def clean_date_of_birth(self) -> Any:
        value = self.cleaned_data["date_of_birth"]
        validators.validate_date_of_birth(value)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("name_hi") and not cleaned.get("name_en") and "name_en" not in self.errors:
            self.add_error("name_hi", _("Give the name in Hindi or in English."))
        return cleaned


class BirthForm(NewPersonForm):
    kind = ChangeRequest.Kind.BIRTH
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=[CHOOSE, *CHILD_RELATIONS])
    mother = MemberField(label=_("Mother"), required=False, eligible=_could_be_mother)
    father = MemberField(label=_("Father"), required=False, eligible=_could_be_father)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        born = cleaned.get("date_of_birth")
        for name in ("mother", "father"):
            parent = self.member(name)
            if parent is None or born is None:
                continue
            if parent.date_of_birth >= born:
                self.add_error("date_of_birth", _("A child cannot be older than their parent."))
            elif parent.age_on(born) < YOUNGEST_PARENT:
                self.add_error(
                    name,
                    _("%(name)s was not yet %(years)s years old on the date of birth.")
                    % {"name": parent.name_in(translation.get_language() or "en"), "years": YOUNGEST_PARENT},
                )
        return cleaned


class MarriageInForm(NewPersonForm):
    kind = ChangeRequest.Kind.MARRIAGE_IN
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=[CHOOSE, *MARRIAGE_RELATIONS])
    spouse = MemberField(label=_("Married to"), required=False, eligible=_could_be_spouse)
    from_member_id = forms.CharField(
        label=_("Member ID in their earlier family, if they are in Him Parivar"),
        max_length=20,
        required=False,
    )

    def clean_from_member_id(self) -> str:
        value: str = self.cleaned_data["from_member_id"].strip()
        if not value:
            return ""
        if not identifiers.is_valid(value, identifiers.MEMBER_PREFIX):
            raise ValidationError(_("That is not a valid Member ID."), code="member_id")
        member = (
            Member.objects.filter(member_id=identifiers.normalise(value)).select_related("family").first()
        )
        if member is None or not member.is_living:
            raise ValidationError(_("No living member has that Member ID."), code="member_id")
        if member.family_id == self.family.pk:
            raise ValidationError(_("The member is already in this family."), code="same_family")
        return member.member_id

    def clean(self) -> dict[str, Any]:
        # A person already in the register moves with their record; their
        # name and birth date come from it, so those fields are optional.
        if self.data.get("from_member_id"):
            for name in ("name_hi", "name_en", "gender", "date_of_birth"):
                self.fields[name].required = False
                self.errors.pop(name, None)
            return self.cleaned_data
        return super().clean()


class LeavingForm(ChangeForm):
    """Someone leaves the family for good; a leaving head needs a successor."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        member, when = self.subject(), cleaned.get("date")
        if member is None:
            return cleaned
        if when is not None and when < member.date_of_birth:
            self.add_error("date", _("The date is before the date of birth."))
        try:
            require_new_head(member, cleaned.get("new_head_member_id"))
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


class DeathForm(LeavingForm):
    kind = ChangeRequest.Kind.DEATH
    member_id = MemberField(label=_("Member who died"))
    date = forms.DateField(
        label=_("Date of death"), widget=DATE_INPUT, validators=[validators.validate_past_date]
    )
    new_head_member_id = MemberField(label=_("New head of family (if the head died)"), required=False)


class MigrationForm(LeavingForm):
    kind = ChangeRequest.Kind.MIGRATION_OUT
    member_id = MemberField(label=_("Member who moved out of the State"))
    date = forms.DateField(
        label=_("Date of leaving"), widget=DATE_INPUT, validators=[validators.validate_past_date]
    )
    destination = forms.CharField(label=_("Where they moved to"), max_length=120)
    new_head_member_id = MemberField(label=_("New head of family (if the head left)"), required=False)


class MarriageOutForm(ChangeForm):
    kind = ChangeRequest.Kind.MARRIAGE_OUT
    member_id = MemberField(label=_("Member who married out"))
    to_family_id = FamilyIdField(label=_("Family ID of the new family"))
    relation = forms.ChoiceField(
        label=_("Relation to the head of the new family"), choices=[CHOOSE, *MARRIAGE_RELATIONS]
    )

    def clean_to_family_id(self) -> str:
        value: str = self.cleaned_data["to_family_id"]
        if not Family.objects.active().filter(family_id=value).exists():
            raise ValidationError(_("No active family has that Family ID."), code="family_id")
        if value == self.family.family_id:
            raise ValidationError(_("Choose another family."), code="same_family")
        return value


class SplitForm(ChangeForm):
    kind = ChangeRequest.Kind.SPLIT
    member_ids = MembersField(
        label=_("Members setting up the new family"), widget=forms.CheckboxSelectMultiple
    )
    new_head_member_id = MemberField(label=_("Head of the new family"))
    house = forms.CharField(
        label=_("House number / name of the new household"), max_length=80, required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        leaving = cleaned.get("member_ids") or []
        head = cleaned.get("new_head_member_id")
        if head and head not in leaving:
            self.add_error("new_head_member_id", _("The new head must be among those leaving."))
        current_head = self.family.head()
        if current_head is not None and current_head.member_id in leaving:
            self.add_error("member_ids", _("The head stays with the original family; change the head first."))
        return cleaned


class MergeForm(ChangeForm):
    kind = ChangeRequest.Kind.MERGE
    other_family_id = FamilyIdField(label=_("Family ID of the family joining this one"))

    def clean_other_family_id(self) -> str:
        value: str = self.cleaned_data["other_family_id"]
        other = Family.objects.active().filter(family_id=value).first()
        if other is None:
            raise ValidationError(_("No active family has that Family ID."), code="family_id")
        if other.pk == self.family.pk:
            raise ValidationError(_("A family cannot merge with itself."), code="same_family")
        if other.district_id != self.family.district_id:
            raise ValidationError(
                _("Families of different districts cannot be merged here."), code="district"
            )
        return value


class ChangeHeadForm(ChangeForm):
    kind = ChangeRequest.Kind.CHANGE_HEAD
    new_head_member_id = MemberField(label=_("New head of family"))
    old_head_relation = forms.ChoiceField(
        label=_("Relation of the present head to the new head"),
        choices=[CHOOSE, *((r.value, r.label) for r in Relation if r != Relation.HEAD)],
    )


CORRECTION_FIELD_LABELS = {
    "name_en": _("Name in English"),
    "name_hi": _("Name in Hindi"),
    "gender": _("Gender"),
    "date_of_birth": _("Date of birth"),
    "marital_status": _("Marital status"),
    "social_category": _("Social category"),
    "disability_percent": _("Disability (%)"),
    "occupation": _("Occupation"),
    "annual_income": _("Annual income (₹)"),
    "is_bpl": _("Below poverty line (yes / no)"),
    "ration_card_no": _("Ration card number"),
    "residency_basis": _("Residency basis"),
    "house": _("House number / name"),
    "ward": _("Ward"),
    "pincode": _("Pincode"),
}
CHOICE_FIELDS: dict[str, Any] = {
    "gender": Gender,
    "marital_status": MaritalStatus,
    "social_category": SocialCategory,
    "occupation": Occupation,
    "residency_basis": ResidencyBasis,
}


def choice_code(name: str, raw: str) -> str | None:
    """The code that ``raw`` names for coded field ``name``: the code, or its label in either language."""

    def key(text: str) -> str:
        # Devanagari with a nukta has two encodings: compare the canonical one.
        return unicodedata.normalize("NFC", text.strip()).casefold()

    wanted = key(raw)
    for value, label in CHOICE_FIELDS[name].choices:
        if wanted == key(str(value)):
            return str(value)
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                if wanted == key(str(label)):
                    return str(value)
    return None


def parse_field_value(name: str, raw: str) -> Any:
    """Turn typed text into the value of register field ``name``, or raise ValidationError."""
    raw = raw.strip()
    if name in CHOICE_FIELDS:
        code = choice_code(name, raw)
        if code is None:
            labels = "; ".join(str(label) for label in CHOICE_FIELDS[name].labels)
            raise ValidationError(_("Choose one of: %(choices)s"), params={"choices": labels}, code="choice")
        return code
    if name == "date_of_birth":
        value = forms.DateField().clean(raw)
        validators.validate_date_of_birth(value)
        return value
    if name in ("disability_percent", "annual_income"):
        number = forms.IntegerField(
            min_value=0, max_value=100 if name == "disability_percent" else 100_000_000
        ).clean(raw)
        return number
    if name == "is_bpl":
        if raw.lower() not in ("yes", "no", "हाँ", "नहीं"):
            raise ValidationError(_("Answer yes or no."), code="boolean")
        return raw.lower() in ("yes", "हाँ")
    if name == "name_en":
        validators.validate_name_en(raw)
    elif name == "name_hi":
        validators.validate_name_hi(raw)
    elif name == "ration_card_no":
        raw = raw.upper()
        validators.validate_ration_card(raw)
    elif name == "pincode":
        if not raw.isdigit() or len(raw) != 6:
            raise ValidationError(_("A pincode has 6 digits."), code="pincode")
    elif len(raw) > 80:
        raise ValidationError(_("The value is too long."), code="too_long")
    if not raw:
        raise ValidationError(_("Give the corrected value."), code="required")
    return raw


class CorrectionForm(ChangeForm):
    kind = ChangeRequest.Kind.CORRECTION
    member_id = MemberField(label=_("Member (leave empty for the family's address)"), required=False)
    field = forms.ChoiceField(label=_("What is wrong"), choices=[CHOOSE, *CORRECTION_FIELD_LABELS.items()])
    new_value = forms.CharField(label=_("Correct value"), max_length=100)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name, raw, member_id = cleaned.get("field"), cleaned.get("new_value"), cleaned.get("member_id")
        if not name or raw is None:
            return cleaned
        if member_id and name not in CORRECTABLE_MEMBER_FIELDS:
            self.add_error("field", _("This is a field of the family, not of a member."))
        elif not member_id and name not in CORRECTABLE_FAMILY_FIELDS:
            self.add_error("member_id", _("Choose the member whose record is wrong."))
        else:
            try:
                cleaned["value"] = parse_field_value(name, raw)
                if name == "pincode":
                    validate_pincode_in_district(cleaned["value"], self.family.district)
            except ValidationError as exc:
                self.add_error("new_value", exc)
        return cleaned


FORMS: dict[str, type[ChangeForm]] = {
    form.kind: form
    for form in (
        BirthForm,
        MarriageInForm,
        DeathForm,
        MigrationForm,
        MarriageOutForm,
        SplitForm,
        MergeForm,
        ChangeHeadForm,
        CorrectionForm,
    )
}


class DecisionForm(CleanTextForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose approve or reject.")},
    )
    reason = forms.CharField(
        label=_("Reason (needed to reject)"), max_length=1000, required=False, widget=forms.Textarea
    )


class FamilyAnswerForm(CleanTextForm):
    """The head's answer, for their family, to a request that moves people into or out of it."""

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("agree", _("I agree, for my family")), ("refuse", _("I do not agree"))],
        widget=forms.RadioSelect,
    )


class ContactForm(CleanTextForm):
    """A citizen's own change of a member's mobile number or bank account (after a fresh OTP)."""

    mobile = forms.CharField(
        label=_("Mobile number"), max_length=10, required=False, validators=[validators.validate_mobile]
    )
    bank_account = forms.CharField(
        label=_("Bank account number"),
        max_length=18,
        required=False,
        validators=[validators.validate_bank_account],
    )
    bank_ifsc = forms.CharField(label=_("IFSC of the branch"), max_length=11, required=False)

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_bank_ifsc(self) -> str:
        value: str = self.cleaned_data["bank_ifsc"].strip().upper()
        if value:
            validators.validate_ifsc(value)
        return value

    def changes(self) -> dict[str, str]:
        """The fields whose value differs from the register's."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value and value != getattr(self.member, name)
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if bool(cleaned.get("bank_account")) != bool(cleaned.get("bank_ifsc")):
            self.add_error("bank_ifsc", _("Give the account number and the IFSC together."))
        elif not self.changes():
            raise ValidationError(
                _("Nothing to change: these are the details already recorded."), code="unchanged"
            )
        return cleaned


class FamilySearchForm(CleanTextForm):
    q = forms.CharField(
        label=_("Family ID, Member ID, mobile number or name (Hindi or English)"),
        max_length=100,
        min_length=2,
    )


class MemberChoiceField(forms.ModelChoiceField):
    language = "hi"

    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name_in(self.language)} ({obj.get_relation_display()}, {obj.date_of_birth.year})"


class ChooseMemberForm(CleanTextForm):
    """A citizen whose mobile number several members share says which of them they are."""

    member = MemberChoiceField(
        label=_("Who are you?"),
        queryset=Member.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        to_field_name="member_id",
    )

    def __init__(self, data: Any = None, *, candidates: QuerySet[Member], language: str = "hi") -> None:
        super().__init__(data)
        field = self.fields["member"]
        assert isinstance(field, MemberChoiceField)
        field.queryset = candidates
        field.language = language
