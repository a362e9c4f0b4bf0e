"""The admin site, open only to staff whose session passed password and TOTP.

Installed in place of ``django.contrib.admin`` (``MfaAdminConfig`` in
INSTALLED_APPS), so ``admin.site`` everywhere is this site.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


class MfaAdminConfig(AdminConfig):
    default_site = "himaccess.accounts.admin_site.MfaAdminSite"


class MfaAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        # Here, not at the top: this module is loaded from INSTALLED_APPS, before any model is.
        from himaccess.accounts.authentication import MFA_SESSION_KEY

        return super().has_permission(request) and bool(request.session.get(MFA_SESSION_KEY))

    def login(self, request: HttpRequest, extra_context: dict[str, object] | None = None) -> HttpResponse:
        # Admin's own form checks a password only: send everyone through the two-factor login.
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(f"{reverse('accounts:official_login')}?{urlencode({'next': target})}")
