from __future__ import annotations

from django.urls import path

from himaccess.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.start, name="start"),
    path("my-family/", views.my_family, name="my_family"),
    path("who-are-you/", views.choose_member, name="choose_member"),
    path("families/<str:family_id>/", views.family_detail, name="family"),
    path(
        "families/<str:family_id>/requests/new/<str:kind>/",
        views.new_change_request,
        name="new_change_request",
    ),
    path("members/<str:member_id>/contact/", views.change_contact, name="change_contact"),
    path("requests/<str:reference>/", views.change_request_detail, name="change_request"),
    path("requests/<str:reference>/decide/", views.decide_change_request, name="decide"),
    path("requests/<str:reference>/withdraw/", views.withdraw_change_request, name="withdraw"),
    path("requests/<str:reference>/answer/", views.answer_change_request, name="answer"),
    path("queue/", views.queue, name="queue"),
    path("search/", views.search, name="search"),
]
