"""Citizens' applications for Him Seva services, and everything that happens to them.

An ``Application`` is filed for one member under one ``ServiceVersion`` and
keeps that version for life. Every move (submission, each official's action,
an SLA breach, an appeal) is an append-only ``Step``; the application row
holds only the current state, guarded by ``version`` so that two officials
acting at once cannot overwrite each other. The allowed moves sit in
``TRANSITIONS`` below.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.catalog.models import Service, ServiceVersion
from himaccess.lib import identifiers
from himaccess.registry.models import Family, Member

if TYPE_CHECKING:
    from himaccess.accounts.models import Posting, User

APPLICATION_PREFIX = "A"
CERTIFICATE_PREFIX = "C"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Under process")
    RETURNED = "returned", _("Returned to you for correction")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    RESUBMIT = "resubmit", _("Corrected and submitted again")
    VERIFY = "verify", _("Verified and sent on")
    FORWARD = "forward", _("Forwarded")
    RETURN = "return", _("Returned for correction")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    OVERDUE = "overdue", _("Time limit passed without a decision")
    APPEAL = "appeal", _("Appeal filed")
    APPEAL_ALLOWED = "appeal_allowed", _("Appeal allowed: the service is to be provided")
    APPEAL_DISMISSED = "appeal_dismissed", _("Appeal dismissed")


# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Action.SUBMIT: (frozenset({Status.DRAFT}), Status.PENDING),
    Action.RESUBMIT: (frozenset({Status.RETURNED}), Status.PENDING),
    Action.VERIFY: (frozenset({Status.PENDING}), Status.PENDING),
    Action.FORWARD: (frozenset({Status.PENDING}), Status.PENDING),
    Action.RETURN: (frozenset({Status.PENDING}), Status.RETURNED),
    Action.APPROVE: (frozenset({Status.PENDING}), Status.APPROVED),
    Action.REJECT: (frozenset({Status.PENDING}), Status.REJECTED),
    Action.OVERDUE: (frozenset({Status.PENDING}), Status.PENDING),
    Action.APPEAL: (frozenset({Status.PENDING, Status.REJECTED}), ""),  # "" keeps the status
    Action.APPEAL_ALLOWED: (frozenset({Status.PENDING, Status.REJECTED}), Status.PENDING),
    Action.APPEAL_DISMISSED: (frozenset({Status.PENDING, Status.REJECTED}), ""),
}
OFFICIAL_ACTIONS = (Action.VERIFY, Action.FORWARD, Action.RETURN, Action.APPROVE, Action.REJECT)


class RejectionReason(models.TextChoices):
    DOCUMENTS = "documents", _("Documents missing or not valid")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible under the rules")
    FACTS_NOT_VERIFIED = "facts_not_verified", _("Facts could not be verified")
    OUTSIDE_AREA = "outside_area", _("Applicant does not live in this area")
    DUPLICATE = "duplicate", _("Already applied or already issued")
    OTHER = "other", _("Other (explained below)")


class ApplicationQuerySet(models.QuerySet["Application"]):
    def submitted(self) -> ApplicationQuerySet:
        return self.exclude(status=Status.DRAFT)

    def in_jurisdiction(self, posting: Posting) -> ApplicationQuerySet:
        return self.filter(posting.family_filter(prefix="family__"))

    def awaiting(self, posting: Posting) -> ApplicationQuerySet:
        """Pending applications whose current stage this posting acts on, oldest-due first."""
        return (
            self.in_jurisdiction(posting)
            .filter(status=Status.PENDING, stage_role=posting.role)
            .filter(Q(stage_department="") | Q(stage_department=posting.department_code))
            .order_by("due_at", "id")
        )

    def involving(self, posting: Posting) -> ApplicationQuerySet:
        """Submitted applications in the jurisdiction whose workflow or appeals include this role.

        A posting with a department sees its own department's services only: every
        department's officer holds the same role, so the role alone would open
        all departments' applications to each of them.
        """
        involved = self.submitted().in_jurisdiction(posting).filter(roles__contains=f"|{posting.role}|")
        if posting.department_code:
            involved = involved.filter(service__department_id=posting.department_code)
        return involved


class Application(models.Model):
    number = models.CharField(_("application number"), max_length=12)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="applications")
    service_version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT, related_name="applications")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="service_applications")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="service_applications")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The Lok Mitra Kendra operator who filed it on the citizen's behalf, after the citizen's consent.
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent = models.ForeignKey(
        "AssistedConsent", on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    stage = models.CharField(max_length=48, blank=True)
    stage_role = models.CharField(max_length=32, blank=True)
    stage_department = models.CharField(max_length=48, blank=True)
    # "|patwari|tehsildar|sdm|": every role of the workflow and the appeals, for officials' read scope.
    roles = models.CharField(max_length=200, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    # field -> {"source": register source key, "value": ..., "from": who recorded it, "at": when}
    prefilled = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    draft_expires_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "stage_role", "due_at"]),
            models.Index(fields=["family", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="applications_application_number_uniq"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def display_number(self) -> str:
        return identifiers.display(self.number)

    def can(self, action: str) -> bool:
        sources, _target = TRANSITIONS[action]
        return self.status in sources

    def stage_definition(self) -> dict[str, object] | None:
        return next((s for s in self.service_version.stages if s["stage"] == self.stage), None)

    def allowed_official_actions(self) -> list[str]:
        stage = self.stage_definition()
        if self.status != Status.PENDING or stage is None:
            return []
        return [a for a in OFFICIAL_ACTIONS if a in stage["actions"]]  # type: ignore[operator]

    def is_overdue(self, now: datetime | None = None) -> bool:
        return (
            self.status == Status.PENDING
            and self.due_at is not None
            and self.due_at < (now or timezone.now())
        )

    def draft_has_expired(self, now: datetime | None = None) -> bool:
        return (
            self.status == Status.DRAFT
            and self.draft_expires_at is not None
            and self.draft_expires_at < (now or timezone.now())
        )


class Step(models.Model):
    """One move of an application, append-only: who did what, from which state to which, and why."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    from_stage = models.CharField(max_length=48, blank=True)
    to_stage = models.CharField(max_length=48, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=32, blank=True)
    reason = models.CharField(max_length=24, choices=RejectionReason.choices, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class Document(models.Model):
    """A file a member gave once, kept under a server-made name and reused by later applications."""

    class Scan(models.TextChoices):
        NOT_SCANNED = "not_scanned", _("Not scanned (no scanner configured)")
        CLEAN = "clean", _("Scanned: clean")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="service_documents")
    kind = models.CharField(max_length=48)
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    scan = models.CharField(max_length=12, choices=Scan.choices)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["member", "kind", "-uploaded_at"])]
        constraints = [
            models.UniqueConstraint(fields=["stored_name"], name="applications_document_stored_name_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"


class AttachedDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="attachments")
    requirement = models.CharField(max_length=48)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="attachments")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "requirement"], name="one_document_per_requirement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.requirement}"


