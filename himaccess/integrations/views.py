"""The consent screen, discovery, logout, the citizen's "my apps" page, and withdrawing a consent."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oauth2_provider.exceptions import (
    InvalidIDTokenError,
    InvalidOIDCClientError,
    InvalidOIDCRedirectURIError,
    OAuthToolkitError,
    OIDCError,
)
from oauth2_provider.models import Application
from oauth2_provider.oauth2_backends import _add_iss_to_redirect
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import (
    AuthorizationView,
    ConnectDiscoveryInfoView,
    RPInitiatedLogoutView,
    TokenView,
)
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.openid.connect.core import exceptions as oidc_errors

from himaccess.accounts.authentication import authenticated_at
from himaccess.authenticated import AuthenticatedRequest, authenticated
from himaccess.integrations import actions, oidc
from himaccess.integrations.models import SCOPE_LABELS, Consent, DepartmentApp, parse_scopes
from himaccess.middleware import content_security_policy

# The parameters of an authorization request carried from the screen to the code.
_CREDENTIAL_KEYS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
)
# Set when the client asked for a new login (prompt=login, or max_age passed): the authorization
# request goes on only once the session's login is at least this recent.
REAUTH_KEY = "integrations.login_again_since"
# A request for a new login left unanswered stops applying after this long.
REAUTH_SECONDS = 600
# max_age beyond a year is as good as none; anything that is not a number is refused.
MAX_AGE_LIMIT = 366 * 24 * 3600


def issuer(request: HttpRequest) -> str:
    """The issuer exactly as discovery publishes it (and as ID tokens carry it)."""
    return str(oauth2_settings.oidc_issuer(request))


def login_time(request: HttpRequest) -> float | None:
    """When this session's person logged in; a session made before that was recorded, by the last login."""
    recorded = authenticated_at(request)
    if recorded is not None:
        return recorded
    last_login = getattr(request.user, "last_login", None)
    return last_login.timestamp() if last_login is not None else None


