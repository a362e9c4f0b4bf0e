"""Issuing, revoking and reissuing cards, and moving printed cards along the queue.

Each function runs in one transaction with its audit row. A family's cards
follow the register: when a family changes (birth, death, migration,
marriage, split, merge, new head, correction) ``reissue_for_family`` brings
its cards in line, superseding exactly the cards whose content changed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.cards import credentials
from himaccess.cards.models import Card, PrintRequest, PrintStatus, PrintStep
from himaccess.lib import transitions
from himaccess.registry.models import Family, IdCounter, Member

VALIDITY_YEARS = 5
# Recorded on a card superseded only because its layout is out of date.
LAYOUT_REASON = "reissued in the current card layout"
# The counter kind the revocation list's sequence numbers come from.
REVOCATION_COUNTER = "R"


def expiry_for(issued: date) -> date:
    try:
        return issued.replace(year=issued.year + VALIDITY_YEARS)
    except ValueError:  # 29 February
        return issued.replace(year=issued.year + VALIDITY_YEARS, day=28)


def family_content(
    family: Family, living: list[Member] | None = None
) -> tuple[dict[int, Any], dict[int, Any]]:
    living = list(family.living_members()) if living is None else living
    head = next((m for m in living if m.relation == "head"), None)
    return credentials.family_claims(family, head, [m.member_id for m in living])


def _create_card(
    *,
    kind: str,
    family: Family,
    member: Member | None,
    content: tuple[dict[int, Any], dict[int, Any]],
    acting_user: User | None,
    now: datetime,
    request_print: bool,
) -> Card:
    claim, extension = content
    expires_on = expiry_for(timezone.localdate(now))
    credential = credentials.sign(claim, extension, issued_at=now, expires_on=expires_on)
    card = Card.objects.create(
        kind=kind,
        family=family,
        member=member,
        credential_id=credential.credential_id,
        qr_text=credential.qr_text,
        content_hash=credentials.fingerprint(claim, extension),
        key_id=credential.key_id,
        issued_at=now,
        expires_on=expires_on,
        issued_by=acting_user,
        layout=credentials.LAYOUT,
    )
    if request_print:
        _request_print(card, acting_user=acting_user, now=now)
    audit.record(
        acting_user,
        "card.issued",
        member or family,
        after={"kind": kind, "credential_id": card.credential_id, "key_id": card.key_id},
        source="cards",
    )
    return card


def _request_print(card: Card, *, acting_user: User | None, now: datetime) -> PrintRequest:
    request = PrintRequest.objects.create(
        card=card, family=card.family, district_id=card.family.district_id, created_at=now, updated_at=now
    )
    PrintStep.objects.create(request=request, to_status=PrintStatus.REQUESTED, actor=acting_user, at=now)
    return request


def _list(card: Card) -> None:
    # In commit order (row lock until commit): the list's sequence is the largest value, and a
    # revocation committed later must raise it, or a cached list would miss it.
    card.revocation_seq = IdCounter.reserve_in_commit_order(REVOCATION_COUNTER) + 1  # 0: none revoked


def _withdraw(
    card: Card,
    *,
    status: str,
    reason: str,
    acting_user: User | None,
    replacement: Card | None,
    listed: bool = True,
) -> None:
    """Take a card out of use; ``listed=False`` only for a layout change, whose old card stays good."""
    card.status = status
    card.revoked_at = timezone.now()
    card.reason = reason[:200]
    card.superseded_by = replacement
    if listed:
        _list(card)
        # Cards it replaced only for their layout say what it said: they go on the list with it.
        for honoured in Card.objects.select_for_update().filter(
            superseded_by=card, revocation_seq__isnull=True
        ):
            _list(honoured)
            honoured.save(update_fields=["revocation_seq"])
    card.save(update_fields=["status", "revoked_at", "reason", "superseded_by", "revocation_seq"])
    audit.record(
        acting_user,
        f"card.{status}",
        card.member or card.family,
        after={"kind": card.kind, "credential_id": card.credential_id, "reason": card.reason},
        source="cards",
    )


def _replace(
    current: Card | None,
    *,
    kind: str,
    family: Family,
    member: Member | None,
    content: tuple[dict[int, Any], dict[int, Any]],
    acting_user: User | None,
    reason: str,
    force: bool,
    request_print: bool,
) -> Card:
    if current is not None and not force and current.content_hash == credentials.fingerprint(*content):
        return current
    if current is not None:
        # Withdraw first: the one-active-card constraint would refuse the new row otherwise.
        _withdraw(
            current, status=Card.Status.SUPERSEDED, reason=reason, acting_user=acting_user, replacement=None
        )
    card = _create_card(
        kind=kind,
        family=family,
        member=member,
        content=content,
        acting_user=acting_user,
        now=timezone.now(),
        request_print=request_print,
    )
    if current is not None:
        Card.objects.filter(pk=current.pk).update(superseded_by=card)
    return card


def _check_issuable(family: Family, member: Member | None = None) -> None:
    if family.status != Family.Status.ACTIVE:
        raise ValidationError(_("Cards are issued only to active families."), code="family_inactive")
    if member is not None and not member.is_living:
        raise ValidationError(_("Cards are issued only to living members."), code="member_not_living")


@transaction.atomic
def issue_family_card(
    family: Family, *, acting_user: User | None, request_print: bool = True, reason: str = ""
) -> Card:
    """A family card for the family as it is now, superseding its current one if that differs."""
    family = Family.objects.select_for_update().get(pk=family.pk)
    _check_issuable(family)
    current = Card.objects.active().filter(kind=Card.Kind.FAMILY, family=family).first()
    return _replace(
        current,
        kind=Card.Kind.FAMILY,
        family=family,
        member=None,
        content=family_content(family),
        acting_user=acting_user,
        reason=reason or "reissued",
        force=False,
        request_print=request_print,
    )


@transaction.atomic
def issue_member_card(
    member: Member, *, acting_user: User | None, request_print: bool = True, reason: str = ""
) -> Card:
    member = Member.objects.select_for_update().select_related("family").get(pk=member.pk)
    _check_issuable(member.family, member)
    current = Card.objects.active().filter(kind=Card.Kind.MEMBER, member=member).first()
    return _replace(
        current,
        kind=Card.Kind.MEMBER,
        family=member.family,
        member=member,
        content=credentials.member_claims(member),
        acting_user=acting_user,
        reason=reason or "reissued",
        force=False,
        request_print=request_print,
    )


@transaction.atomic
def revoke(card: Card, *, reason: str, acting_user: User | None) -> Card:
    card = Card.objects.select_for_update().get(pk=card.pk)
    if not reason.strip():
        raise ValidationError(_("Give a reason for revoking the card."), code="reason_required")
    if not card.is_active:
        raise ValidationError(_("This card is already withdrawn."), code="not_active")
    _withdraw(card, status=Card.Status.REVOKED, reason=reason, acting_user=acting_user, replacement=None)
    return card


@transaction.atomic
def reissue_for_family(
    family: Family,
    *,
    acting_user: User | None,
    reason: str,
    force: bool = False,
    joined: Collection[str] = (),
) -> list[Card]:
    """Bring the cards a family holds in line with the register; returns the cards issued.

    Cards of members no longer living in the family (died, migrated, moved
    away) are revoked, every card when the family is no longer active. A card
    whose content changed is superseded by a new one, queued for printing; a
    card whose content is unchanged stays, unless ``force`` (a lost or damaged
    card). A first card is issued only to the members in ``joined`` (Member
    IDs: born into the family, married into it, moved in) and only while the
    family holds a card: a birth changes the family card (its member list)
    and brings the newborn's card, not cards for members who never had one.
    Without ``force`` a second run changes nothing, so event handlers may
    call it on every retry.
    """
    family = Family.objects.select_for_update().get(pk=family.pk)
    living = list(family.living_members()) if family.status == Family.Status.ACTIVE else []
    living_ids = {m.pk for m in living}
    # A member who moved in may still hold the card naming the family they left: theirs to replace.
    active = list(
        Card.objects.active()
        .filter(Q(family=family) | Q(kind=Card.Kind.MEMBER, member_id__in=living_ids))
        .select_related("member")
    )
    for card in active:
        gone = (
            card.member_id not in living_ids
            if card.kind == Card.Kind.MEMBER
            else family.status != Family.Status.ACTIVE
        )
        if gone:
            _withdraw(
                card, status=Card.Status.REVOKED, reason=reason, acting_user=acting_user, replacement=None
            )
    in_use = [c for c in active if c.is_active]
    if not in_use:
        return []
    by_member = {c.member_id: c for c in in_use if c.kind == Card.Kind.MEMBER}
    family_card = next((c for c in in_use if c.kind == Card.Kind.FAMILY), None)
    issued: list[Card] = []
    if family_card is not None:
        new_family_card = _replace(
            family_card,
            kind=Card.Kind.FAMILY,
            family=family,
            member=None,
            content=family_content(family, living),
            acting_user=acting_user,
            reason=reason,
            force=force,
            request_print=True,
        )
        if new_family_card is not family_card:
            issued.append(new_family_card)
    for member in living:
        current = by_member.get(member.pk)
        if current is None and member.member_id not in joined:
            continue
        member.family = family  # already locked and loaded: the claims read its Family ID
        card = _replace(
            current,
            kind=Card.Kind.MEMBER,
            family=family,
            member=member,
            content=credentials.member_claims(member),
            acting_user=acting_user,
            reason=reason,
            force=force,
            request_print=True,
        )
        if card is not current:
            issued.append(card)
    return issued


@transaction.atomic
def advance_print(request: PrintRequest, *, acting_user: User, note: str = "") -> PrintRequest:
    """Move a printed card one step along requested → printed → dispatched → delivered."""
    request = transitions.lock(request)
    following = request.next_status
    if following is None:
        raise ValidationError(_("This card has already been delivered."), code="print_finished")
    now = timezone.now()
    transitions.move(
        request,
        following,
        transitions=PrintRequest.TRANSITIONS,
        refused=lambda: ValidationError(_("This card has already been delivered."), code="print_finished"),
        changes={"updated_at": now},
        step=lambda previous: PrintStep.objects.create(
            request=request,
            from_status=previous,
            to_status=following,
            actor=acting_user,
            note=note[:200],
            at=now,
        ),
        audit=lambda previous: audit.record(
            acting_user,
            "card.print_advanced",
            request.family,
            before={"status": previous},
            after={"status": following, "credential_id": request.card.credential_id},
            source="cards",
        ),
    )
    return request


def families_with_cards(family_ids: Iterable[str]) -> list[Family]:
    """Those of the families (by Family ID) that hold or held a card: only they are reissued."""
    return list(
        Family.objects.filter(family_id__in=[f for f in family_ids if f], cards__isnull=False).distinct()
    )


@transaction.atomic
def issue_for_print_run(
    families: list[Family], *, with_members: bool, acting_user: User | None, district_code: int
) -> list[Card]:
    """The cards of a chunk of families for a print run: current ones reused, missing ones issued in bulk.

    One audit row covers the chunk (how many were issued, for which district);
    every card printed gets a print request already at "printed".
    """
    now = timezone.now()
    expires_on = expiry_for(timezone.localdate(now))
    family_pks = [f.pk for f in families]
    # A card of an older layout is not printed again: it is replaced first (decision 1131).
    printing = {Card.Kind.FAMILY, Card.Kind.MEMBER} if with_members else {Card.Kind.FAMILY}
    stale = set(
        Card.objects.in_old_layout().filter(family_id__in=family_pks).values_list("family_id", flat=True)
    )
    for family in families:
        if family.pk in stale:
            reissue_in_current_layout(family, acting_user=acting_user, printing_now=printing)
    active = Card.objects.active().filter(family_id__in=family_pks)
    if not with_members:
        active = active.filter(kind=Card.Kind.FAMILY)
    existing = {(c.family_id, c.member_id): c for c in active}
    living: dict[int, list[Member]] = {pk: [] for pk in family_pks}
    for person in Member.objects.living().filter(family_id__in=family_pks).order_by("date_of_birth", "pk"):
        living[person.family_id].append(person)
    cards: list[Card] = []
    new: list[Card] = []
    for family in families:
        wanted: list[tuple[Member | None, tuple[dict[int, Any], dict[int, Any]]]] = [
            (None, family_content(family, living[family.pk]))
        ]
        if with_members:
            for living_member in living[family.pk]:
                living_member.family = family  # already loaded: spares a query per member
                wanted.append((living_member, credentials.member_claims(living_member)))
        for member, content in wanted:
            card = existing.get((family.pk, member.pk if member else None))
            if card is not None and member is not None:
                card.member = member
            if card is None:
                claim, extension = content
                credential = credentials.sign(claim, extension, issued_at=now, expires_on=expires_on)
                card = Card(
                    kind=Card.Kind.MEMBER if member else Card.Kind.FAMILY,
                    family=family,
                    member=member,
                    credential_id=credential.credential_id,
                    qr_text=credential.qr_text,
                    content_hash=credentials.fingerprint(claim, extension),
                    key_id=credential.key_id,
                    issued_at=now,
                    expires_on=expires_on,
                    issued_by=acting_user,
                    layout=credentials.LAYOUT,
                )
                new.append(card)
            card.family = family
            cards.append(card)
    Card.objects.bulk_create(new)
    already = set(
        PrintRequest.objects.filter(card__in=[c for c in cards if c.pk]).values_list("card_id", flat=True)
    )
    requests = [
        PrintRequest(
            card=c,
            family=c.family,
            district_id=district_code,
            status=PrintStatus.PRINTED,
            created_at=now,
            updated_at=now,
        )
        for c in cards
        if c.pk not in already
    ]
    PrintRequest.objects.bulk_create(requests)
    PrintStep.objects.bulk_create(
        PrintStep(request=r, from_status=f, to_status=t, actor=acting_user, at=now)
        for r in requests
        for f, t in (("", PrintStatus.REQUESTED), (PrintStatus.REQUESTED, PrintStatus.PRINTED))
    )
    if new:
        audit.record(
            acting_user,
            "card.print_run_issued",
            None,
            after={"district": district_code, "issued": len(new), "printed": len(cards)},
            source="cards",
        )
    return cards


@transaction.atomic
def reissue_in_current_layout(
    family: Family, *, acting_user: User | None, printing_now: Collection[str] = ()
) -> list[Card]:
    """Replace the family's active cards of an older layout; returns the cards issued.

    Each replacement is queued for printing, except cards of the kinds in
    ``printing_now`` (a print run prints those this moment). The old card is superseded but
    not put on the revocation list: it says what its replacement says, so it
    stays good until it expires or its replacement is withdrawn (then both
    are listed). Cards of members no longer living in the family, or of a
    family no longer active, are revoked instead. A second run finds nothing
    to do, so an interrupted migration is simply run again.
    """
    family = Family.objects.select_for_update().get(pk=family.pk)
    old = list(Card.objects.in_old_layout().filter(family=family).select_related("member").order_by("pk"))
    if not old:
        return []
    living = list(family.living_members()) if family.status == Family.Status.ACTIVE else []
    by_pk = {m.pk: m for m in living}
    issued: list[Card] = []
    now = timezone.now()
    for card in old:
        member = by_pk.get(card.member_id) if card.member_id is not None else None
        if family.status != Family.Status.ACTIVE or (card.kind == Card.Kind.MEMBER and member is None):
            _withdraw(
                card,
                status=Card.Status.REVOKED,
                reason="no longer in the family",
                acting_user=acting_user,
                replacement=None,
            )
            continue
        _withdraw(
            card,
            status=Card.Status.SUPERSEDED,
            reason=LAYOUT_REASON,
            acting_user=acting_user,
            replacement=None,
            listed=False,
        )
        if member is not None:
            member.family = family
        content = credentials.member_claims(member) if member is not None else family_content(family, living)
        new = _create_card(
            kind=card.kind,
            family=family,
            member=member,
            content=content,
            acting_user=acting_user,
            now=now,
            request_print=card.kind not in printing_now,
        )
        Card.objects.filter(pk=card.pk).update(superseded_by=new)
        issued.append(new)
    return issued
