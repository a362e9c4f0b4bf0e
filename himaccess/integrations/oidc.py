"""Him Access's rules on top of django-oauth-toolkit's OpenID Connect provider.

- A client may ask only for the scopes its ``DepartmentApp`` allows
  (``ClientScopes``): anything else is ``invalid_scope``.
- A code is exchanged, and a token accepted, only while the citizen's consent
  to that client is live: withdrawing it stops reads at once, even for a
  token issued before.
- Claims come from the citizen's member record (``CitizenLink``), each behind
  its scope; every release of member data (ID token or userinfo) is a row in
  the family's access log with the client's stated purpose.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.models import Application
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes
from oauthlib.common import Request

from himaccess.accounts.models import User
from himaccess.audit import access as access_log
from himaccess.audit.log import client_address_from_meta
from himaccess.integrations.models import SCOPE_CLAIMS, Consent, DepartmentApp, Subject
from himaccess.registry.models import CitizenLink, EkycStatus, Member

CLAIM_SCOPE = {claim: scope for scope, claims in SCOPE_CLAIMS.items() for claim in claims}
# Claims that carry a member's data: releasing any of them is a logged read.
MEMBER_CLAIMS = frozenset(CLAIM_SCOPE) - {"sub"}


def linked_member(user: User) -> Member | None:
    """The living member record a citizen's login is tied to (the latest link)."""
    link = (
        CitizenLink.objects.filter(user=user, member__life_status=Member.LifeStatus.LIVING)
        .select_related("member__family")
        .order_by("-linked_at", "-id")
        .first()
    )
    return link.member if link is not None else None


def subject_for(user: User) -> str:
    subject, _ = Subject.objects.get_or_create(user=user)
    return subject.sub


def member_claims(user: User, member: Member) -> dict[str, Any]:
    mobile = getattr(user, "mobile", "")
    return {
        "member_id": member.member_id,
        "family_id": member.family.family_id,
        "name": member.name_en,
        "name#hi": member.name_hi,
        "phone_number": f"+91{member.mobile}" if member.mobile else None,
        # Verified when the login itself was proved by a code sent to this number.
        "phone_number_verified": bool(member.mobile) and mobile == member.mobile,
        "ekyc_status": EkycStatus(member.ekyc_status).value,
    }


class ClientScopes(SettingsScopes):
    """The scopes a client may request: those its departmental registration allows."""

    def get_available_scopes(
        self, application: Application | None = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        known = set(super().get_available_scopes(application, request, *args, **kwargs))
        if application is None:
            return sorted(known)
        app = DepartmentApp.objects.filter(application=application).first()
        if app is None:
            return []
        return [scope for scope in app.scope_list() if scope in known]

    def get_default_scopes(
        self, application: Application | None = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return ["openid"]


class HimAccessValidator(OAuth2Validator):
    oidc_claim_scope = CLAIM_SCOPE

    def get_claim_dict(self, request: Request) -> dict[str, Any]:
        claims: dict[str, Any] = {"sub": subject_for(request.user)}
        member = linked_member(request.user)
        if member is not None:
            claims.update(member_claims(request.user, member))
        return claims

    def get_discovery_claims(self, request: Request) -> list[str]:
        return list(CLAIM_SCOPE)

    def get_oidc_claims(self, token: Any, token_handler: Any, request: Request) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_oidc_claims(token, token_handler, request)
        released = MEMBER_CLAIMS & {name for name, value in claims.items() if value is not None}
        if released:
            self._log_read(request)
        return {name: value for name, value in claims.items() if value is not None}

    def _log_read(self, request: Request) -> None:
        member = linked_member(request.user)
        app = DepartmentApp.objects.filter(application=request.client).first()
        if member is None or app is None:
            return
        access_log.record_read(
            family=member.family,
            members=[member],
            purpose=app.purpose,
            client=request.client,
            address=client_address_from_meta(request.headers or {}),
        )

    def _has_live_consent(self, request: Request, scopes: list[str] | None = None) -> bool:
        if request.user is None or request.client is None:
            return False
        wanted = list(scopes if scopes is not None else request.scopes or [])
        return Consent.objects.covering(request.user, request.client, wanted) is not None

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            return False
        return self._has_live_consent(request)

    def validate_bearer_token(self, token: str, scopes: list[str], request: Request) -> bool:
        if not super().validate_bearer_token(token, scopes, request):
            return False
        return self._has_live_consent(request, request.access_token.scope.split())

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        return Consent.objects.covering(request.user, client, []) is not None
