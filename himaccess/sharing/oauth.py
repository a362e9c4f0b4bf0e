"""The client-credentials token endpoint of department clients, and the bearer check of the data API.

django-oauth-toolkit issues and stores the tokens; this module narrows it:

- The endpoint (``/o/department/token/``) knows one grant, ``client_credentials``
  (oauthlib's ``BackendApplicationServer``); the citizens' sign-on endpoint
  (``/o/token/``) still refuses it, so neither endpoint issues the other's tokens.
- A client authenticates (HTTP Basic, or the form body) against its live
  ``ClientSecret`` rows, never the application's own secret column: two
  secrets work during a rotation, and an expired one stops at once.
- Only ``register.verify`` and ``register.read`` exist here, and only a client
  registered with a ``DataClient`` profile gets a token. Failed attempts are
  counted per client id and address (429 past the limit).
- A data-API call is accepted only with a token issued to an active client by
  this grant (no user, the client's grant type), unexpired, and holding the
  operation's scope; an OpenID Connect user token is refused here, and this
  token is refused by userinfo (it has no citizen's consent).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any
from urllib.parse import unquote_plus

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, Application
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import TokenView
from oauthlib.common import Request
from oauthlib.oauth2 import BackendApplicationServer
from oauthlib.oauth2.rfc6749.tokens import BearerToken

from himaccess.audit.log import client_address
from himaccess.lib import throttling
from himaccess.lib.api_errors import ApiError, error_response
from himaccess.lib.throttling import Limit
from himaccess.sharing import actions
from himaccess.sharing.models import CLIENT_SCOPES, SCOPE_READ, SCOPE_VERIFY, DataClient

GRANT_TYPE = "client_credentials"
TOKEN_FAILURE_LIMITS = (Limit("department-token-failures-15m", 20, 900),)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _sep, value = (request.headers or {}).get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


class DepartmentClientValidator(OAuth2Validator):
    """The toolkit's validator for the client-credentials grant of ``DataClient`` applications only."""

    def authenticate_client(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        credentials = _basic_credentials(request)
        if credentials is None:
            credentials = (
                str(getattr(request, "client_id", "") or ""),
                str(getattr(request, "client_secret", "") or ""),
            )
        client = actions.authenticate(*credentials)
        if client is None:
            return False
        request.client = client.application
        request.client_id = client.client_id
        request.data_client = client
        return True

    def authenticate_client_id(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> bool:
        return False  # every department client is confidential

    def client_authentication_required(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        return True

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return (
            grant_type == GRANT_TYPE
            and client.authorization_grant_type == Application.GRANT_CLIENT_CREDENTIALS
        )

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return bool(scopes) and set(scopes) <= set(CLIENT_SCOPES)

    def get_default_scopes(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> list[str]:
        return list(CLIENT_SCOPES)


class ClientCredentialsServer(BackendApplicationServer):
    def __init__(
        self,
        request_validator: Any,
        token_expires_in: Any = None,
        token_generator: Any = None,
        refresh_token_generator: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_validator, token_generator, token_expires_in, refresh_token_generator)
        self.bearer = BearerToken(
            request_validator, token_generator, token_expires_in, refresh_token_generator
        )


class DepartmentTokenView(TokenView):
    """``POST grant_type=client_credentials`` with the client's id and secret: a bearer token."""

    server_class = ClientCredentialsServer
    validator_class = DepartmentClientValidator

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        subject = f"token:{client_address(request)}"
        if _failures_exceeded(subject):
            return error_response(
                429, _("Too many failed attempts. Please wait and try again."), retry_after=_retry_after()
            )
        response: HttpResponse = self.authorization_flow_token_response(request)
        if response.status_code in (400, 401):
            throttling.hit(TOKEN_FAILURE_LIMITS, subject)
        return response


def _failures_exceeded(subject: str) -> bool:
    # Read the counter without counting: only failures count.
    limit = TOKEN_FAILURE_LIMITS[0]
    value = cache.get(throttling.bucket(limit, subject)) or 0
    return int(value) >= limit.count


def _retry_after() -> int:
    limit = TOKEN_FAILURE_LIMITS[0]
    return int(limit.window_seconds - timezone.now().timestamp() % limit.window_seconds) + 1


# ------------------------------------------------------------------ the data API's bearer check


def client_for_token(token: str, scope: str) -> DataClient:
    """The active client a client-credentials ``token`` was issued to, holding ``scope``; else an ApiError."""
    access = (
        AccessToken.objects.select_related("application__data_client__department")
        .filter(token_checksum=hashlib.sha256(token.encode("utf-8")).hexdigest())
        .first()
        if token
        else None
    )
    if (
        access is None
        or access.user_id is not None
        or access.is_expired()
        or access.application is None
        or access.application.authorization_grant_type != Application.GRANT_CLIENT_CREDENTIALS
    ):
        raise ApiError(401, _("Send a valid department client's access token."), code="not_authenticated")
    client = getattr(access.application, "data_client", None)
    if client is None or not client.active:
        raise ApiError(401, _("Send a valid department client's access token."), code="not_authenticated")
    if scope not in access.scope.split():
        raise ApiError(
            403,
            _("This token does not carry the scope %(scope)s.") % {"scope": scope},
            code="insufficient_scope",
        )
    return client


__all__ = ["SCOPE_READ", "SCOPE_VERIFY", "DepartmentTokenView", "client_for_token"]
