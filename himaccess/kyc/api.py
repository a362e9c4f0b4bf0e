"""``GET /api/v1/kyc/status``: is the signed-in citizen's e-KYC done? For departmental applications.

The application presents the access token it got when the citizen signed in
with Him Access; the token must carry the ``ekyc`` scope and the citizen's
consent to that application must still be live (the OIDC validator checks
both, ``integrations.oidc``). The answer names the member and the state of
their e-KYC, never a number; every answer is a logged read with the
application's purpose, shown to the family.
"""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer
from oauth2_provider.oauth2_backends import get_oauthlib_core

from himaccess.audit import access as access_log
from himaccess.integrations.models import DepartmentApp
from himaccess.integrations.oidc import linked_member
from himaccess.kyc.models import KycState
from himaccess.lib.api_errors import errors
from himaccess.registry.models import Member

SCOPE = "ekyc"


class ConsentedToken(HttpBearer):
    """A department's OIDC access token with the ``ekyc`` scope and the citizen's live consent."""

    def __call__(self, request: HttpRequest) -> object | None:
        scheme, _sep, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> object | None:
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[SCOPE])
        if not valid or oauth_request.user is None or oauth_request.client is None:
            return None
        return oauth_request


router = Router(tags=["e-KYC"], auth=ConsentedToken())


class KycStatusOut(Schema):
    member_id: str
    # "verified" (Aadhaar e-KYC done), "without_aadhaar" (verified by an official without Aadhaar),
    # "mismatch" (waiting for the register to be settled), "failed", or "pending".
    status: str
    ekyc_verified: bool
    method: str
    since: date | None


def _status(member: Member) -> KycStatusOut:
    state = KycState.objects.filter(member=member).first()
    return KycStatusOut(
        member_id=member.member_id,
        status=state.state if state else "pending",
        ekyc_verified=bool(state and state.state == "verified"),
        method=state.method if state else "",
        since=state.changed_at.date() if state else None,
    )


# 404: the token's citizen has no member record in force.
@router.get("/status", response={200: KycStatusOut, **errors(404)})
def status(request: HttpRequest) -> KycStatusOut:
    oauth_request = request.auth  # type: ignore[attr-defined]
    member = linked_member(oauth_request.user)
    if member is None:
        raise Http404
    app = DepartmentApp.objects.filter(application=oauth_request.client).first()
    access_log.record_read(
        family=member.family,
        members=[member],
        purpose=app.purpose if app else "e-KYC status",
        client=oauth_request.client,
        request=request,
    )
    return _status(member)
