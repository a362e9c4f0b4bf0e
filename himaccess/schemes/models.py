"""Schemes, their versioned rules, eligibility decisions, offers, enrolments and the benefit ledger.

A scheme's eligibility is a ``RuleVersion``: a rule tree (``lib.rules``) over
the attributes of ``schemes.vocabulary``, amount bands, an effective date and
the note that says which source it follows where sources disagree. Every
evaluation that changes something is an ``EligibilityDecision`` row naming
the rule version and every input with its source and date.

No benefit is stopped by a machine: when a beneficiary stops satisfying the
rule, a ``ReviewCase`` opens, the citizen is told, and only an officer may
stop the benefit, and not before the grace period ends.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import Role, User
from himaccess.departments.models import Department
from himaccess.registry.models import Member

# Roles that sanction enrolments and decide reviews, for their posting's department.
SCHEME_OFFICERS = frozenset({Role.DEPARTMENT_OFFICER, Role.DISTRICT_WELFARE_OFFICER})


class Scheme(models.Model):
    class Payment(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        ONE_TIME = "one_time", _("One-time")

    scheme_id = models.SlugField(_("scheme id"), max_length=60, db_index=False)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_hi = models.CharField(_("name (Hindi)"), max_length=200)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="schemes")
    payment = models.CharField(_("payment"), max_length=10, choices=Payment.choices, default=Payment.MONTHLY)
    # A social-security pension: receiving one bars most others ("already receives a pension").
    is_social_security_pension = models.BooleanField(_("social-security pension"), default=True)
    # At most one woman of a family may be enrolled (checked on sanction).
    one_per_family = models.BooleanField(_("one beneficiary per family"), default=False)
    active = models.BooleanField(_("open for enrolment"), default=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")
        constraints = [
            models.UniqueConstraint(fields=["scheme_id"], name="schemes_scheme_scheme_id_uniq"),
        ]

    def __str__(self) -> str:
        return self.name_en

    def name_in(self, language: str) -> str:
        return self.name_hi if language.startswith("hi") and self.name_hi else self.name_en

    def rule_on(self, on: date) -> RuleVersion | None:
        """The published rule in force on ``on``: the latest effective by then."""
        return (
            self.versions.filter(status=RuleVersion.Status.PUBLISHED, effective_from__lte=on)
            .order_by("-effective_from", "-number")
            .first()
        )


class RuleVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(_("effective from"))
    rule = models.JSONField(_("rule"))
    # [{"when": rule, "amount": 1500, "label_en": ..., "label_hi": ...}], first match wins.
    bands = models.JSONField(_("amount bands"), default=list)
    # Where sources disagree, which one this version follows and why (shown to citizens too).
    choice_note_en = models.TextField(_("choice of rule and its source (English)"))
    choice_note_hi = models.TextField(_("choice of rule and its source (Hindi)"), blank=True)
    sources = models.JSONField(_("sources"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scheme", "-number"]
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="one_number_per_scheme_rule")
        ]

    def __str__(self) -> str:
        return f"{self.scheme.scheme_id} v{self.number}"

    def choice_note_in(self, language: str) -> str:
        return (
            self.choice_note_hi if language.startswith("hi") and self.choice_note_hi else self.choice_note_en
        )


class MemberFact(models.Model):
    """A fact about a member held by a department, not by the register (e.g. a leprosy certificate).

    One row per member and attribute holds the current value; each change is
    also an audit entry.
    """

    class Attribute(models.TextChoices):
        LEPROSY = "leprosy", _("Certified leprosy patient")
        INCOME_TAX_PAYER = "income_tax_payer", _("Registered income-tax payer")
        CHILD_OF_THE_STATE = "child_of_the_state", _("Child of the State (Sukh-Ashray)")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="scheme_facts")
    attribute = models.CharField(max_length=24, choices=Attribute.choices)
    value = models.BooleanField()
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "attribute"], name="one_fact_per_member_attribute")
        ]
        indexes = [models.Index(fields=["attribute", "value"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.attribute}={self.value}"


class EligibilityDecision(models.Model):
    """One evaluation of one member for one scheme, written when anything in it changed."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="eligibility_decisions")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="decisions")
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="decisions")
    evaluated_on = models.DateField()
    eligible = models.BooleanField()
    monthly_amount = models.PositiveIntegerField(null=True, blank=True)
    # {attribute: {"value": ..., "source": ..., "at": iso time or "", "field": register field}}
    inputs = models.JSONField()
    explanation = models.JSONField()
    trigger = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["member", "scheme", "-id"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.scheme_id} {'eligible' if self.eligible else 'not eligible'}"

    def same_as(self, other: EligibilityDecision) -> bool:
        return (
            self.rule_version_id == other.rule_version_id
            and self.eligible == other.eligible
            and self.monthly_amount == other.monthly_amount
            and self.inputs == other.inputs
        )


