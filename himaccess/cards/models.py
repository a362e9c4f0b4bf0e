"""Him Parivar family cards and member cards, their revocation, and their printing.

A ``Card`` row is one signed credential: the QR text is stored so a card can
be printed again byte for byte. Cards are never edited after issue except
to revoke or supersede them; printing and distribution move through
``PrintRequest`` whose every transition is a ``PrintStep`` row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.accounts.models import REGISTER_APPROVERS, REGISTER_READERS
from himaccess.cards.pdf import CardFace, MemberFace
from himaccess.cards.verifier.himparivar_verify import CURRENT_LAYOUT, LEGACY_LAYOUT
from himaccess.geography.models import District
from himaccess.registry.models import Family, Member

if TYPE_CHECKING:
    from himaccess.accounts.models import User


class CardQuerySet(models.QuerySet["Card"]):
    def active(self) -> CardQuerySet:
        return self.filter(status=Card.Status.ACTIVE)

    def on_revocation_list(self) -> CardQuerySet:
        """Withdrawn cards that a verifier could still take for valid (not yet expired).

        A card superseded only to move it to the current layout is not listed
        (it says what its replacement says) until its replacement is withdrawn.
        """
        return self.filter(revocation_seq__isnull=False, expires_on__gte=timezone.localdate())

    def visible_to(self, user: User) -> CardQuerySet:
        """Cards of the families inside a register official's posting; nothing for anyone else.

        Citizens reach their own cards through the downloads, never through this list.
        """
        posting = user.active_posting if user.is_authenticated else None
        if posting is None or posting.role not in REGISTER_READERS:
            return self.none()
        return self.filter(posting.family_filter(prefix="family__"))

    def in_old_layout(self) -> CardQuerySet:
        # layout=1 rather than < CURRENT_LAYOUT: the partial index card_old_layout serves only this.
        return self.filter(status=Card.Status.ACTIVE, layout=LEGACY_LAYOUT)


class Card(models.Model):
    class Kind(models.TextChoices):
        FAMILY = "family", _("Family card")
        MEMBER = "member", _("Member card")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded by a newer card")

    kind = models.CharField(max_length=6, choices=Kind.choices)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="cards")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="cards")
    # The CWT "cti": random, so it reveals nothing and cannot be guessed.
    credential_id = models.CharField(max_length=32)
    qr_text = models.TextField()
    # Hash of what the credential says (not when): a reissue with nothing changed is skipped.
    content_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=32)
    issued_at = models.DateTimeField()
    expires_on = models.DateField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    revoked_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Position in the revocation list's history: the list's sequence number is the highest.
    # Empty for a card superseded only by a newer layout: it stays good until its successor goes.
    revocation_seq = models.BigIntegerField(null=True, blank=True, unique=True)
    # The credential's layout version (verifier/himparivar_verify.py); older ones are reissued.
    layout = models.PositiveSmallIntegerField(default=CURRENT_LAYOUT)

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["family"], condition=Q(kind="family", status="active"), name="one_active_family_card"
            ),
            models.UniqueConstraint(
                fields=["member"], condition=Q(kind="member", status="active"), name="one_active_member_card"
            ),
            models.CheckConstraint(
                name="member_card_has_member",
                condition=Q(kind="family", member__isnull=True) | Q(kind="member", member__isnull=False),
            ),
            models.UniqueConstraint(fields=["credential_id"], name="cards_card_credential_id_uniq"),
        ]
        indexes = [
            models.Index(fields=["status", "expires_on"]),
            # The layout migration walks the old cards by id; the index holds only those.
            models.Index(
                fields=["id"], condition=Q(status="active", layout=LEGACY_LAYOUT), name="card_old_layout"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.credential_id}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def can_be_revoked_by(self, user: User) -> bool:
        """An official who may approve changes to this family's register entry may withdraw its cards.

        Patwaris and welfare officers read the register but do not change it, so they do not revoke.
        """
        posting = user.active_posting if user.is_authenticated else None
        if posting is None or posting.role not in REGISTER_APPROVERS:
            return False
        return Card.objects.visible_to(user).filter(pk=self.pk).exists()

    def face(self, *, photo: bytes | None = None) -> CardFace:
        """What the printed card shows, read from the register as of now."""
        family = self.family
        members = [member_face(m) for m in family.living_members()] if self.kind == self.Kind.FAMILY else []
        return CardFace(
            qr_text=self.qr_text,
            issued_on=timezone.localdate(self.issued_at),
            expires_on=self.expires_on,
            family_id=family.family_id,
            address_en=family_address(family, "en"),
            address_hi=family_address(family, "hi"),
            member=member_face(self.member) if self.member is not None else None,
            members=members,
            photo=photo,
        )


def member_face(member: Member) -> MemberFace:
    return MemberFace(
        member_id=member.member_id,
        family_id=member.family.family_id,
        name_en=member.name_en,
        name_hi=member.name_hi,
        gender=member.gender,
        date_of_birth=member.date_of_birth,
        relation=member.relation,
    )


def family_address(family: Family, language: str) -> str:
    places = [family.village, family.panchayat, family.urban_body, family.tehsil, family.district]
    parts = [family.house, family.ward] + [p.name_in(language) for p in places if p is not None]
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return ", ".join([*seen, family.pincode])


class PrintStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PRINTED = "printed", _("Printed")
    DISPATCHED = "dispatched", _("Dispatched")
    DELIVERED = "delivered", _("Delivered")


class PrintRequestQuerySet(models.QuerySet["PrintRequest"]):
    def visible_to(self, user: User) -> PrintRequestQuerySet:
        """Requests for families inside a register official's posting; nothing for anyone else.

        Helpline agents and department officers never browse the register's
        families, so they have no print queue either.
        """
        posting = user.active_posting if user.is_authenticated else None
        if posting is None or posting.role not in REGISTER_READERS:
            return self.none()
        return self.filter(posting.family_filter(prefix="family__"))


class PrintRequest(models.Model):
    """One printed card on its way to the family, tracked per district."""

    TRANSITIONS = {
        PrintStatus.REQUESTED: PrintStatus.PRINTED,
        PrintStatus.PRINTED: PrintStatus.DISPATCHED,
        PrintStatus.DISPATCHED: PrintStatus.DELIVERED,
    }

    card = models.OneToOneField(Card, on_delete=models.PROTECT, related_name="print_request")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=PrintStatus.choices, default=PrintStatus.REQUESTED)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PrintRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["district", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.card} ({self.get_status_display()})"

    @property
    def next_status(self) -> str | None:
        following = self.TRANSITIONS.get(PrintStatus(self.status))
        return str(following) if following else None


class PrintStep(models.Model):
    """Each move of a print request, append-only: who moved it, and when."""

    request = models.ForeignKey(PrintRequest, on_delete=models.PROTECT, related_name="steps")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, choices=PrintStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"