def origin_of(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


class MalformedMaxAge(Exception):
    pass


class ConsentView(AuthorizationView):
    """The OpenID authorization endpoint with Him Access's bilingual consent screen.

    A live consent covering every scope asked for lets the citizen through
    without asking again; otherwise the screen lists the claims, and "Allow"
    records the consent before the code is issued.
    """

    template_name = "integrations/consent.html"

    def redirect(self, redirect_to: str, application: Application | None) -> HttpResponse:
        # Every answer sent back to the client, a code or an error, names this issuer (RFC 9207),
        # spelt exactly as discovery does (the toolkit's own guess drops the /o).
        response: HttpResponse = super().redirect(
            _add_iss_to_redirect(redirect_to, issuer(self.request)), application
        )
        return response

    def create_authorization_response(
        self, request: HttpRequest, scopes: str, credentials: dict[str, Any], allow: bool
    ) -> tuple[str, dict[str, str], str, int]:
        at = login_time(request)
        if at is not None:
            credentials["auth_time"] = datetime.fromtimestamp(at, tz=UTC)
        result: tuple[str, dict[str, str], str, int] = super().create_authorization_response(
            request, scopes, credentials, allow
        )
        return result

    def handle_prompt_login(self) -> HttpResponse:
        self.request.session[REAUTH_KEY] = time.time()
        response: HttpResponse = super().handle_prompt_login()
        return response

    def _error(self, error: errors.OAuth2Error, application: Application) -> HttpResponse:
        error.state = self.oauth2_data.get("state")
        return self.error_response(
            OAuthToolkitError(error=error, redirect_uri=self.oauth2_data.get("redirect_uri")), application
        )

    def _login_again(self) -> HttpResponse:
        """Send the citizen to log in, and back here; the request goes on once that login is done."""
        self.request.session[REAUTH_KEY] = time.time()
        query = [
            (key, value)
            for key, value in parse_qsl(self.request.META.get("QUERY_STRING", ""))
            if key != "prompt"
        ]
        return redirect_to_login(f"{self.request.path}?{urlencode(query)}", self.get_login_url())

    def _needs_login(self) -> bool:
        """Whether the client's max_age or prompt=login asks for a newer login than this session's.

        Raises ``MalformedMaxAge`` for a max_age that is not a whole number of seconds.
        """
        at = login_time(self.request)
        since = self.request.session.get(REAUTH_KEY)
        if isinstance(since, (int, float)) and time.time() - since < REAUTH_SECONDS:
            if at is None or at < since:
                return True
            # The new login asked for is done: it satisfies max_age too, even max_age=0.
            del self.request.session[REAUTH_KEY]
            return False
        raw = self.request.GET.get("max_age")
        if raw is None:
            return False
        if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_AGE_LIMIT:
            raise MalformedMaxAge
        return at is None or time.time() - at > int(raw)

    def _refusal(self, application: Application, prompt: set[str]) -> HttpResponse | None:
        """The answer to a request that cannot go on to the consent screen as it is, if any."""
        if "request" in self.request.GET:
            return self._error(oidc_errors.RequestNotSupported(), application)
        if "request_uri" in self.request.GET:
            return self._error(oidc_errors.RequestURINotSupported(), application)
        try:
            needs_login = self._needs_login()
        except MalformedMaxAge:
            description = "max_age must be a whole number of seconds"
            return self._error(errors.InvalidRequestError(description=description), application)
        if needs_login:
            if "none" in prompt:
                return self._error(oidc_errors.LoginRequired(), application)
            return self._login_again()
        if self.oauth2_data.get("code_challenge_method") != "S256":
            # The code would be refused later; say so before asking the citizen.
            description = "PKCE with code_challenge_method=S256 is required"
            return self._error(errors.InvalidRequestError(description=description), application)
        return None

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        application = context.get("application")
        if "error" not in context and isinstance(application, Application):
            prompt = set(self.request.GET.get("prompt", "").split())
            refusal = self._refusal(application, prompt)
            if refusal is not None:
                return refusal
            scopes = list(context.get("scopes", []))
            if Consent.objects.covering(self.request.user, application, scopes) is not None:
                return self._approve(application, scopes)  # type: ignore[return-value]
            if "none" in prompt:
                return self._error(oidc_errors.ConsentRequired(), application)
            context["app"] = DepartmentApp.objects.filter(application=application).first()
            context["scope_labels"] = [str(SCOPE_LABELS.get(scope, scope)) for scope in scopes]
            context["language"] = get_language() or "en"
            response: HttpResponse = super().render_to_response(context, **kwargs)
            # "Allow" ends in a redirect to the client, which Chromium checks against form-action.
            targets = (origin_of(str(self.oauth2_data.get("redirect_uri", ""))),)
            response["Content-Security-Policy"] = content_security_policy(form_targets=targets)
            return response
        return super().render_to_response(context, **kwargs)

    def _approve(self, application: Application, scopes: list[str]) -> HttpResponseBase:
        credentials = {key: self.oauth2_data[key] for key in _CREDENTIAL_KEYS if self.oauth2_data.get(key)}
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=self.request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
        except OAuthToolkitError as error:
            return self.error_response(error, application)
        return self.redirect(uri, application)

    def form_invalid(self, form: Any) -> HttpResponse:
        # Every field but the buttons is hidden: an invalid form was not made by this page.
        error = errors.InvalidRequestFatalError(description="The consent form was changed.")
        return self.render_to_response({"error": error}, status=error.status_code)

    def form_valid(self, form: Any) -> HttpResponse:
        if not Application.objects.filter(client_id=form.cleaned_data.get("client_id") or "").exists():
            # The form's hidden fields were changed: the toolkit would look the client up unguarded.
            error = errors.InvalidClientIdError()
            return self.render_to_response({"error": error}, status=error.status_code)
        response: HttpResponse = super().form_valid(form)
        allowed = form.cleaned_data.get("allow")
        issued = response.status_code == 302 and "code=" in response.get("Location", "")
        if allowed and issued:
            application = Application.objects.get(client_id=form.cleaned_data["client_id"])
            scopes = parse_scopes(form.cleaned_data.get("scope", ""))
            actions.grant_consent(authenticated(self.request).user, application, scopes, request=self.request)
        return response


class DiscoveryView(ConnectDiscoveryInfoView):
    """The OpenID configuration, naming the only grants offered (the default would imply implicit)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        document = json.loads(super().get(request, *args, **kwargs).content)
        document["grant_types_supported"] = list(oidc.GRANT_TYPES)
        document["response_types_supported"] = list(oidc.RESPONSE_TYPES)
        document["response_modes_supported"] = ["query"]
        document["claims_supported"] = sorted(
            {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", *oidc.CLAIM_SCOPE}
        )
        # Request objects are not read: a request carrying one is refused (request_not_supported).
        document["request_parameter_supported"] = False
        document["request_uri_parameter_supported"] = False
        document["claims_parameter_supported"] = False
        document["authorization_response_iss_parameter_supported"] = True
        document["userinfo_signing_alg_values_supported"] = []
        response = JsonResponse(document)
        response["Access-Control-Allow-Origin"] = "*"
        return response


class EndSessionView(RPInitiatedLogoutView):
    """RP-initiated logout: the citizen confirms, Him Access logs out, the client gets its ``state`` back.

    ``post_logout_redirect_uri`` must be one of the client's registered
    post-logout addresses, as an exact string, and the client is known from
    ``id_token_hint`` (an ID token Him Access signed) or ``client_id``; a
    request that cannot be trusted gets a page, never a redirect.
    """

    template_name = "integrations/logout.html"

    def validate_post_logout_redirect_uri(
        self, application: Application | None, post_logout_redirect_uri: str | None
    ) -> None:
        super().validate_post_logout_redirect_uri(application, post_logout_redirect_uri)
        registered = application.post_logout_redirect_uris.split() if application is not None else []
        if post_logout_redirect_uri and post_logout_redirect_uri not in registered:
            raise InvalidOIDCRedirectURIError("This client does not have this redirect uri registered.")

    def validate_logout_request_user(self, id_token_hint: str | None, client_id: str | None) -> Any:
        try:
            return super().validate_logout_request_user(id_token_hint, client_id)
        except OIDCError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            # The toolkit reads the hint's payload before checking it: a payload that is not JSON
            # (or not an object) is no ID token of ours.
            raise InvalidIDTokenError() from error

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().render_to_response(context, **kwargs)
        target = self.oidc_data.get("post_logout_redirect_uri")
        if target and "error" not in context:
            # Validated above: confirming ends in a redirect there, which form-action must allow.
            response["Content-Security-Policy"] = content_security_policy(form_targets=(origin_of(target),))
        return response

    def get_request_application(self, id_token: Any, client_id: str | None) -> Application | None:
        if client_id:
            application = Application.objects.filter(client_id=client_id).first()
            if application is None:
                raise InvalidOIDCClientError()
            return application
        return id_token.application if id_token is not None else None


@login_required
def my_apps(request: AuthenticatedRequest) -> HttpResponse:
    language = get_language() or "en"
    listed = DepartmentApp.objects.filter(listed=True).select_related("application").order_by("department")
    consents = (
        Consent.objects.filter(user=request.user)
        .select_related("application__department_app")
        .order_by("revoked_at", "-granted_at")
    )
    return render(
        request,
        "integrations/my_apps.html",
        {"apps": listed, "consents": consents, "language": language},
    )


@login_required
@require_POST
def withdraw_consent(request: AuthenticatedRequest, consent_id: int) -> HttpResponse:
    consent = get_object_or_404(Consent.objects.live(), pk=consent_id, user=request.user)
    actions.revoke_consent(consent, acting_user=request.user, request=request)
    messages.success(request, _("Consent withdrawn. The application can no longer read your data."))
    return redirect("integrations:my_apps")


class CodeFlowTokenView(TokenView):
    """The token endpoint without the toolkit's device-flow branch.

    The toolkit answers ``grant_type=...device_code`` itself, before oauthlib
    (``device_not_found``, or a server error without ``device_code``). Him
    Access offers no device flow, so every grant goes to the server, which
    refuses all but the code and refresh grants alike (``unsupported_grant_type``).
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = self.authorization_flow_token_response(request)
        return response
