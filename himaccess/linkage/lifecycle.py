"""A person added to the register (a new family, a birth, a marriage in) is checked against everyone else.

The handler runs after the register's transaction commits, so filing and
approving never wait for it or fail because of it; what it finds goes to the
review queue of the official of the families' area. Queuing is idempotent
(one row per pair), so a redelivered event queues nothing twice.
"""

from __future__ import annotations

from typing import Any

from himaccess.events.bus import subscribe
from himaccess.linkage import actions
from himaccess.registry.models import Member


@subscribe("member.added")
def check_added_member(payload: dict[str, Any]) -> None:
    member = (
        Member.objects.select_related("family", "father", "spouse")
        .filter(member_id=payload.get("member_id", ""))
        .first()
    )
    if member is not None:
        actions.queue_on_entry(member)


@subscribe("family.registered")
def check_registered_family(payload: dict[str, Any]) -> None:
    members = Member.objects.select_related("family", "father", "spouse").filter(
        family__family_id=payload.get("family_id", "")
    )
    for member in members:
        actions.queue_on_entry(member)
