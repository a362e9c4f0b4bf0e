"""Him Access's rules on top of django-oauth-toolkit's OpenID Connect provider.

- A client may ask only for the scopes its ``DepartmentApp`` allows
  (``ClientScopes``): anything else is ``invalid_scope``.
- A code is exchanged, and a token accepted, only while the citizen's consent
  to that client is live: withdrawing it stops reads at once, even for a
  token issued before.
- Claims come from the citizen's member record (``CitizenLink``), each behind
  its scope; every release of member data (ID token or userinfo) is a row in
  the family's access log with the client's stated purpose.
- Only the authorization code grant (with PKCE) and the refresh token grant
  exist (``CodeFlowServer``): every other grant type gets the same
  ``unsupported_grant_type`` answer before any client or password is looked
  at, every other response type is refused, and the validator refuses them
  again whatever a client's registration says. No password is ever checked
  here (``validate_user``).
- An access token is accepted only in the ``Authorization`` header, never
  in the address or the form body.
"""

from __future__ import annotations

from typing import Any

from django.utils.crypto import constant_time_compare
from oauth2_provider.models import Application
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes
from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.endpoints import AuthorizationEndpoint, ResourceEndpoint, TokenEndpoint
from oauthlib.oauth2.rfc6749.tokens import BearerToken
from oauthlib.openid import Server

from himaccess.accounts.models import User
from himaccess.audit import access as access_log
from himaccess.audit.log import client_address_from_meta
from himaccess.integrations.models import SCOPE_CLAIMS, Consent, DepartmentApp, Subject
from himaccess.registry.models import CitizenLink, EkycStatus, Member

# The grants departmental sign-on needs; everything else is refused.
GRANT_TYPES = ("authorization_code", "refresh_token")
RESPONSE_TYPES = ("code",)

CLAIM_SCOPE = {claim: scope for scope, claims in SCOPE_CLAIMS.items() for claim in claims}
# Claims that carry a member's data: releasing any of them is a logged read.
MEMBER_CLAIMS = frozenset(CLAIM_SCOPE) - {"sub"}


def linked_member(user: User) -> Member | None:
    """The living member record a citizen's login is tied to (the latest link)."""
    link = (
        CitizenLink.objects.in_force(user)
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


class _RefusedGrant:
    """Any grant type but the two above: one answer, whatever else the request carries."""

    def create_token_response(self, request: Request, token_handler: Any) -> tuple[dict[str, str], str, int]:
        error = errors.UnsupportedGrantTypeError()
        headers = {"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"}
        return headers, error.json, error.status_code


class CodeFlowServer(Server):
    """oauthlib's OpenID Connect server reduced to what Him Access uses.

    The token endpoint knows ``authorization_code`` and ``refresh_token``;
    the password, client-credentials and device grants are not routed at all,
    so a request for them never reaches client authentication or a password
    check, and every such request gets the same bytes back. The authorization
    endpoint knows the ``code`` response type only (no implicit or hybrid).
    """

    def __init__(
        self,
        request_validator: Any,
        token_expires_in: Any = None,
        token_generator: Any = None,
        refresh_token_generator: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            request_validator, token_expires_in, token_generator, refresh_token_generator, *args, **kwargs
        )
        # oauthlib's UserInfoEndpoint, initialised last, replaces the bearer with one of the library's
        # default lifetime (an hour): put back the one with the configured lifetime before any endpoint
        # below takes it.
        self.bearer = BearerToken(
            request_validator, token_generator, token_expires_in, refresh_token_generator
        )
        ResourceEndpoint.__init__(self, "Bearer", {"Bearer": self.bearer, "JWT": self.jwt})
        AuthorizationEndpoint.__init__(
            self,
            default_response_type="code",
            response_types={"code": self.auth_grant_choice},
            default_token_type=self.bearer,
        )
        TokenEndpoint.__init__(
            self,
            default_grant_type="authorization_code",
            grant_types={"authorization_code": self.token_grant_choice, "refresh_token": self.refresh_grant},
            default_token_type=self.bearer,
        )

    @property
    def default_grant_type_handler(self) -> Any:
        return _RefusedGrant()


def presented_in_header(token: str, request: Request) -> bool:
    """Whether ``token`` came as ``Authorization: Bearer``: never from the address or a form body."""
    scheme, _, value = (request.headers or {}).get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and constant_time_compare(value.strip(), token)


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

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        # A client registered any other way (an old row, a hand-made one) still gets nothing else.
        if grant_type not in GRANT_TYPES:
            return False
        if client.authorization_grant_type != Application.GRANT_AUTHORIZATION_CODE:
            return False
        return bool(super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs))

    def validate_response_type(
        self, client_id: str, response_type: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        if response_type not in RESPONSE_TYPES:
            return False
        return bool(
            super().validate_response_type(client_id, response_type, client, request, *args, **kwargs)
        )

    def validate_user(
        self, username: str, password: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        # Officials' passwords are checked only by the two-step login (accounts.authentication).
        return False

    def validate_bearer_token(self, token: str, scopes: list[str], request: Request) -> bool:
        if not token or not presented_in_header(token, request):
            return False
        if not super().validate_bearer_token(token, scopes, request):
            return False
        return self._has_live_consent(request, request.access_token.scope.split())

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        return Consent.objects.covering(request.user, client, []) is not None
