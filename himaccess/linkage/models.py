"""Suspected duplicate persons, the officials' decisions on them, and the model that found them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from himaccess.registry.models import ChangeRequest, Family, Member

if TYPE_CHECKING:
    from himaccess.accounts.models import User


class TrainedModel(models.Model):
    """A model trained on the register (EM, no labels): Splink's JSON and the threshold in force.

    A model is put in force only if it passed the check on the lookalike list
    (``acceptance``); a refused one is kept with its figures, for the record, and never used.
    Rows from before the check count as accepted (they were in force).
    """

    trained_at = models.DateTimeField(auto_now_add=True)
    records = models.PositiveIntegerField()
    model = models.JSONField()
    threshold = models.FloatField(default=0.9)
    accepted = models.BooleanField(default=True)
    # The check's figures at ``threshold``; empty for rows from before the check.
    check_precision = models.FloatField(null=True, blank=True)
    check_recall = models.FloatField(null=True, blank=True)
    # The recall of the model that was in force, on the same list, at its own threshold.
    check_recall_in_force = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-trained_at", "-id"]
        get_latest_by = "trained_at"

    def __str__(self) -> str:
        return f"model of {self.trained_at:%Y-%m-%d} ({self.records} records)"

    @property
    def verdict(self) -> str:
        """Accepted or refused, in the reader's language."""
        return str(_("accepted") if self.accepted else _("refused"))


class CandidatePairQuerySet(models.QuerySet["CandidatePair"]):
    def open(self) -> CandidatePairQuerySet:
        return self.filter(status=CandidatePair.Status.OPEN)

    def visible_to(self, user: User) -> CandidatePairQuerySet:
        """Pairs of which both families lie in the official's jurisdiction (a decision acts on both)."""
        visible = Family.objects.visible_to(user)
        if user.active_posting is None:
            return self.none()
        return self.filter(member_l__family__in=visible, member_r__family__in=visible)


class CandidatePair(models.Model):
    """Two members the model thinks may be one person, waiting for an official."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a decision")
        SAME = "same", _("Same person")
        DIFFERENT = "different", _("Different people")

    class Origin(models.TextChoices):
        BATCH = "batch", _("Run over the whole register")
        ON_ENTRY = "on_entry", _("Check when a person was added")

    reference = models.CharField(max_length=16)
    member_l = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    member_r = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    match_probability = models.FloatField()
    # Per comparison: the level reached and its weight (log2 Bayes factor), for the official.
    evidence = models.JSONField(default=list)
    origin = models.CharField(max_length=10, choices=Origin.choices)
    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField(auto_now_add=True)

    objects = CandidatePairQuerySet.as_manager()

    class Meta:
        ordering = ["-match_probability", "id"]
        constraints = [
            # One row per pair, stored with the smaller key on the left: a pair decided
            # "different" is never proposed again because it is never inserted again.
            models.UniqueConstraint(fields=["member_l", "member_r"], name="one_candidate_row_per_pair"),
            models.CheckConstraint(
                name="candidate_pair_ordered", condition=Q(member_l__lt=models.F("member_r"))
            ),
            models.UniqueConstraint(fields=["reference"], name="linkage_candidatepair_reference_uniq"),
        ]
        indexes = [models.Index(fields=["status", "-match_probability"])]

    def __str__(self) -> str:
        return self.reference


class PairDecision(models.Model):
    """An official's decision on a pair; append-only, and what recalibrates the threshold."""

    class Kind(models.TextChoices):
        SAME = "same", _("Same person")
        DIFFERENT = "different", _("Different people")

    pair = models.OneToOneField(CandidatePair, on_delete=models.PROTECT, related_name="decision")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    match_probability = models.FloatField()  # the score the official saw
    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.pair_id} {self.kind}"
