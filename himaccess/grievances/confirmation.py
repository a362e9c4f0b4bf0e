"""The complainant's answer link sent by SMS after a resolution.

The token is Django-signed (HMAC with SECRET_KEY, its own salt) and names the
complaint and the resolution round it answers. It expires after the answer
period, and works once: after an answer the complaint's round or status no
longer match it.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from himaccess.grievances.models import Complaint
from himaccess.lib import links

SALT = "himaccess.grievances.resolution-answer"


class LinkError(Exception):
    """A link that is forged, expired or already used; ``status`` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def token_for(complaint: Complaint) -> str:
    return signing.dumps([complaint.reference, complaint.resolution_round], salt=SALT, compress=False)


def url_for(complaint: Complaint) -> str:
    return links.absolute(reverse("grievances:answer", args=[token_for(complaint)]))


def complaint_for(token: str, *, lock: bool = False) -> Complaint:
    """The complaint a live link answers; ``LinkError`` otherwise."""
    try:
        reference, round_ = signing.loads(token, salt=SALT, max_age=settings.GRIEVANCE_CONFIRM_DAYS * 86400)
    except signing.SignatureExpired:
        raise LinkError(410, "expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkError(400, "forged") from None
    complaints = Complaint.objects.select_for_update() if lock else Complaint.objects.all()
    complaint = complaints.filter(reference=reference).first()
    if complaint is None:
        raise LinkError(400, "forged")
    if complaint.status != Complaint.Status.RESOLVED or complaint.resolution_round != round_:
        raise LinkError(410, "used")
    return complaint