class AssistedConsent(models.Model):
    """A citizen's OTP-confirmed consent that a Lok Mitra Kendra operator applies for their family."""

    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    # The one service the citizen's code was sent for (the SMS named it); empty only on older consents.
    service = models.ForeignKey(Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"consent {self.family_id} to {self.operator_id}"

    def is_live(self, now: datetime | None = None) -> bool:
        return self.expires_at > (now or timezone.now())


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Pending with the appellate authority")
    ALLOWED = "allowed", _("Allowed")
    DISMISSED = "dismissed", _("Dismissed")


class Appeal(models.Model):
    """A first or second appeal under the Public Services Guarantee Act."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="appeals")
    level = models.PositiveSmallIntegerField()
    authority_role = models.CharField(max_length=32)
    grounds = models.TextField(_("grounds of appeal"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["level", "filed_at"]
        constraints = [models.UniqueConstraint(fields=["application", "level"], name="one_appeal_per_level")]

    def __str__(self) -> str:
        return f"{self.application_id} appeal {self.level}"

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.status == AppealStatus.PENDING and self.due_at < (now or timezone.now())


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def valid(self) -> CertificateQuerySet:
        return self.filter(revoked_at__isnull=True)


class Certificate(models.Model):
    """A signed certificate issued on approval; what it says is frozen here when issued."""

    number = models.CharField(max_length=12)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="certificate")
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issuer_role = models.CharField(max_length=32)
    issuer_area_en = models.CharField(max_length=120)
    issuer_area_hi = models.CharField(max_length=120)
    valid_until = models.DateField(null=True, blank=True)
    title_en = models.CharField(max_length=200)
    title_hi = models.CharField(max_length=200)
    statement_en = models.TextField()
    statement_hi = models.TextField()
    key_id = models.CharField(max_length=16)
    token = models.TextField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.TextField(blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["number"], name="applications_certificate_number_uniq"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def display_number(self) -> str:
        return identifiers.display(self.number)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def can_be_revoked_by(self, user: User) -> bool:
        posting = user.active_posting
        if posting is None:
            return False
        if posting.role == "state_admin":
            return True
        return Application.objects.filter(pk=self.application_id).involving(posting).exists()
