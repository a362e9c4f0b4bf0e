from __future__ import annotations

from django.urls import path

from himaccess.quality import views

app_name = "quality"

urlpatterns = [
    path("", views.report, name="report"),
    path("families/<str:family_id>/", views.family_findings, name="family"),
]
