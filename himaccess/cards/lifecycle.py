"""Cards follow the register: every change to a family's make-up reissues its cards.

Handlers run after the register's transaction commits. They are idempotent
(``reissue_for_family`` skips cards whose content did not change), so a
retried dispatch is harmless. Families that never held a card are left
alone: their first card comes from the print run or the family's download.
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


def _reissue(event: str, payload: dict[str, Any]) -> None:
    ids = [payload.get("family_id", ""), payload.get("other_family_id", "")]
    for family in families_with_cards(ids):
        reissue_for_family(family, acting_user=None, reason=REASONS[event])


def _handler_for(event: str) -> None:
    def handle(payload: dict[str, Any]) -> None:
        _reissue(event, payload)

    handle.__name__ = f"reissue_cards_on_{event.replace('.', '_')}"
    subscribe(event)(handle)


for _event in REASONS:
    _handler_for(_event)
