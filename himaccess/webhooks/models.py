"""Webhooks to departments: what a client may receive, its subscriptions, the events and each delivery.

A department's client is an OAuth application (``OAUTH2_PROVIDER_APPLICATION_MODEL``).
The state administrator grants it an ``Allowance``: the webhook event types and
districts (and, for decided applications, the department) it may receive. Within
it the client keeps ``Subscription``\\ s: an https address, event types, a secret.

A domain event of interest becomes one ``WebhookEvent`` (identifiers and
minimal facts only: no names, Aadhaar or phone), and one ``Delivery`` per
subscription that wants it. A delivery's ``delivery_id`` never changes, across
retries and replays, so a receiver de-duplicates on it.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.departments.models import Department
from himaccess.geography.models import District

APPLICATION_MODEL = settings.OAUTH2_PROVIDER_APPLICATION_MODEL
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix that marks the value as a webhook secret)


class EventType(models.TextChoices):
    MEMBER_BORN = "member.born", _("A child was born into a family")
    MEMBER_DIED = "member.died", _("A member's death was recorded")
    MEMBER_MOVED = "member.moved", _("A member moved to another family or left")
    FAMILY_SPLIT = "family.split", _("A family split in two")
    FAMILY_MERGED = "family.merged", _("Two families merged")
    KYC_COMPLETED = "kyc.completed", _("A member's Aadhaar e-KYC was completed")
    APPLICATION_DECIDED = "application.decided", _("An application was approved or rejected")


@dataclass(frozen=True)
class Scope:
    """The events one subscription receives: its own choice within its client's allowance."""

    types: frozenset[str]
    districts: frozenset[int]  # empty: the whole state
    department: str | None  # decided applications of this department's services only

    def matches(self, event: WebhookEvent) -> bool:
        if event.type not in self.types:
            return False
        if self.districts and not {event.district_id, event.other_district_id} & self.districts:
            return False
        if event.type == EventType.APPLICATION_DECIDED:
            return self.department is not None and event.department_id == self.department
        return True

    def q(self) -> Q:
        """The same rule as ``matches``, for a query over ``WebhookEvent``."""
        condition = Q(type__in=sorted(self.types))
        if self.districts:
            condition &= Q(district__in=sorted(self.districts)) | Q(other_district__in=sorted(self.districts))
        decided = Q(type=EventType.APPLICATION_DECIDED)
        if self.department is None:
            return condition & ~decided
        return condition & (~decided | Q(department=self.department))


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class Allowance(models.Model):
    """What one department client may subscribe to; set by the state administrator."""

    application = models.OneToOneField(
        APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_allowance",
        verbose_name=_("department client"),
    )
    event_types = models.JSONField(_("event types"), default=list)
    districts = models.ManyToManyField(
        District,
        blank=True,
        related_name="+",
        verbose_name=_("districts"),
        help_text=_("None chosen: the whole state."),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("Decided applications only of this department's services; empty: none of them."),
    )
    granted_at = models.DateTimeField(_("granted on"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook allowance")
        verbose_name_plural = _("webhook allowances")

    def __str__(self) -> str:
        return str(self.application)

    def district_codes(self) -> set[int]:
        """The allowed districts' codes; empty means the whole state."""
        return set(self.districts.values_list("lgd_code", flat=True))


class Subscription(models.Model):
    public_id = models.UUIDField(_("subscription ID"), default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        verbose_name=_("department client"),
    )
    url = models.CharField(_("address"), max_length=2048)
    event_types = models.JSONField(_("event types"), default=list)
    # Empty: every district the allowance covers.
    districts = models.JSONField(_("districts"), default=list, blank=True)
    secret = models.CharField(max_length=80, default=new_secret, editable=False)
    # During a rotation deliveries are signed with both secrets until this time.
    previous_secret = models.CharField(max_length=80, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    # The subscriber's circuit: consecutive failed deliveries, and no attempt before ``paused_until``.
    failures = models.PositiveIntegerField(_("consecutive failures"), default=0, editable=False)
    paused_until = models.DateTimeField(_("paused until"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.application} → {self.url}"

    def scope(self, allowance: Allowance | None) -> Scope:
        """What this subscription receives now: nothing once its client's allowance is gone."""
        if allowance is None:
            return Scope(frozenset(), frozenset(), None)
        allowed = allowance.district_codes()
        chosen = {int(code) for code in self.districts}
        districts = (chosen & allowed if allowed else chosen) if chosen else allowed
        if chosen and allowed and not districts:
            return Scope(frozenset(), frozenset(), None)
        return Scope(
            frozenset(self.event_types) & frozenset(allowance.event_types),
            frozenset(districts),
            allowance.department_id,
        )

    def signing_secrets(self, now: datetime | None = None) -> list[str]:
        now = now or timezone.now()
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookEvent(models.Model):
    """A public event, built once from a domain event and delivered to every subscription that wants it."""

    type = models.CharField(_("event type"), max_length=40, choices=EventType.choices)
    # The district the event happened in, and the other one when it spans two (a move, a merge).
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, related_name="+")
    other_district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, related_name="+")
    # For decided applications: the department whose service it is.
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, related_name="+")
    data = models.JSONField(default=dict)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be delivered")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("given up")

    delivery_id = models.UUIDField(_("delivery ID"), default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("subscription")
    )
    event = models.ForeignKey(
        WebhookEvent, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    # Not before this time: after a failure the retry's time; while a worker sends it, the end of its lease.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    replay = models.BooleanField(_("replay"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="one_delivery_per_subscription_event"
            )
        ]
        indexes = [
            # Workers claim a subscriber's oldest due deliveries: a small index of the pending ones.
            models.Index(
                fields=["subscription", "id"], condition=Q(status="pending"), name="delivery_pending"
            ),
            models.Index(fields=["subscription", "created_at"], name="delivery_log"),
        ]

    def __str__(self) -> str:
        return str(self.delivery_id)
