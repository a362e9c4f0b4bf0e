"""Contradictions found in the register, sent to whoever owns the data, answered by the family."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himaccess.geography.models import District
from himaccess.registry.models import Family, Member

if TYPE_CHECKING:
    from himaccess.accounts.models import User


class Rule(models.TextChoices):
    CHILD_OLDER_THAN_PARENT = "child_older", _("A child is older than a parent")
    TWO_HEADS = "two_heads", _("The family has more than one head")
    DEAD_DRAWING_BENEFIT = "dead_benefit", _("A member recorded as dead still receives a benefit")
    IN_TWO_FAMILIES = "two_families", _("A member is recorded in two families")
    PINCODE_OUTSIDE_DISTRICT = "pincode", _("The pincode is not in the family's district")
    SHARED_MOBILE = "shared_mobile", _("A mobile number is shared by implausibly many families")
    NAME_SCRIPT_MISSING = "name_script", _("A name is missing in Hindi or in English")
    AGE_NOT_FITTING_RELATION = "age_relation", _("An age does not fit the relation to the head")


class FindingQuerySet(models.QuerySet["Finding"]):
    def open(self) -> FindingQuerySet:
        return self.filter(status=Finding.Status.OPEN)

    def visible_to(self, user: User) -> FindingQuerySet:
        return self.filter(family__in=Family.objects.visible_to(user))


class Finding(models.Model):
    """One contradiction in one family's record, for the official of its area to settle by a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    rule = models.CharField(max_length=16, choices=Rule.choices)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="quality_findings")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # What distinguishes this finding from another of the same rule in the family (a member, a number).
    subject = models.CharField(max_length=40, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "family", "subject"],
                condition=models.Q(status="open"),
                name="one_open_finding_per_rule_family_subject",
            )
        ]
        indexes = [models.Index(fields=["district", "status"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.family_id} {self.subject}"


class FindingAnswer(models.Model):
    """The family's answer to a finding (append-only)."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(_("your answer"), max_length=1000)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.finding_id} answer"
