"""CM Seva Sankalp (1100): complaints, where they go, how they climb, and how they end.

A complaint is filed against a category (department → category →
sub-category) at a place (district and tehsil always; block, panchayat or
urban body when known). The category names the role that handles it at
level 1 and its time limit; the department's ``LadderLevel`` rows say who
holds it at levels 2, 3, 4 and for how long. Every change of hands or state
is an append-only ``ComplaintStep``. A complaint is closed only when the
complainant confirms the resolution, or does not answer within the set
period (``closed_how`` keeps which, so the two are counted apart).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import Level, Role
from himaccess.departments.models import Department
from himaccess.geography.models import Block, District, Panchayat, Tehsil, UrbanBody, Village
from himaccess.lib import identifiers

if TYPE_CHECKING:
    from himaccess.accounts.models import Posting

COMPLAINT_PREFIX = "G"
SUGGESTION_PREFIX = "S"
DESCRIPTION_MAX = 2000
# The complaint's column that holds each kind of area (escalation SQL and scoping use it).
AREA_COLUMNS = {
    Level.DISTRICT: "district_id",
    Level.TEHSIL: "tehsil_id",
    Level.BLOCK: "block_id",
    Level.PANCHAYAT: "panchayat_id",
    Level.URBAN_BODY: "urban_body_id",
}


class Channel(models.TextChoices):
    WEB = "web", _("Citizen's own page")
    HELPLINE = "helpline", _("Helpline 1100")
    CHATBOT = "chatbot", _("Chatbot")
    WHATSAPP = "whatsapp", _("WhatsApp")


class Category(models.Model):
    """A node of the tree department → category → sub-category.

    A complaint is filed against a node without children. The handler's role
    and area level say who receives it at level 1, within ``time_limit_days``.
    """

    code = models.SlugField(max_length=80, db_index=False)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="complaint_categories")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name_en = models.CharField(_("name (English)"), max_length=160)
    name_hi = models.CharField(_("name (Hindi)"), max_length=160)
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (days)"), default=14)
    handler_role = models.CharField(_("handling officer's role"), max_length=32, choices=Role.choices)
    handler_level = models.CharField(_("handling officer's level"), max_length=12, choices=Level.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["department_id", "name_en"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["code"], name="grievances_category_code_uniq"),
        ]

    def __str__(self) -> str:
        return self.code

    def name_in(self, language: str) -> str:
        return self.name_hi if language.startswith("hi") else self.name_en

    def path_in(self, language: str) -> str:
        names = [self.department.name_in(language)]
        if self.parent is not None:
            names.append(self.parent.name_in(language))
        names.append(self.name_in(language))
        return " › ".join(names)


class LadderLevel(models.Model):
    """One rung of a department's escalation ladder (levels 2 and up; level 1 is the category's)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="ladder")
    number = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=32, choices=Role.choices)
    area_level = models.CharField(max_length=12, choices=Level.choices)
    hours = models.PositiveIntegerField(_("hours at this level"))
    title_en = models.CharField(max_length=120)
    title_hi = models.CharField(max_length=120)

    class Meta:
        ordering = ["department_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["department", "number"], name="one_rung_per_department_level"),
            models.CheckConstraint(name="ladder_starts_above_level_one", condition=Q(number__gte=2)),
        ]

    def __str__(self) -> str:
        return f"{self.department_id} L{self.number}"


class ComplaintQuerySet(models.QuerySet["Complaint"]):
    def open(self) -> ComplaintQuerySet:
        return self.filter(status=Complaint.Status.OPEN)

    def in_area_of(self, posting: Posting) -> ComplaintQuerySet:
        if posting.level == Level.STATE:
            return self
        column = AREA_COLUMNS[Level(posting.level)]
        return self.filter(**{column: getattr(posting, column)})


