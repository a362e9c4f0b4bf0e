"""Issuing an approved application's certificate, and revoking one."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import Posting, User
from himaccess.applications import certificates
from himaccess.applications.actions.records import _notify, new_number
from himaccess.applications.models import (
    CERTIFICATE_PREFIX,
    Application,
    Certificate,
)
from himaccess.audit import log as audit
from himaccess.lib.errors import NotAllowed


def issue_certificate(application: Application, *, acting_user: User, posting: Posting) -> Certificate:
    number = new_number(CERTIFICATE_PREFIX)
    issued = timezone.now()
    drafted = certificates.draft(application, number, timezone.localdate(issued))
    token, kid = certificates.sign(drafted.payload)
    output = application.service_version.output
    return Certificate.objects.create(
        number=number,
        application=application,
        issued_at=issued,
        issued_by=acting_user,
        issuer_role=posting.role,
        issuer_area_en=posting.area_name("en"),
        issuer_area_hi=posting.area_name("hi"),
        valid_until=drafted.valid_until,
        title_en=output["title_en"],
        title_hi=output["title_hi"],
        statement_en=drafted.statement_en,
        statement_hi=drafted.statement_hi,
        key_id=kid,
        token=token,
    )


@transaction.atomic
def revoke_certificate(certificate: Certificate, reason: str, *, acting_user: User) -> Certificate:
    certificate = Certificate.objects.select_for_update().select_related("application").get(pk=certificate.pk)
    if not certificate.can_be_revoked_by(acting_user):
        raise NotAllowed(_("You cannot revoke this certificate."))
    if certificate.is_revoked:
        raise NotAllowed(_("This certificate is already revoked."))
    if not reason.strip():
        raise NotAllowed(_("Give the reason for revoking the certificate."))
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = acting_user
    certificate.revocation_reason = reason.strip()
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    audit.record(
        acting_user,
        "certificate.revoked",
        certificate,
        after={"number": certificate.number, "reason": reason},
    )
    _notify(certificate.application, "service_certificate_revoked")
    return certificate
