"""Department clients, the purposes they read for, and citizens' consents to them.

A department's system is an OAuth client (django-oauth-toolkit's
``Application``, client-credentials grant) with a ``DataClient`` profile: its
department, the purposes it may state and the field groups it may ever read.
Its secrets are ``ClientSecret`` rows (hashes only); during a rotation two are
live and the old one expires at the end of the overlap.

A ``Purpose`` belongs to one department. With a ``legal_basis`` (a law that
lets the state process the data without consent) a read needs no consent but
is still logged; otherwise the client needs a live ``ConsentRequest``: asked
for by the department, approved by the citizen (on their page or with the
code sent by SMS), not expired and not withdrawn. Every check reads these rows
at the moment of the read: nothing is cached, so a withdrawal stops reads at once.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

from himaccess.departments.models import Department
from himaccess.registry.models import Member
from himaccess.sharing.fields import parse_groups

# Scopes of the client-credentials grant; the OpenID Connect scopes of citizens' sign-on are others.
SCOPE_VERIFY = "register.verify"
SCOPE_READ = "register.read"
CLIENT_SCOPES = {
    SCOPE_VERIFY: _("Check that a Family ID or Member ID exists, is alive, and its district"),
    SCOPE_READ: _("Ask citizens for consent and read the consented fields"),
}


class Purpose(models.Model):
    code = models.SlugField(_("code"), max_length=60, primary_key=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    name_en = models.CharField(_("purpose (English)"), max_length=150)
    name_hi = models.CharField(_("purpose (Hindi)"), max_length=150)
    field_groups = models.CharField(_("field groups"), max_length=200, help_text=_("Space-separated."))
    legal_basis = models.TextField(
        _("legal basis without consent"),
        blank=True,
        help_text=_("The law that lets the state read this without consent; empty: consent is needed."),
    )
    consent_days = models.PositiveSmallIntegerField(_("consent lasts (days)"), default=90)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("purpose of a department's reads")
        verbose_name_plural = _("purposes of departments' reads")
        constraints = [
            models.CheckConstraint(
                name="purpose_consent_days_in_range", condition=Q(consent_days__gte=1, consent_days__lte=730)
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.department_id})"

    def groups(self) -> list[str]:
        return parse_groups(self.field_groups)

    def name_in(self, language: str) -> str:
        return self.name_hi if language.startswith("hi") and self.name_hi else self.name_en

    @property
    def needs_consent(self) -> bool:
        return not self.legal_basis.strip()

    def logged_as(self) -> str:
        """The purpose as the family's access log states it (with the law, when one is the basis)."""
        if self.needs_consent:
            return self.name_en
        return f"{self.name_en} ({self.legal_basis.strip()})"[:200]


class DataClientQuerySet(models.QuerySet["DataClient"]):
    def active(self) -> DataClientQuerySet:
        return self.filter(active=True)


class DataClient(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="data_client")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    name_hi = models.CharField(_("name (Hindi)"), max_length=255, blank=True)
    purposes = models.ManyToManyField(Purpose, related_name="clients", blank=True)
    field_groups = models.CharField(_("field groups it may read"), max_length=200)
    requests_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    active = models.BooleanField(_("active"), default=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    objects = DataClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("department data client")
        verbose_name_plural = _("department data clients")

    def __str__(self) -> str:
        return self.application.name

    @property
    def client_id(self) -> str:
        return str(self.application.client_id)

    def groups(self) -> list[str]:
        return parse_groups(self.field_groups)

    def name_in(self, language: str) -> str:
        return self.name_hi if language.startswith("hi") and self.name_hi else str(self.application.name)


def secret_hash(secret: str) -> str:
    # Secrets are 256 random bits: a plain SHA-256 cannot be brute-forced and costs nothing per token.
    return hashlib.sha256(secret.encode()).hexdigest()


class ClientSecretQuerySet(models.QuerySet["ClientSecret"]):
    def live(self, now: datetime | None = None) -> ClientSecretQuerySet:
        moment = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=moment))


class ClientSecret(models.Model):
    client = models.ForeignKey(DataClient, on_delete=models.CASCADE, related_name="secrets")
    secret_hash = models.CharField(max_length=64)
    # The first characters, so an administrator can tell two live secrets apart.
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ClientSecretQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["secret_hash"], name="sharing_clientsecret_secret_hash_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.client_id})"


class Channel(models.TextChoices):
    PAGE = "page", _("on the citizen's page")
    SMS = "sms", _("with a code sent by SMS")


class Decision(models.TextChoices):
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class ConsentRequestQuerySet(models.QuerySet["ConsentRequest"]):
    def live(self, now: datetime | None = None) -> ConsentRequestQuerySet:
        moment = now or timezone.now()
        return self.filter(decision=Decision.APPROVED, withdrawn_at__isnull=True, expires_at__gt=moment)

    def pending(self, now: datetime | None = None) -> ConsentRequestQuerySet:
        moment = now or timezone.now()
        return self.filter(decision="", answer_by__gt=moment)


class ConsentRequest(models.Model):
    """A department's request to read one member's data for one purpose, and the citizen's answer."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(DataClient, on_delete=models.PROTECT, related_name="consent_requests")
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    field_groups = models.CharField(max_length=200)
    channel = models.CharField(max_length=4, choices=Channel.choices)
    requested_at = models.DateTimeField(default=timezone.now)
    answer_by = models.DateTimeField()
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_with = models.CharField(max_length=4, choices=Channel.choices, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ConsentRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["client", "member", "purpose"])]
        constraints = [
            models.CheckConstraint(
                name="approved_consent_has_expiry",
                condition=~Q(decision="approved") | Q(expires_at__isnull=False),
            ),
            models.CheckConstraint(
                name="withdrawn_consent_was_approved",
                condition=Q(withdrawn_at__isnull=True) | Q(decision="approved"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.client_id}→{self.member_id} {self.purpose_id}"

    def groups(self) -> list[str]:
        return parse_groups(self.field_groups)

    def status(self, now: datetime | None = None) -> str:
        moment = now or timezone.now()
        if self.decision == Decision.REFUSED:
            return "refused"
        if self.decision == Decision.APPROVED:
            if self.withdrawn_at is not None:
                return "withdrawn"
            if self.expires_at is not None and self.expires_at <= moment:
                return "expired"
            return "approved"
        return "pending" if self.answer_by > moment else "unanswered"
