"""Departmental applications that sign citizens in through Him Access, and consents.

An OAuth client (django-oauth-toolkit's ``Application``) becomes a
departmental application with a ``DepartmentApp``: its department, the
scopes it may ask for, the purpose it states for every read, and whether the
citizen's "my apps" page lists it. A citizen's ``Consent`` to an application
is a row; withdrawing it stamps ``revoked_at`` and removes the application's
tokens, and every token check also requires a live consent.

The ``sub`` an application sees is pairwise by default: a keyed hash of the
application's sector and the person's own random subject, so two departments
cannot join their records on it (docs/decisions/1122). A department that
needs the one public ``sub`` is registered so only with a recorded reason.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

if TYPE_CHECKING:
    from himaccess.accounts.models import User

# The scopes a departmental application may be allowed, each releasing these claims.
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "member_id": ("member_id",),
    "family_id": ("family_id",),
    "name": ("name", "name#hi"),
    "phone": ("phone_number", "phone_number_verified"),
    "ekyc": ("ekyc_status",),
}

SCOPE_LABELS = {
    "openid": _("That you signed in with Him Access"),
    "member_id": _("Your Member ID"),
    "family_id": _("Your Family ID"),
    "name": _("Your name, in English and Hindi"),
    "phone": _("Your verified mobile number"),
    "ekyc": _("Whether your Aadhaar e-KYC is done"),
}


def parse_scopes(text: str) -> list[str]:
    return [scope for scope in dict.fromkeys(text.split()) if scope]


def redirect_hosts(redirect_uris: str) -> set[str]:
    return {(urlsplit(uri).hostname or "").lower() for uri in redirect_uris.split()}


class SubjectType(models.TextChoices):
    PAIRWISE = "pairwise", _("pairwise (a different sub for each sector)")
    PUBLIC = "public", _("public (the same sub as every other public application)")


class DepartmentApp(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="department_app")
    name_hi = models.CharField(_("name (Hindi)"), max_length=255, blank=True)
    department = models.CharField(_("department"), max_length=120)
    allowed_scopes = models.CharField(
        _("allowed scopes"), max_length=200, default="openid", help_text=_("Space-separated.")
    )
    purpose = models.CharField(_("purpose of reading citizens' data"), max_length=200)
    purpose_hi = models.CharField(_("purpose (Hindi)"), max_length=200, blank=True)
    launch_url = models.URLField(_("launch address"), blank=True)
    listed = models.BooleanField(_('listed on citizens\' "my apps" page'), default=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    subject_type = models.CharField(
        _("subject identifier"), max_length=10, choices=SubjectType.choices, default=SubjectType.PAIRWISE
    )
    public_subject_reason = models.TextField(
        _("why this application needs the public subject identifier"),
        blank=True,
        help_text=_(
            "Required for a public subject identifier: it lets this application join its records with others."
        ),
    )
    sector_identifier = models.CharField(
        _("sector (host name)"),
        max_length=253,
        blank=True,
        help_text=_(
            "Applications of one sector see the same pairwise subject. "
            "Empty: the host of the redirect addresses."
        ),
    )

    class Meta:
        verbose_name = _("departmental application")
        verbose_name_plural = _("departmental applications")
        constraints = [
            models.CheckConstraint(
                name="listed_app_has_launch_url", condition=Q(listed=False) | ~Q(launch_url="")
            ),
            models.CheckConstraint(
                name="public_subject_has_reason",
                condition=Q(subject_type="pairwise") | ~Q(public_subject_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return self.application.name

    def scope_list(self) -> list[str]:
        return parse_scopes(self.allowed_scopes)

    def name_in(self, language: str) -> str:
        return self.name_hi if language.startswith("hi") and self.name_hi else self.application.name

    def purpose_in(self, language: str) -> str:
        return self.purpose_hi if language.startswith("hi") and self.purpose_hi else self.purpose

    def clean(self) -> None:
        super().clean()
        self.public_subject_reason = self.public_subject_reason.strip()
        if self.subject_type == SubjectType.PUBLIC and not self.public_subject_reason:
            raise ValidationError(
                {"public_subject_reason": _("Say why this application needs the public subject identifier.")}
            )
        # Before registration has made its application (the admin's form), register_client checks this.
        if (
            self.subject_type == SubjectType.PAIRWISE
            and not self.sector_identifier
            and self.application_id
            and len(redirect_hosts(self.application.redirect_uris)) > 1
        ):
            raise ValidationError(
                {
                    "sector_identifier": _(
                        "The redirect addresses are on more than one host: name the sector they share."
                    )
                }
            )


class ConsentQuerySet(models.QuerySet["Consent"]):
    def live(self) -> ConsentQuerySet:
        return self.filter(revoked_at__isnull=True)

    def covering(self, user: User, application: Application, scopes: list[str]) -> Consent | None:
        """The user's live consent to ``application`` if it covers every one of ``scopes``."""
        consent = self.live().filter(user=user, application=application).first()
        if consent is None or not set(scopes) <= set(consent.scope_list()):
            return None
        return consent


