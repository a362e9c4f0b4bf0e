"""Departmental applications that sign citizens in through Him Access, and consents.

An OAuth client (django-oauth-toolkit's ``Application``) becomes a
departmental application with a ``DepartmentApp``: its department, the
scopes it may ask for, the purpose it states for every read, and whether the
citizen's "my apps" page lists it. A citizen's ``Consent`` to an application
is a row; withdrawing it stamps ``revoked_at`` and removes the application's
tokens, and every token check also requires a live consent.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
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

    class Meta:
        verbose_name = _("departmental application")
        verbose_name_plural = _("departmental applications")
        constraints = [
            models.CheckConstraint(
                name="listed_app_has_launch_url", condition=Q(listed=False) | ~Q(launch_url="")
            )
        ]

    def __str__(self) -> str:
        return self.application.name

    def scope_list(self) -> list[str]:
        return parse_scopes(self.allowed_scopes)

    def name_in(self, language: str) -> str:
        return self.name_hi if language.startswith("hi") and self.name_hi else self.application.name

    def purpose_in(self, language: str) -> str:
        return self.purpose_hi if language.startswith("hi") and self.purpose_hi else self.purpose


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
    sub = models.CharField(max_length=32, unique=True, default=new_subject)

    def __str__(self) -> str:
        return self.sub
