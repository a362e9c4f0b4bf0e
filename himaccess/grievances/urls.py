from __future__ import annotations

from django.urls import path

from himaccess.grievances import views

app_name = "grievances"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("track/", views.track, name="track"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("queue/", views.queue, name="queue"),
    path("accountability/", views.accountability, name="accountability"),
    path("console/", views.console, name="console"),
    path("answer/<str:token>/", views.answer_link, name="answer"),
    path("c/<str:reference>/", views.detail, name="detail"),
    path("c/<str:reference>/act/", views.act, name="act"),
    path("c/<str:reference>/resolve/", views.resolve, name="resolve"),
    path("c/<str:reference>/reassign/", views.reassign, name="reassign"),
    path("c/<str:reference>/answer/", views.answer, name="answer_on_site"),
    path("c/<str:reference>/reopen/", views.reopen, name="reopen"),
    path("c/<str:reference>/rate/", views.rate, name="rate"),
    path("c/<str:reference>/attachment/", views.attachment, name="attachment"),
]
