from __future__ import annotations

from django.urls import path

from himaccess.schemes import views

app_name = "schemes"

urlpatterns = [
    path("families/<str:family_id>/", views.family_benefits, name="family"),
    path("families/<str:family_id>/check/", views.check_family, name="check"),
    path("members/<str:member_id>/<slug:scheme_id>/", views.explanation, name="explanation"),
    path("members/<str:member_id>/<slug:scheme_id>/accept/", views.accept_offer, name="accept"),
    path("queue/", views.queue, name="queue"),
    path("enrolments/<str:reference>/", views.enrolment_detail, name="enrolment"),
    path("disputes/<int:pk>/resolve/", views.resolve_dispute, name="resolve_dispute"),
    path("rules/", views.rules_index, name="rules"),
    path("rules/<slug:scheme_id>/", views.scheme_rules, name="scheme_rules"),
    path("rules/<slug:scheme_id>/v<int:number>/", views.rule_version, name="rule_version"),
]
