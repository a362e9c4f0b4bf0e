"""Field groups: what a department may be allowed to read of a member, in named bundles.

A department client, a purpose and a citizen's consent each name groups; a read
releases only the groups all three allow (with a legal basis, the purpose's and
the client's). Each group lists the member's (or the family's) fields it
releases, and nothing outside these lists ever leaves through the data API.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

# group -> the answer's keys it releases (the names of the answer, not of the tables).
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "identity": ("name_en", "name_hi", "gender", "date_of_birth"),
    "family": ("family_id", "relation", "district", "tehsil"),
    "category": ("social_category", "is_bpl", "disability_percent"),
    "income": ("occupation", "annual_income", "ration_card_no"),
    "contact": ("mobile",),
    "bank": ("bank_account", "bank_ifsc"),
    "ekyc": ("ekyc_status",),
}

GROUP_LABELS = {
    "identity": _("Name, gender and date of birth"),
    "family": _("Family ID, relation to the head, district and tehsil"),
    "category": _("Social category, BPL status and disability"),
    "income": _("Occupation, annual income and ration card"),
    "contact": _("Mobile number"),
    "bank": _("Bank account and IFSC"),
    "ekyc": _("Whether Aadhaar e-KYC is done"),
}


def parse_groups(text: str) -> list[str]:
    return [group for group in dict.fromkeys(text.split()) if group]


def unknown_groups(groups: Iterable[str]) -> list[str]:
    return [group for group in groups if group not in FIELD_GROUPS]


def fields_of(groups: Iterable[str]) -> list[str]:
    return [name for group in groups for name in FIELD_GROUPS.get(group, ())]


def labels(groups: Iterable[str]) -> list[str]:
    return [str(GROUP_LABELS.get(group, group)) for group in groups]
