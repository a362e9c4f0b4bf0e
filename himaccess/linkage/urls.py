from __future__ import annotations

from django.urls import path

from himaccess.linkage import views

app_name = "linkage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("pairs/<str:reference>/", views.pair_detail, name="pair"),
    path("pairs/<str:reference>/decide/", views.decide, name="decide"),
]
