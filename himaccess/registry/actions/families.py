"""Enrolling a family with its head."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.events.bus import emit
from himaccess.geography.models import Block, District, Panchayat, Tehsil, UrbanBody, Village
from himaccess.geography.validators import validate_pincode_in_district
from himaccess.registry.actions.members import NewMember, _create_member
from himaccess.registry.actions.records import _record
from himaccess.registry.models import (
    Area,
    Family,
)


@dataclass(frozen=True)
class Address:
    district: District
    tehsil: Tehsil
    pincode: str
    area: str = Area.RURAL
    block: Block | None = None
    urban_body: UrbanBody | None = None
    panchayat: Panchayat | None = None
    village: Village | None = None
    ward: str = ""
    house: str = ""

    @classmethod
    def of(cls, family: Family, *, house: str = "") -> Address:
        """The family's place, for a household set up beside it (a split)."""
        return cls(
            district=family.district,
            tehsil=family.tehsil,
            pincode=family.pincode,
            area=family.area,
            block=family.block,
            urban_body=family.urban_body,
            panchayat=family.panchayat,
            village=family.village,
            ward=family.ward,
            house=house,
        )

    def new_family(self) -> Family:
        """An unsaved family at this address."""
        return Family(
            district=self.district,
            tehsil=self.tehsil,
            block=self.block,
            urban_body=self.urban_body,
            panchayat=self.panchayat,
            village=self.village,
            ward=self.ward,
            house=self.house,
            pincode=self.pincode,
            area=self.area,
        )


def _validate_address(address: Address) -> None:
    errors: dict[str, list[ValidationError]] = {}
    if address.tehsil.district_id != address.district.pk:
        errors.setdefault("tehsil", []).append(
            ValidationError(_("The tehsil is not in the chosen district."), code="tehsil_district")
        )
    for name in ("block", "urban_body", "panchayat", "village"):
        area = getattr(address, name)
        if area is not None and area.district_id != address.district.pk:
            errors.setdefault(name, []).append(
                ValidationError(_("This place is not in the chosen district."), code="area_district")
            )
    if address.area == Area.URBAN and address.urban_body is None:
        errors.setdefault("urban_body", []).append(
            ValidationError(_("An urban family needs its urban local body."), code="urban_body_required")
        )
    if address.area == Area.RURAL and address.urban_body is not None:
        errors.setdefault("urban_body", []).append(
            ValidationError(_("A rural family has no urban local body."), code="urban_body_rural")
        )
    try:
        validate_pincode_in_district(address.pincode, address.district)
    except ValidationError as exc:
        errors.setdefault("pincode", []).append(exc)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def register_family(address: Address, head: NewMember, *, acting_user: User | None, source: str) -> Family:
    """Enrol a new family with its head."""
    _validate_address(address)
    family = address.new_family()
    family.save()
    _record(family, {}, action="family.registered", actor=acting_user, source=source, change_request=None)
    _create_member(family, head, actor=acting_user, source=source, change_request=None, action="member.added")
    emit("family.registered", family_id=family.family_id)
    return family
