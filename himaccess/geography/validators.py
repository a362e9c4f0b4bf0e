"""Pincode checks shared by Django forms and Ninja schemas.

Both raise ``django.core.exceptions.ValidationError`` with a translated message
and a stable ``code`` a client can branch on.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from himaccess.geography.models import District, PostOffice

# Himachal Pradesh's pincodes all start with 17 (postal circle 17, 171xxx-177xxx).
_PINCODE = re.compile(r"17[1-7][0-9]{3}")


def validate_pincode(value: str) -> None:
    """Six digits in Himachal Pradesh's range (171000-177999)."""
    # [0-9], not \d: \d also matches other scripts' digits, which no database row will hold.
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{6}", value):
        raise ValidationError(_("A pincode has exactly six digits."), code="pincode_format")
    if not _PINCODE.fullmatch(value):
        raise ValidationError(
            _("%(pincode)s is not a Himachal Pradesh pincode (they run from 171000 to 177999)."),
            code="pincode_state",
            params={"pincode": value},
        )


def validate_pincode_in_district(pincode: str, district: District) -> None:
    """The pincode is well formed and a post office of ``district`` serves it."""
    validate_pincode(pincode)
    if PostOffice.objects.filter(pincode=pincode, district=district).exists():
        return
    if not PostOffice.objects.filter(pincode=pincode).exists():
        raise ValidationError(
            _("No post office in Himachal Pradesh has the pincode %(pincode)s."),
            code="pincode_unknown",
            params={"pincode": pincode},
        )
    raise ValidationError(
        _("The pincode %(pincode)s does not belong to %(district)s district."),
        code="pincode_district",
        params={"pincode": pincode, "district": district.name_in(get_language() or "en")},
    )