class Complaint(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("With the officer")
        RESOLVED = "resolved", _("Resolved, awaiting your confirmation")
        CLOSED = "closed", _("Closed")

    class ClosedHow(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed by the complainant")
        NO_ANSWER = "no_answer", _("No answer from the complainant within the set period")

    TRANSITIONS = {
        Status.OPEN: {Status.RESOLVED},
        Status.RESOLVED: {Status.CLOSED, Status.OPEN},
        Status.CLOSED: {Status.OPEN},
    }

    # Unique through Meta.constraints, which on PostgreSQL avoids a second (LIKE) index.
    reference = models.CharField(max_length=12)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", db_index=False)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", db_index=False)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX)
    complainant_name = models.CharField(_("caller's name"), max_length=100, blank=True)
    complainant_mobile = models.CharField(_("mobile number"), max_length=10)
    member = models.ForeignKey(
        "registry.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", db_index=False)
    tehsil = models.ForeignKey(Tehsil, on_delete=models.PROTECT, related_name="+", db_index=False)
    block = models.ForeignKey(
        Block, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    panchayat = models.ForeignKey(
        Panchayat, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    urban_body = models.ForeignKey(
        UrbanBody, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    level = models.PositiveSmallIntegerField(default=1)
    # No database-level constraint on the holder: officials are never deleted (their
    # logins are deactivated), and the escalation job moves a million holders at a time,
    # where a deferred check per row would double its run time (docs/decisions/0902).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    # No officer holds the role at this level in this place: it went to the next level up.
    routed_up = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # The category's time limit, fixed at filing: "resolved within time" compares with it.
    sla_due_at = models.DateTimeField()
    # The deadline at the current level; the escalation job compares with it.
    due_at = models.DateTimeField()
    first_action_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    resolution_attachment = models.FileField(upload_to="grievances/resolutions/", blank=True)
    # A resolution's round: a confirmation link names the round it answers, so it works once.
    resolution_round = models.PositiveSmallIntegerField(default=0)
    confirm_by = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_how = models.CharField(max_length=10, choices=ClosedHow.choices, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The escalation job: open complaints of one department and level past their deadline.
            models.Index(
                fields=["department", "level", "due_at"],
                condition=Q(status="open"),
                name="complaint_open_due",
            ),
            models.Index(
                fields=["confirm_by"], condition=Q(status="resolved"), name="complaint_awaiting_answer"
            ),
            # Duplicates: the same caller, category and place within a window.
            models.Index(fields=["complainant_mobile", "category", "created_at"], name="complaint_caller"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="one_complaint_per_reference"),
            models.CheckConstraint(
                name="complaint_rating_1_to_5", condition=Q(rating__isnull=True) | Q(rating__range=(1, 5))
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def display_reference(self) -> str:
        return identifiers.display(self.reference)

    @property
    def masked_mobile(self) -> str:
        return f"XXXXXX{self.complainant_mobile[-4:]}"

    def mobile_ends_with(self, digits: str) -> bool:
        """Whether ``digits`` are the last 4 of the complainant's number (what public tracking asks)."""
        return len(digits) == 4 and constant_time_compare(digits, self.complainant_mobile[-4:])

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.Status(self.status)]

    def time_left(self) -> timedelta:
        return self.due_at - timezone.now()

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at <= timezone.now()

    def can_reopen(self) -> bool:
        if self.status != self.Status.CLOSED or self.closed_at is None:
            return False
        return timezone.now() <= self.closed_at + timedelta(days=settings.GRIEVANCE_REOPEN_DAYS)

    def is_complainant(self, user: object) -> bool:
        """Whether ``user`` is the citizen who complained (by login or by mobile)."""
        if getattr(user, "is_official", True) or not getattr(user, "is_authenticated", False):
            return False
        return self.filed_by_id == user.pk or (  # type: ignore[attr-defined]
            bool(user.mobile) and user.mobile == self.complainant_mobile  # type: ignore[attr-defined]
        )


class ComplaintStep(models.Model):
    """One thing that happened to a complaint: who, when, why. Never edited."""

    class Kind(models.TextChoices):
        FILED = "filed", _("Registered")
        REPEAT = "repeat", _("The caller complained again (linked)")
        NOTE = "note", _("Officer's action")
        REASSIGNED = "reassigned", _("Reassigned")
        ESCALATED = "escalated", _("Escalated for delay")
        RESOLVED = "resolved", _("Resolved by the officer")
        CONFIRMED = "confirmed", _("Resolution confirmed by the complainant")
        REJECTED = "rejected", _("Resolution rejected by the complainant")
        CLOSED_NO_ANSWER = "no_answer", _("Closed: no answer from the complainant")
        REOPENED = "reopened", _("Reopened by the complainant")
        RATED = "rated", _("Rated")

    # Steps are written in bulk by the jobs and complaints are never deleted: no per-row
    # database check (docs/decisions/0902).
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="steps", db_constraint=False
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    from_level = models.PositiveSmallIntegerField(null=True, blank=True)
    to_level = models.PositiveSmallIntegerField(null=True, blank=True)
    # Unconstrained in the database for the same reason as ``Complaint.assignee``.
    from_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    to_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind}"


class Suggestion(models.Model):
    """A suggestion or a demand: recorded and forwarded, never escalated or counted as a complaint."""

    class Kind(models.TextChoices):
        SUGGESTION = "suggestion", _("Suggestion")
        DEMAND = "demand", _("Demand")

    reference = models.CharField(max_length=12)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=DESCRIPTION_MAX)
    mobile = models.CharField(max_length=10)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="grievances_suggestion_reference_uniq"),
        ]

    def __str__(self) -> str:
        return self.reference


class RouteEntry(models.Model):
    """Who holds a ladder rung in one area: rebuilt from postings before each escalation run.

    ``area_id`` is the LGD code of the rung's area (0 for the state). The
    escalation SQL joins complaints to it, so it never looks at postings row by row.
    """

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+", db_index=False)
    number = models.PositiveSmallIntegerField()
    area_level = models.CharField(max_length=12, choices=Level.choices)
    area_id = models.PositiveIntegerField()
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["department", "number", "area_level", "area_id"], name="one_route_per_area"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department_id} L{self.number} {self.area_level} {self.area_id}"


class JobRun(models.Model):
    """One run of a scheduled job, with what it did and how long it took."""

    job = models.CharField(max_length=40)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M}"
