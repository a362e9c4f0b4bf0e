from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from himaccess.work import queues_for


def home(request: HttpRequest) -> HttpResponse:
    """Residents and visitors see what they can do; an official lands on their work."""
    user = request.user
    if user.is_authenticated and getattr(user, "active_posting", None) is not None:
        return render(request, "work.html", {"queues": queues_for(user), "posting": user.active_posting})  # type: ignore[arg-type]
    return render(request, "home.html")
