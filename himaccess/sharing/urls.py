from __future__ import annotations

from django.urls import path

from himaccess.sharing import views

app_name = "sharing"

urlpatterns = [
    path("", views.requests_page, name="requests"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/refuse/", views.refuse, name="refuse"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
