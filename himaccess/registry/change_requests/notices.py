"""The SMS each family gets as its request moves."""

from __future__ import annotations

from django.urls import reverse

from himaccess.accounts.language import language_for
from himaccess.lib import identifiers, links
from himaccess.notifications import sms
from himaccess.registry.models import (
    ChangeRequest,
    Family,
)


def _tell(family: Family, template: str, request: ChangeRequest) -> None:
    """SMS the family's head on the register (sent after commit, like every SMS)."""
    mobile = family.head_mobile()
    if not mobile:
        return
    url = links.absolute(reverse("registry:change_request", kwargs={"reference": request.reference}))
    sms.send(
        mobile,
        template,
        {"reference": identifiers.display(request.reference), "family_id": family.display_id, "url": url},
        language=language_for(mobile),
    )
