from __future__ import annotations

from django.urls import path

from himaccess.milkfed import views

app_name = "milkfed"

urlpatterns = [
    path("societies/", views.societies, name="societies"),
    path("societies/<str:code>/", views.society, name="society"),
    path("societies/<str:code>/farmers/", views.register_farmer, name="register"),
    path("societies/<str:code>/upload/", views.upload, name="upload"),
    path("societies/<str:code>/status/", views.set_status, name="status"),
    path("families/<str:family_id>/", views.family, name="family"),
    path("families/<str:family_id>/apply/", views.apply, name="apply"),
]
