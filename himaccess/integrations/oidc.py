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
- A ``redirect_uri`` is required, compared as an exact string with the
  registered ones (no loopback port wildcard), and repeated exactly in the
  token request.
- The ``sub`` is pairwise per sector unless the client is registered for the
  public one (``models.subject_for``); claims without a value are left out.
- Each code issued is remembered (``IssuedCode``) with the citizen's login
  time (``auth_time``); a code exchanged twice revokes the tokens the first
  exchange issued.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from oauth2_provider.models import Application, Grant, RefreshToken
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes
from oauth2_provider.views.oidc import _load_id_token as _load_hint
from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.endpoints import AuthorizationEndpoint, ResourceEndpoint, TokenEndpoint
from oauthlib.oauth2.rfc6749.tokens import BearerToken
from oauthlib.openid import Server

from himaccess.accounts.models import User
from himaccess.audit import access as access_log
from himaccess.audit import log as audit
from himaccess.audit.log import client_address_from_meta
from himaccess.integrations.models import SCOPE_CLAIMS, Consent, DepartmentApp, IssuedCode, subject_for
from himaccess.registry.models import CitizenLink, EkycStatus, Member

logger = logging.getLogger(__name__)

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


def has_value(value: Any) -> bool:
    return value is not None and value != ""


@transaction.atomic
def revoke_tokens_from(issued: IssuedCode) -> int:
    """Revoke every token issued from ``issued`` (its refresh-token family); the number revoked."""
    if issued.token_family is None:
        return 0
    revoked = 0
    for refresh in RefreshToken.objects.select_for_update().filter(
        token_family=issued.token_family, revoked__isnull=True
    ):
        access = refresh.access_token
        if access is not None and access.id_token is not None:
            access.id_token.revoke()
        refresh.revoke()
        revoked += 1
    audit.record(
        None,
        "oidc.code_replayed",
        issued.application,
        after={"client_id": issued.application.client_id, "user_id": issued.user_id, "revoked": revoked},
        source="oidc",
    )
    return revoked


class HimAccessValidator(OAuth2Validator):
    oidc_claim_scope = CLAIM_SCOPE

    def get_claim_dict(self, request: Request) -> dict[str, Any]:
        claims: dict[str, Any] = {"sub": subject_for(request.user, request.client)}
        member = linked_member(request.user)
        if member is not None:
            claims.update(member_claims(request.user, member))
        return claims

    def get_discovery_claims(self, request: Request) -> list[str]:
        return list(CLAIM_SCOPE)

    def get_oidc_claims(self, token: Any, token_handler: Any, request: Request) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_oidc_claims(token, token_handler, request)
        # An empty claim says nothing true ("name#hi": "" is not a Hindi name): leave it out.
        present = {name: value for name, value in claims.items() if has_value(value)}
        if MEMBER_CLAIMS & set(present):
            self._log_read(request)
        return present

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
            issued = IssuedCode.objects.for_code(code)
            if issued is not None and issued.application_id == client.pk and issued.redeemed_at is not None:
                logger.warning("authorization code replayed client_id=%s", client.client_id)
                revoke_tokens_from(issued)
            return False
        issued = IssuedCode.objects.for_code(code)
        if issued is None:
            # A code from before codes were remembered has no login time to vouch for.
            return False
        request.auth_time = issued.auth_time
        return self._has_live_consent(request)

    def save_authorization_code(
        self, client_id: str, code: dict[str, str], request: Request, *args: Any, **kwargs: Any
    ) -> None:
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
        auth_time = getattr(request, "auth_time", None)
        if not isinstance(auth_time, datetime):
            raise errors.ServerError(description="the login time is unknown", request=request)
        IssuedCode.objects.create(
            code_checksum=IssuedCode.checksum(code["code"]),
            application=request.client,
            user=request.user,
            auth_time=auth_time,
        )

    def _create_refresh_token(
        self, request: Request, refresh_token_code: str, access_token: Any, previous_refresh_token: Any
    ) -> Any:
        refresh = super()._create_refresh_token(
            request, refresh_token_code, access_token, previous_refresh_token
        )
        request.himaccess_token_family = refresh.token_family
        return refresh

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: Request, *args: Any, **kwargs: Any
    ) -> None:
        super().invalidate_authorization_code(client_id, code, request, *args, **kwargs)
        IssuedCode.objects.filter(code_checksum=IssuedCode.checksum(code)).update(
            redeemed_at=timezone.now(), token_family=getattr(request, "himaccess_token_family", None)
        )

    def get_default_redirect_uri(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> None:
        # OpenID Connect requires redirect_uri, and so does the token request here: never a default.
        return None

    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        # The exact string registered: the toolkit would let a loopback address take any port.
        return redirect_uri in request.client.redirect_uris.split()

    def confirm_redirect_uri(
        self, client_id: str, code: str, redirect_uri: str, client: Any, *args: Any, **kwargs: Any
    ) -> bool:
        grant = Grant.objects.filter(code=code, application=client).first()
        return grant is not None and bool(redirect_uri) and redirect_uri == grant.redirect_uri

    def validate_silent_login(self, request: Request) -> bool:
        # prompt=none: the authorization view answers login_required itself, before this
        # (no session, or a login older than max_age), with the request's state.
        return True

    def validate_silent_authorization(self, request: Request) -> bool:
        # prompt=none: the authorization view answers consent_required when no live consent covers it.
        return True

    def validate_user_match(
        self, id_token_hint: str | None, scopes: list[str], claims: Any, request: Request
    ) -> bool:
        # An id_token_hint names the person the client expects; another session user is login_required.
        if not id_token_hint:
            return True
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return True  # the view asks for a login first
        try:
            id_token, _claims = _load_hint(id_token_hint)
        except (ValueError, TypeError, KeyError, AttributeError):
            # A hint whose payload is not a JSON object is no ID token of ours.
            return False
        return id_token is not None and id_token.user_id == user.pk

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Request) -> Any:
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        claims["auth_time"] = int(self._auth_time(request).timestamp())
        return claims, expiration

    def _auth_time(self, request: Request) -> datetime:
        """When the citizen logged in for the code this token descends from."""
        auth_time = getattr(request, "auth_time", None)
        if isinstance(auth_time, datetime):
            return auth_time
        refresh = getattr(request, "refresh_token_instance", None)
        if refresh is not None:
            issued = IssuedCode.objects.filter(token_family=refresh.token_family).first()
            if issued is not None:
                return issued.auth_time
        raise errors.InvalidGrantError(description="the login time is unknown", request=request)

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
