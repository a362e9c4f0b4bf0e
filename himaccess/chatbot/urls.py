from __future__ import annotations

from django.urls import path

from himaccess.chatbot import views

app_name = "chatbot"

urlpatterns = [
    path("", views.page, name="page"),
    path("whatsapp/", views.whatsapp_webhook, name="whatsapp"),
    path("handovers/", views.handovers, name="handovers"),
]
