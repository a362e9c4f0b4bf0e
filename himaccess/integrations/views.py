"""The consent screen, the discovery document, the citizen's "my apps" page, and withdrawing a consent."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import Application
from oauth2_provider.views import AuthorizationView, ConnectDiscoveryInfoView, TokenView
from oauthlib.oauth2.rfc6749 import errors

from himaccess.integrations import actions, oidc
from himaccess.integrations.models import SCOPE_LABELS, Consent, DepartmentApp, parse_scopes

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


class ConsentView(AuthorizationView):
    """The OpenID authorization endpoint with Him Access's bilingual consent screen.

    A live consent covering every scope asked for lets the citizen through
    without asking again; otherwise the screen lists the claims, and "Allow"
    records the consent before the code is issued.
    """

    template_name = "integrations/consent.html"

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        application = context.get("application")
        if "error" not in context and isinstance(application, Application):
            if self.oauth2_data.get("code_challenge_method") != "S256":
                # The code would be refused later; say so before asking the citizen.
                error = errors.InvalidRequestError(
                    description="PKCE with code_challenge_method=S256 is required",
                    state=self.oauth2_data.get("state"),
                )
                return self.error_response(  # type: ignore[return-value]
                    OAuthToolkitError(error=error, redirect_uri=self.oauth2_data.get("redirect_uri")),
                    application,
                )
            scopes = list(context.get("scopes", []))
            if Consent.objects.covering(self.request.user, application, scopes) is not None:
                return self._approve(application, scopes)  # type: ignore[return-value]
            context["app"] = DepartmentApp.objects.filter(application=application).first()
            context["scope_labels"] = [str(SCOPE_LABELS.get(scope, scope)) for scope in scopes]
            context["language"] = get_language() or "en"
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

    def form_valid(self, form: Any) -> HttpResponse:
        response: HttpResponse = super().form_valid(form)
        allowed = form.cleaned_data.get("allow")
        issued = response.status_code == 302 and "code=" in response.get("Location", "")
        if allowed and issued:
            application = Application.objects.get(client_id=form.cleaned_data["client_id"])
            scopes = parse_scopes(form.cleaned_data.get("scope", ""))
            actions.grant_consent(self.request.user, application, scopes, request=self.request)  # type: ignore[arg-type]
        return response


class DiscoveryView(ConnectDiscoveryInfoView):
    """The OpenID configuration, naming the only grants offered (the default would imply implicit)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        document = json.loads(super().get(request, *args, **kwargs).content)
        document["grant_types_supported"] = list(oidc.GRANT_TYPES)
        document["response_types_supported"] = list(oidc.RESPONSE_TYPES)
        response = JsonResponse(document)
        response["Access-Control-Allow-Origin"] = "*"
        return response


@login_required
def my_apps(request: HttpRequest) -> HttpResponse:
    language = get_language() or "en"
    listed = DepartmentApp.objects.filter(listed=True).select_related("application").order_by("department")
    consents = (
        Consent.objects.filter(user=request.user)  # type: ignore[misc]
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
def withdraw_consent(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = get_object_or_404(Consent.objects.live(), pk=consent_id, user=request.user)
    actions.revoke_consent(consent, acting_user=request.user, request=request)  # type: ignore[arg-type]
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
