"""The OpenID Connect endpoints, under django-oauth-toolkit's namespace (its views reverse it).

Only what departmental sign-on needs: authorization (with our consent
screen), token, revocation, discovery, JWKS, userinfo and RP-initiated logout. No self-service
client registration, device flow or token management pages. Discovery and
the JWKS are public and may be cached; every other answer here is no-store.
"""

from __future__ import annotations

from django.urls import path, re_path
from django.views.decorators.cache import cache_control
from oauth2_provider import views as oauth

from himaccess.integrations import views

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", views.ConsentView.as_view(), name="authorize"),
    path("token/", views.CodeFlowTokenView.as_view(), name="token"),
    path("revoke_token/", oauth.RevokeTokenView.as_view(), name="revoke-token"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        cache_control(public=True, max_age=3600)(views.DiscoveryView.as_view()),
        name="oidc-connect-discovery-info",
    ),
    path(
        ".well-known/jwks.json",
        cache_control(public=True, max_age=3600)(oauth.JwksInfoView.as_view()),
        name="jwks-info",
    ),
    path("userinfo/", oauth.UserInfoView.as_view(), name="user-info"),
    path("logout/", views.EndSessionView.as_view(), name="rp-initiated-logout"),
]
