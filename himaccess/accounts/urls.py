from __future__ import annotations

from django.urls import path

from himaccess.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_choice, name="login"),
    path("logout/", views.logout, name="logout"),
    path("citizen/", views.citizen_login, name="citizen_login"),
    path("citizen/code/", views.citizen_verify, name="citizen_verify"),
    path("citizen/not-enrolled/", views.not_enrolled, name="not_enrolled"),
    path("official/", views.official_login, name="official_login"),
    path("official/code/", views.official_totp, name="official_totp"),
    path("official/enrol/", views.totp_enrol, name="totp_enrol"),
    path("confirm/", views.confirm_code, name="confirm_code"),
]
