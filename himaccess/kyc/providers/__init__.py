"""Where e-KYC data comes from: one shape of answer, whichever way it was obtained.

- ``aadhaar_otp``: UIDAI's Auth/e-KYC API 2.5 through an authentication
  agency (KUA/ASA) at ``KYC_AGENCY_URL``; ``simulator`` answers the same XML
  in-process when no agency is configured (development, demo, tests).
- ``offline``: the Paperless Offline e-KYC file the resident downloads from
  UIDAI (a zip locked with their share code, XML signed by UIDAI).

Each gives ``Demographics`` or raises ``ProviderError`` whose ``message``
is for the resident, in their language. Nothing here writes to the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Demographics:
    """What e-KYC tells us of a person; read, matched, and then dropped (only a mismatched field is kept)."""

    name: str
    # A full date, or only the year (Aadhaar records some residents by year of birth).
    date_of_birth: date | None
    year_of_birth: int
    gender: str  # "M", "F" or "T"
    last4: str = ""
    # UIDAI's transaction id, or the offline file's time: the check's reference.
    reference: str = ""


class ProviderError(Exception):
    """An e-KYC that reached no verdict on the person; ``code`` for machines, ``message`` for people."""

    MESSAGES: dict[str, Promise] = {
        "otp_wrong": _("The OTP from UIDAI is not right or has expired. Ask for a new OTP and try again."),
        "no_mobile": _(
            "No mobile number is linked to this Aadhaar number, so UIDAI cannot send an OTP. "
            "Use the offline e-KYC file instead, or visit an Aadhaar centre."
        ),
        "aadhaar_unknown": _("UIDAI does not know this Aadhaar number, or it is not active."),
        "unavailable": _("UIDAI's service cannot be reached just now. Please try again in a few minutes."),
        "rejected": _("UIDAI refused the request. Please try again later or use the offline e-KYC file."),
        "bad_response": _("UIDAI's answer could not be read. Please try again later."),
        "zip_too_large": _("The file is too large. Upload the zip file downloaded from UIDAI, as it is."),
        "zip_invalid": _("This is not the zip file of Aadhaar offline e-KYC. Download it again from UIDAI."),
        "zip_bomb": _("The file expands to far more than an offline e-KYC file can. It was refused."),
        "zip_names": _("The zip file must hold exactly one XML file, without folders. Download it again."),
        "share_code": _(
            "The share code does not open this file. Check the 4-character share code you chose."
        ),
        "share_code_tries": _(
            "Too many wrong share codes for this member. "
            "Try again tomorrow, or download a new file from UIDAI."
        ),
        "xml_invalid": _("The file is not offline e-KYC XML from UIDAI. Download it again."),
        "unsigned": _("The file carries no UIDAI signature. Download it again from UIDAI."),
        "bad_signature": _(
            "The file's signature is not UIDAI's, or the file was changed after UIDAI signed it. "
            "Download it again from UIDAI."
        ),
        "expired": _("The file is older than %(days)s days. Download a new one from UIDAI."),
        "future": _("The file's date is in the future. Download it again from UIDAI."),
        "wrong_person": _("This file is for a different Aadhaar number from the one on the register."),
        "not_configured": _("Offline e-KYC is not set up on this site yet. Use Aadhaar OTP e-KYC."),
    }

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        # The code only: an exception's text may reach a log, and must carry nothing of the person.
        super().__init__(code)

    @property
    def message(self) -> str:
        text = str(self.MESSAGES[self.code])
        return text % self.params if self.params else text


_FULL_DATE = re.compile(r"^([0-9]{2})[-/]([0-9]{2})[-/]([0-9]{4})$")
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_YEAR = re.compile(r"^[0-9]{4}$")
GENDERS = {"M": "M", "F": "F", "T": "T", "MALE": "M", "FEMALE": "F", "TRANSGENDER": "T"}


def demographics(name: str, dob: str, gender: str, *, last4: str = "", reference: str = "") -> Demographics:
    """``Demographics`` from UIDAI's text ("DD-MM-YYYY" or "YYYY", "M"/"F"/"T"); else ``bad_response``."""
    dob = (dob or "").strip()
    full = _FULL_DATE.match(dob)
    iso = _ISO_DATE.match(dob)
    born: date | None = None
    try:
        if full:
            born = date(int(full.group(3)), int(full.group(2)), int(full.group(1)))
        elif iso:
            born = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        elif not _YEAR.match(dob):
            raise ProviderError("bad_response")
    except ValueError:
        raise ProviderError("bad_response") from None
    year = born.year if born else int(dob)
    if not (1880 <= year <= date.today().year) or (born and born > date.today()):
        raise ProviderError("bad_response")
    name = " ".join((name or "").split())
    sex = GENDERS.get((gender or "").strip().upper())
    if not name or len(name) > 200 or sex is None:
        raise ProviderError("bad_response")
    return Demographics(
        name=name, date_of_birth=born, year_of_birth=year, gender=sex, last4=last4, reference=reference
    )
