from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from himaccess.accounts.models import Role
from himaccess.catalog import search, shipped
from himaccess.catalog.definitions import LIFE_SITUATIONS, PREFILL_SOURCES
from himaccess.catalog.models import Service
from himaccess.departments.models import Department
from himaccess.lib.databases import reads_may_be_stale

MAX_QUERY = 100

# The catalogue is public and changes when an administrator publishes a service version: a page
# a second behind the primary is as good, so both pages read the replica when there is one.


@require_GET
@reads_may_be_stale
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY]
    department = request.GET.get("department", "")[:48]
    situation = request.GET.get("situation", "")[:48]
    category = request.GET.get("category", "")[:48]
    if situation and situation not in LIFE_SITUATIONS:
        situation = ""
    services = search.find(query, department=department, situation=situation, category=category)
    offered = Department.objects.filter(services__is_active=True).distinct().order_by("name_en")
    counts = {code: count for _name, code, count in shipped.psg_notified_counts() if code}
    context = {
        "services": services,
        "query": query,
        "department": department,
        "situation": situation,
        "departments": [(d, counts.get(d.code)) for d in offered],
        "situations": list(LIFE_SITUATIONS.items()),
        "language": request.LANGUAGE_CODE,
    }
    return render(request, "catalog/index.html", context)


@require_GET
@reads_may_be_stale
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    service = (
        Service.objects.offered()
        .select_related("department", "current_version")
        .filter(code=code[:20])
        .first()
    )
    if service is None:
        raise Http404
    version = service.current_version
    assert version is not None
    language = request.LANGUAGE_CODE
    context = {
        "service": service,
        "version": version,
        "definition": version.definition,
        "name": version.text("name", language),
        "description": version.text("description", language),
        "eligibility": version.text("eligibility", language),
        "fields": [
            (f["label_hi" if language == "hi" else "label_en"], PREFILL_SOURCES.get(f.get("prefill") or ""))
            for f in version.form_fields
        ],
        "documents": [
            (d["name_hi" if language == "hi" else "name_en"], d["required"]) for d in version.documents
        ],
        "stages": [s["name_hi" if language == "hi" else "name_en"] for s in version.stages],
        "first_appeal_role": _role_label((version.definition.get("first_appeal") or {}).get("role", "")),
        "language": language,
    }
    return render(request, "catalog/service.html", context)


def _role_label(role: str) -> str:
    """An appellate authority by its title in the reader's language, not its code."""
    return str(Role(role).label) if role in Role.values else role
