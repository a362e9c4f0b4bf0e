from __future__ import annotations

from django.urls import path

from himaccess.applications import views

app_name = "applications"

urlpatterns = [
    path("apply/<str:code>/", views.apply, name="apply"),
    path("applications/", views.my_applications, name="list"),
    path("applications/<str:number>/", views.detail, name="detail"),
    path("applications/<str:number>/edit/", views.edit, name="edit"),
    path("applications/<str:number>/act/", views.act, name="act"),
    path("applications/<str:number>/appeal/", views.appeal, name="appeal"),
    path("applications/<str:number>/acknowledgement.pdf", views.acknowledgement, name="acknowledgement"),
    path("applications/<str:number>/certificate.pdf", views.certificate_pdf, name="certificate"),
    path("applications/<str:number>/documents/<int:document_id>/", views.document, name="document"),
    path("queue/", views.queue, name="queue"),
    path("appeals/<int:appeal_id>/decide/", views.decide_appeal, name="decide_appeal"),
    path("certificates/<str:number>/revoke/", views.revoke, name="revoke"),
    path("verify/", views.verify, name="verify"),
    path("keys.json", views.keys, name="keys"),
    path("revocations.json", views.revocations, name="revocations"),
    path("assisted/", views.assisted, name="assisted"),
]
