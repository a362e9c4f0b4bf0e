from __future__ import annotations

from django.urls import path

from himaccess.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.index, name="index"),
    path("s/<str:code>/", views.service_detail, name="service"),
]
