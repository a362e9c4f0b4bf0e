from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_safe

from himaccess.authenticated import user_or_none
from himaccess.catalog.models import Service
from himaccess.departments import pages
from himaccess.departments.models import Department
from himaccess.lib.databases import reads_may_be_stale
from himaccess.schemes.models import Scheme
from himaccess.work import queues_for


def home(request: HttpRequest) -> HttpResponse:
    """Residents and visitors see what they can do; an official lands on their work."""
    user = user_or_none(request)
    if user is not None and user.active_posting is not None:
        return render(request, "work.html", {"queues": queues_for(user), "posting": user.active_posting})
    return render(request, "home.html")


@require_safe
@cache_control(public=True, max_age=86_400)
def favicon(request: HttpRequest) -> FileResponse:
    """The site's own icon at the address browsers ask for first (pages also link it)."""
    icon = settings.BASE_DIR / "static" / "himaccess" / "favicon.ico"
    return FileResponse(icon.open("rb"), content_type="image/x-icon")


# Department pages (departments/pages.py): here, above the catalogue and the schemes they list.


@require_GET
@reads_may_be_stale
def departments(request: HttpRequest) -> HttpResponse:
    shown = Department.objects.filter(
        Q(services__is_active=True) | Q(schemes__isnull=False) | Q(code__in=pages.departments_with_sections())
    ).distinct()
    return render(
        request, "departments/index.html", {"departments": shown, "language": request.LANGUAGE_CODE}
    )


@require_GET
def department(request: HttpRequest, code: str) -> HttpResponse:
    found = Department.objects.filter(code=code[:48]).first()
    if found is None:
        raise Http404
    language = request.LANGUAGE_CODE
    sections = []
    for section in pages.sections_for(found.code):
        data = section.context(request, found)
        if data is not None:
            sections.append({"template": section.template, "data": data, "key": section.key})
    context = {
        "department": found,
        "name": found.name_in(language),
        "services": Service.objects.offered().filter(department=found).order_by("name_en"),
        # Every scheme of the department, also those joined another way than the schemes' offers.
        "schemes": Scheme.objects.filter(department=found).order_by("name_en"),
        "sections": sections,
        "language": language,
    }
    return render(request, "departments/page.html", context)
