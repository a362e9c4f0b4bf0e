"""Assisted applications: the citizen consents, by a code on their phone, to an operator applying."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.accounts import otp
from himaccess.accounts.language import language_for
from himaccess.accounts.models import OtpPurpose, Posting, Role, User
from himaccess.applications.access import families_served_by
from himaccess.applications.models import (
    AssistedConsent,
)
from himaccess.audit import log as audit
from himaccess.catalog.models import Service
from himaccess.lib.errors import NotAllowed
from himaccess.registry.models import Member

CONSENT_MINUTES = 60


CONSENT_TEMPLATE = "assisted_consent"


def _check_consent_covers(consent: AssistedConsent | None, service: Service) -> None:
    if consent is not None and consent.service_id != service.pk:
        raise NotAllowed(
            _("The citizen consented to an application for another service. Ask for consent to this one.")
        )


def _check_operator(member: Member, operator: User) -> Posting:
    posting = operator.active_posting
    if posting is None or posting.role != Role.LOK_MITRA_OPERATOR:
        raise NotAllowed(_("Only a Lok Mitra Kendra operator can apply on a citizen's behalf."))
    if not families_served_by(posting).filter(pk=member.family_id).exists():
        raise NotAllowed(_("This family is not in the area your Lok Mitra Kendra serves."))
    return posting


def operator_name(operator: User) -> str:
    return operator.get_full_name() or operator.username


def ask_consent(member: Member, service: Service, *, operator: User, request: HttpRequest | None) -> None:
    """Text the citizen a code naming the operator, centre and service (may raise ``otp.Throttled``)."""
    posting = _check_operator(member, operator)
    mobile = member.contact_mobile()
    if not mobile:
        raise NotAllowed(_("The family has no mobile number in the register to confirm consent."))
    # The citizen reads it: their language, not the operator's screen's.
    language = language_for(mobile)
    params = {
        "operator": operator_name(operator),
        "centre": posting.area_name(language),
        "service": service.name_in(language),
    }
    otp.issue(
        mobile, OtpPurpose.CONSENT, request, template=CONSENT_TEMPLATE, params=params, language=language
    )


@transaction.atomic
def grant_consent(
    member: Member, service: Service, code: str, *, operator: User, request: HttpRequest | None
) -> AssistedConsent:
    """The citizen's code, given to the operator, records their consent for that one service."""
    _check_operator(member, operator)
    mobile = member.contact_mobile()
    if not mobile or not otp.verify(mobile, OtpPurpose.CONSENT, code, request):
        raise NotAllowed(_("The code is not right or has expired. Ask the citizen for the latest code."))
    now = timezone.now()
    consent = AssistedConsent.objects.create(
        operator=operator,
        member=member,
        family=member.family,
        service=service,
        granted_at=now,
        expires_at=now + timedelta(minutes=CONSENT_MINUTES),
    )
    audit.record(
        operator,
        "application.assisted_consent",
        member,
        after={"family_id": member.family.family_id, "service": service.code},
        request=request,
    )
    return consent
