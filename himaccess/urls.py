from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from himaccess import views
from himaccess.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("himaccess.accounts.urls")),
    path("register/", include("himaccess.registry.urls")),
    path("cards/", include("himaccess.cards.urls")),
    path("services/", include("himaccess.catalog.urls")),
    path("services/", include("himaccess.applications.urls")),
    path("o/department/", include("himaccess.sharing.oauth_urls")),
    path("o/", include("himaccess.integrations.oauth_urls")),
    path("my-apps/", include("himaccess.integrations.urls")),
    path("data-sharing/", include("himaccess.sharing.urls")),
    path("grievances/", include("himaccess.grievances.urls")),
    path("figures/", include("himaccess.transparency.urls")),
    path("schemes/", include("himaccess.schemes.urls")),
    # A department app's own pages sit under its department page (departments/pages.py).
    path("departments/milkfed/", include("himaccess.milkfed.urls")),
    path("departments/agriculture/", include("himaccess.natural_farming.urls")),
    path(
        "departments/",
        include(
            (
                [
                    path("", views.departments, name="index"),
                    path("<slug:code>/", views.department, name="page"),
                ],
                "departments",
            )
        ),
    ),
    path("chatbot/", include("himaccess.chatbot.urls")),
    path("kyc/", include("himaccess.kyc.urls")),
    path("duplicates/", include("himaccess.linkage.urls")),
    path("quality/", include("himaccess.quality.urls")),
]