class Consent(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="consents")
    scopes = models.CharField(_("scopes"), max_length=200)
    granted_at = models.DateTimeField(_("given on"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "application"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_consent_per_user_and_app",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.application_id} ({self.scopes})"

    def scope_list(self) -> list[str]:
        return parse_scopes(self.scopes)

    def scope_labels(self) -> list[str]:
        return [str(SCOPE_LABELS.get(scope, scope)) for scope in self.scope_list()]

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


def new_subject() -> str:
    return secrets.token_hex(16)


class Subject(models.Model):
    """The opaque, stable ``sub`` claim for a person: never a database key or a register ID."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_subject"
    )
    sub = models.CharField(max_length=32, default=new_subject)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sub"], name="integrations_subject_sub_uniq"),
        ]

    def __str__(self) -> str:
        return self.sub


def sector_of(application: Application) -> str:
    """The sector whose applications share a pairwise ``sub``: the registered one, else the redirect host."""
    app = DepartmentApp.objects.filter(application=application).first()
    if app is not None and app.sector_identifier:
        return app.sector_identifier.lower()
    return min(redirect_hosts(application.redirect_uris), default="")


def uses_public_subject(application: Application) -> bool:
    return DepartmentApp.objects.filter(application=application, subject_type=SubjectType.PUBLIC).exists()


def subject_for(user: User, application: Application | None) -> str:
    """The ``sub`` ``application`` sees for ``user``.

    Pairwise: HMAC-SHA256 under a server key (``OIDC_PAIRWISE_KEY``) of the
    sector and the person's random public subject, so it is stable for a
    (sector, person), differs between sectors, and reveals neither the
    person's database key nor the public subject.
    """
    subject, _created = Subject.objects.get_or_create(user=user)
    if application is None or uses_public_subject(application):
        return subject.sub
    message = f"{sector_of(application)}\x00{subject.sub}".encode()
    return hmac.new(settings.OIDC_PAIRWISE_KEY.encode(), message, hashlib.sha256).hexdigest()


class IssuedCodeQuerySet(models.QuerySet["IssuedCode"]):
    def for_code(self, code: str) -> IssuedCode | None:
        return self.filter(code_checksum=IssuedCode.checksum(code)).first()


class IssuedCode(models.Model):
    """An authorization code Him Access issued, kept after it is exchanged.

    It carries the time the citizen logged in (the ID token's ``auth_time``)
    from the authorization request to the token request, and remembers a
    redeemed code so that a second exchange of it revokes every token the
    first one issued (RFC 9700 section 4.2.4). Only a hash of the code is stored.
    """

    code_checksum = models.CharField(max_length=64)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    auth_time = models.DateTimeField()
    issued_at = models.DateTimeField(auto_now_add=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    # The refresh-token family the exchange started: every token issued from this code.
    token_family = models.UUIDField(null=True, blank=True, db_index=True)

    objects = IssuedCodeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["code_checksum"], name="integrations_issuedcode_code_checksum_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"code for {self.application_id} at {self.issued_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def checksum(code: str) -> str:
        return hashlib.sha256(code.encode()).hexdigest()
