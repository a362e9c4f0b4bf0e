from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from himaccess.work import queues_for


def home(request: HttpRequest) -> HttpResponse:
    """Residents and visitors see what they can do; an official lands on their work."""
    user = request.user
    if user.is_authenticated and getattr(user, "active_posting", None) is not None:
        return render(request, "work.html", {"queues": queues_for(user), "posting": user.active_posting})  # type: ignore[arg-type]
    return render(request, "home.html")


@require_safe
@cache_control(public=True, max_age=86_400)
def favicon(request: HttpRequest) -> FileResponse:
    """The site's own icon at the address browsers ask for first (pages also link it)."""
    icon = settings.BASE_DIR / "static" / "himaccess" / "favicon.ico"
    return FileResponse(icon.open("rb"), content_type="image/x-icon")
