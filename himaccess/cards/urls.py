from __future__ import annotations

from django.urls import path

from himaccess.cards import views

app_name = "cards"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("keys.json", views.keys, name="keys"),
    path("revocations.json", views.revocations, name="revocations"),
    path("family/<str:family_id>.pdf", views.family_card, name="family_pdf"),
    path("member/<str:member_id>.pdf", views.member_card, name="member_pdf"),
    path("family/<str:family_id>/", views.family_cards, name="family_cards"),
    path("card/<str:credential_id>/revoke/", views.revoke, name="revoke"),
    path("print-queue/", views.print_queue, name="print_queue"),
    path("print-queue/<str:credential_id>/advance/", views.advance, name="advance"),
]
