"""Eligibility follows the register: life events and corrections re-evaluate the family.

Handlers run after the register's transaction commits and are idempotent
(a decision is written only when it changed; offers and reviews are opened
once), so a retried dispatch is harmless.
"""

from __future__ import annotations

from typing import Any

from himaccess.events.bus import subscribe
from himaccess.schemes.actions import reevaluation
from himaccess.schemes.models import Dispute

EVENTS = (
    "family.registered",  # a new family's first decisions and offers
    "member.added",  # a birth or a marriage into the family
    "member.died",  # the spouse may now be a widow
    "member.migrated",
    "member.transferred",
    "member.corrected",  # disability percentage, marital status, date of birth...
    "family.corrected",
    "family.split",
    "family.merged",
)


def _handler_for(event: str) -> None:
    def handle(payload: dict[str, Any]) -> None:
        members = [payload["member_id"]] if payload.get("member_id") else None
        for key in ("family_id", "other_family_id"):
            if payload.get(key):
                reevaluation.reevaluate_family(payload[key], trigger=event, member_ids=members)

    handle.__name__ = f"reevaluate_on_{event.replace('.', '_')}"
    subscribe(event)(handle)


for _event in EVENTS:
    _handler_for(_event)


@subscribe("change_request.decided")
def close_register_disputes(payload: dict[str, Any]) -> None:
    """A dispute that became a register correction closes with the register's decision."""
    status = {
        "approved": Dispute.Status.CORRECTED,
        "rejected": Dispute.Status.REJECTED,
        "withdrawn": Dispute.Status.REJECTED,
    }
    outcome = status.get(payload.get("status", ""))
    if outcome is None:
        return
    Dispute.objects.filter(
        change_request__reference=payload.get("reference"), status=Dispute.Status.OPEN
    ).update(status=outcome, resolution=payload.get("status", ""))