class Offer(models.Model):
    """A scheme offered to a member who appears newly eligible; accepted with one click."""

    class Status(models.TextChoices):
        OPEN = "open", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        LAPSED = "lapsed", _("No longer eligible")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="scheme_offers")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="offers")
    decision = models.ForeignKey(EligibilityDecision, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "scheme"],
                condition=Q(status="open"),
                name="one_open_offer_per_member_scheme",
            )
        ]

    def __str__(self) -> str:
        return f"offer {self.scheme_id} to {self.member_id}"


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def for_officer(self, user: User) -> EnrolmentQuerySet:
        """Enrolments of the officer's department inside their jurisdiction."""
        posting = user.active_posting
        if posting is None or posting.role not in SCHEME_OFFICERS:
            return self.none()
        return self.filter(
            posting.family_filter("member__family__"), scheme__department_id=posting.department_code
        )

    def receiving(self) -> EnrolmentQuerySet:
        """Enrolments whose benefit is being paid (a review does not stop it)."""
        return self.filter(status=Enrolment.Status.SANCTIONED)

    def live(self) -> EnrolmentQuerySet:
        return self.filter(status__in=[Enrolment.Status.FILED, Enrolment.Status.SANCTIONED])


class Enrolment(models.Model):
    class Status(models.TextChoices):
        FILED = "filed", _("Filed, awaiting sanction")
        SANCTIONED = "sanctioned", _("Sanctioned")
        REJECTED = "rejected", _("Rejected")
        STOPPED = "stopped", _("Stopped after review")

    TRANSITIONS: dict[str, set[str]] = {
        Status.FILED: {Status.SANCTIONED, Status.REJECTED},
        Status.SANCTIONED: {Status.STOPPED},
        Status.REJECTED: set(),
        Status.STOPPED: set(),
    }

    reference = models.CharField(max_length=14)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="enrolments")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="enrolments")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.FILED)
    monthly_amount = models.PositiveIntegerField(null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "scheme"],
                condition=Q(status__in=["filed", "sanctioned"]),
                name="one_live_enrolment_per_member_scheme",
            ),
            models.UniqueConstraint(fields=["reference"], name="schemes_enrolment_reference_uniq"),
        ]

    def __str__(self) -> str:
        return self.reference

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]


class EnrolmentStep(models.Model):
    """Each transition of an enrolment, append-only."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="steps")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class ReviewCase(models.Model):
    """A beneficiary no longer appears eligible: an officer decides, after notice and a grace period."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONTINUED = "continued", _("Benefit continues")
        STOPPED = "stopped", _("Benefit stopped")

    GRACE_DAYS = 30

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="reviews")
    decision = models.ForeignKey(
        EligibilityDecision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    trigger = models.CharField(max_length=40)
    reason = models.TextField(_("why the benefit is under review"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    grace_until = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["grace_until", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"], condition=Q(status="open"), name="one_open_review_per_enrolment"
            )
        ]

    def __str__(self) -> str:
        return f"review of {self.enrolment.reference}"


class Dispute(models.Model):
    """A citizen says an input of an eligibility decision is wrong; it goes to whoever owns the data."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CORRECTED = "corrected", _("Corrected")
        REJECTED = "rejected", _("Not changed")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="scheme_disputes")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="disputes")
    attribute = models.CharField(max_length=48)
    shown_value = models.CharField(max_length=100)
    claimed_value = models.CharField(max_length=100)
    note = models.TextField(blank=True)
    # Register data: the correction request filed in the register; otherwise the owning department.
    change_request = models.ForeignKey(
        "registry.ChangeRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="dispute_routed_somewhere",
                condition=Q(change_request__isnull=False) | Q(department__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"dispute {self.attribute} of {self.member_id}"


class DepartmentClient(models.Model):
    """A department's system that posts to the benefit ledger.

    It authenticates with ``Authorization: Bearer <key_id>.<secret>``; only a
    SHA-256 hash of the random secret is stored, and the secret is shown once
    when the client is created.
    """

    name = models.CharField(_("name"), max_length=120)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    key_id = models.CharField(max_length=24)
    secret_hash = models.CharField(max_length=64)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("department ledger client")
        verbose_name_plural = _("department ledger clients")
        constraints = [
            models.UniqueConstraint(fields=["key_id"], name="schemes_departmentclient_key_id_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"


class Benefit(models.Model):
    """One payment in the ledger: exactly one per member, scheme and period."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="benefits")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="benefits")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="benefits")
    period = models.DateField(_("month"))  # the first day of the month paid for
    amount = models.PositiveIntegerField(_("amount (₹)"))
    paid_on = models.DateField(_("paid on"))
    payment_reference = models.CharField(_("payment reference"), max_length=40)
    client = models.ForeignKey(DepartmentClient, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "scheme", "period"], name="one_benefit_per_member_scheme_period"
            ),
            models.CheckConstraint(name="benefit_period_first_of_month", condition=Q(period__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.scheme_id} {self.period:%Y-%m}"
