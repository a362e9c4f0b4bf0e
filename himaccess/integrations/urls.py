from __future__ import annotations

from django.urls import path

from himaccess.integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.my_apps, name="my_apps"),
    path("consents/<int:consent_id>/withdraw/", views.withdraw_consent, name="withdraw_consent"),
]
