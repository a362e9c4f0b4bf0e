"""Cards follow the register: a change to a family's make-up reissues the cards it changed.

Handlers run after the register's transaction commits. They are idempotent
(``reissue_for_family`` skips cards whose content did not change), so a
retried dispatch is harmless. Families that never held a card are left
alone: their first card comes from the print run or the family's download.
A member who joins a family holding cards gets a card; members who never
had one are not given one because somebody else joined or left.
"""

from __future__ import annotations

from typing import Any

from himaccess.cards.actions import families_with_cards, reissue_for_family
from himaccess.events.bus import subscribe

# Event name → the reason recorded on the superseded or revoked cards.
REASONS = {
    "member.added": "member added to the family",
    "member.died": "death of a member",
    "member.migrated": "member migrated out",
    "member.transferred": "member moved between families",
    "family.split": "family split",
    "family.merged": "families merged",
    "family.head_changed": "new head of family",
    "member.corrected": "register corrected",
    "family.corrected": "register corrected",
}


# Events that bring a member into a family: that member gets a card there (the others keep theirs).
JOINING = frozenset({"member.added", "member.transferred"})


def _reissue(event: str, payload: dict[str, Any]) -> None:
    ids = [payload.get("family_id", ""), payload.get("other_family_id", "")]
    joined = [payload.get("member_id", "")] if event in JOINING else []
    for family in families_with_cards(ids):
        reissue_for_family(family, acting_user=None, reason=REASONS[event], joined=joined)


def _handler_for(event: str) -> None:
    def handle(payload: dict[str, Any]) -> None:
        _reissue(event, payload)

    handle.__name__ = f"reissue_cards_on_{event.replace('.', '_')}"
    subscribe(event)(handle)


for _event in REASONS:
    _handler_for(_event)
