"""The audit chain and the per-family data-access log.

``AuditEntry`` rows are appended by ``audit.log.record`` inside the caller's
transaction and are never updated or deleted by the application. Each row
belongs to one of a fixed set of chains and carries its position in it
(``seq``, gap-free per chain), the hash of the row before it and its own
hash, so that ``himaccess audit verify`` can name the first row that was
edited, deleted, inserted or moved. ``AuditHead`` is one row per chain
holding its latest position and hash, updated in the same transaction as
every append to that chain and signed with a key kept outside the database:
a chain cut short at its tail, or rewritten from some row onwards, no longer
matches it. ``AuditCheckpoint`` rows, signed likewise, record every head as
the chains grow, so no chain can be removed whole or cut back to an old head
(see docs/decisions/0500-audit-hash-chain.md and
docs/decisions/1221-audit-chains-and-checkpoints.md).

``DataAccess`` rows record every read of a family's data by an official or a
department's application, with the purpose given; the family sees them.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from himaccess.audit import chain


class AuditEntry(models.Model):
    # Chain 1 holds every entry written while there was a single chain.
    chain = models.PositiveSmallIntegerField(_("chain"), default=1)
    seq = models.BigIntegerField(_("position"))
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    # Canonical JSON text (sorted keys, no spaces), hashed exactly as stored:
    # a JSON column would be re-serialised by the database on the way back.
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    source = models.CharField(_("source"), max_length=40, blank=True)
    client_address = models.CharField(_("client address"), max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_entry_chain_position")]

    def __str__(self) -> str:
        return f"#{self.chain}.{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def before_data(self) -> dict[str, Any] | None:
        return json.loads(self.before) if self.before else None

    def after_data(self) -> dict[str, Any] | None:
        return json.loads(self.after) if self.after else None

    def computed_hash(self) -> str:
        return chain.row_hash(
            chain.ChainRow(
                seq=self.seq,
                at=self.at,
                actor_id=self.actor_id,
                action=self.action,
                object_type=self.object_type,
                object_id=self.object_id,
                before=self.before,
                after=self.after,
                source=self.source,
                client_address=self.client_address,
                prev_hash=self.prev_hash,
            ),
            self.chain,
        )


class AuditHead(models.Model):
    """The row naming one chain's latest position (its ``id`` is the chain's number); appends lock it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=chain.GENESIS_HASH)
    # HMAC of (chain, seq, hash) under settings.AUDIT_HMAC_KEY; empty only at genesis.
    signature = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("audit chain head")
        constraints = [models.CheckConstraint(name="audit_head_chain_number", condition=models.Q(id__gte=1))]

    def __str__(self) -> str:
        return f"{self.id}: #{self.seq} {self.hash[:12]}"


class AuditCheckpoint(models.Model):
    """Every chain's head at one moment, signed: what verify requires all chains still to hold."""

    at = models.DateTimeField(_("time"))
    # chain.checkpoint_text: "number:seq:hash" per chain, comma-separated, in chain order.
    heads = models.TextField()
    signature = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"checkpoint {self.pk} at {self.at}"


class DataAccessQuerySet(models.QuerySet["DataAccess"]):
    def for_family(self, family: models.Model) -> DataAccessQuerySet:
        return self.filter(family=family).select_related("member", "user", "client").order_by("-at", "-id")


class DataAccess(models.Model):
    """One read of a family's (or one member's) data, by whom and why."""

    family = models.ForeignKey("registry.Family", on_delete=models.PROTECT, related_name="data_accesses")
    member = models.ForeignKey(
        "registry.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="data_accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    client = models.ForeignKey(
        "oauth2_provider.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    client_address = models.CharField(_("client address"), max_length=45, blank=True)

    objects = DataAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("data access")
        verbose_name_plural = _("data accesses")
        indexes = [models.Index(fields=["family", "-at"])]
        constraints = [
            models.CheckConstraint(
                name="data_access_has_a_reader",
                condition=models.Q(user__isnull=False) | models.Q(client__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.family_id} {self.purpose}"
