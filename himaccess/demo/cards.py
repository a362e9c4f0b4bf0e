"""Him Parivar cards for the demo: family cards of Mandi tehsil waiting in the officials' print queue.

The Lok Mitra operator of Mandi tehsil asks for the family cards of the
families the demo suggests logging in as, then of others of the tehsil, as a
family would at the counter; each card goes to the print queue. The patwari
then moves some along (printed, dispatched, delivered), so each step of the
queue has cards and most still wait to be printed.
"""

from __future__ import annotations

from collections import Counter

from himaccess.accounts.models import User
from himaccess.cards import actions
from himaccess.cards.models import PrintRequest
from himaccess.demo.activity import MANDI_TEHSIL, showcase
from himaccess.lib.progress import NOWHERE, track
from himaccess.registry.models import Family

# How far the patwari moves every n-th card: one in four printed, one in six sent, one in eight delivered.
MOVES = ((4, 1), (6, 2), (8, 3))


def request_prints(count: int = 24, *, out: object = NOWHERE) -> Counter[str]:
    """Cards for up to ``count`` families of Mandi tehsil; returns how many rest at each print step."""
    operator = User.objects.get(username="lokmitra.mandi")
    patwari = User.objects.get(username="prem.patwari")
    shown = [member.family_id for member in showcase()]
    others = (
        Family.objects.active()
        .filter(tehsil_id=MANDI_TEHSIL)
        .exclude(pk__in=shown)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = [*shown, *others[: max(0, count - len(shown))]]
    families = Family.objects.in_bulk(chosen)
    for number, pk in enumerate(track(chosen, "Cards requested", stream=out)):
        card = actions.issue_family_card(families[pk], acting_user=operator)
        request = PrintRequest.objects.get(card=card)
        steps = max((moves for every, moves in MOVES if number % every == every - 1), default=0)
        for _step in range(steps):
            request = actions.advance_print(request, acting_user=patwari)
    queue = PrintRequest.objects.filter(family__tehsil_id=MANDI_TEHSIL)
    return Counter(queue.values_list("status", flat=True))
