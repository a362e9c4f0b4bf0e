from __future__ import annotations

from django.urls import path

from himaccess.transparency import views

app_name = "transparency"

urlpatterns = [
    path("", views.index, name="index"),
    path("complaints/", views.complaints, name="complaints"),
    path("services/", views.services, name="services"),
    path("schemes/", views.schemes, name="schemes"),
    path("register/", views.register, name="register"),
    path("my-area/", views.dashboard, name="dashboard"),
]
