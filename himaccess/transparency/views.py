"""Public figures (anyone, no login) and an official's dashboard of their own area.

Public pages show aggregates only. Their figures are cached for a few
minutes per page, language and district: a busy day's visitors cost the
database one set of GROUP BY queries every few minutes, and nothing personal
is in what is cached (the page around it, with its login state and form
token, is rendered per request).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from himaccess.accounts.models import Posting
from himaccess.applications.access import applications_visible_to
from himaccess.applications.models import Status
from himaccess.authenticated import AuthenticatedRequest
from himaccess.grievances.access import visible_complaints
from himaccess.grievances.models import Complaint
from himaccess.transparency import figures, pages
from himaccess.transparency.figures import Scope
from himaccess.transparency.forms import DistrictForm

CACHE_SECONDS = 300
# An official's lists to act on show the most overdue first, this many of each.
LIST_LENGTH = 50


def _language() -> str:
    return get_language() or "en"


def cached(page: str, scope: Scope, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A page's figures for this scope and language, computed at most once per ``CACHE_SECONDS``."""
    key = f"transparency:{page}:{_language()}:{scope.key}"
    found: dict[str, Any] | None = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, CACHE_SECONDS)
    return found


def _public(request: HttpRequest, page: str, build: Callable[[Scope, str], dict[str, Any]]) -> HttpResponse:
    """A public figures page for the district asked for (or the state); 400 for a district not listed."""
    language = _language()
    form = DistrictForm(request.GET or None, language=language)
    status = 200
    scope = Scope()
    if form.is_bound:
        if form.is_valid():
            scope = Scope(district_id=form.cleaned_data["district"])
        else:
            status = 400
    district = form.names.get(str(scope.district_id), "")
    context = cached(page, scope, lambda: build(scope, language))
    return render(
        request,
        f"transparency/{page}.html",
        {
            **context,
            "form": form,
            "district": district,
            "district_code": "" if scope.district_id is None else str(scope.district_id),
            # Links between the pages keep the district chosen.
            "query": "" if scope.district_id is None else f"?district={scope.district_id}",
            "page": page,
        },
        status=status,
    )


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return _public(request, "index", lambda scope, language: {"headline": figures.headline(scope)})


@require_safe
def complaints(request: HttpRequest) -> HttpResponse:
    def build(scope: Scope, language: str) -> dict[str, Any]:
        return {
            "totals": figures.complaints(scope),
            "figures": [
                pages.complaint_weeks(figures.complaints_by_week(scope)),
                pages.complaints_by_department(figures.complaints_by_department(scope, language)),
                pages.complaints_by_district(figures.complaints_by_district(scope, language)),
            ],
        }

    return _public(request, "complaints", build)


@require_safe
def services(request: HttpRequest) -> HttpResponse:
    def build(scope: Scope, language: str) -> dict[str, Any]:
        return {
            "totals": figures.applications(scope),
            "figures": [
                pages.applications_by_service(figures.applications_by_service(scope, language)),
                pages.applications_by_district(figures.applications_by_district(scope, language)),
            ],
        }

    return _public(request, "services", build)


@require_safe
def schemes(request: HttpRequest) -> HttpResponse:
    def build(scope: Scope, language: str) -> dict[str, Any]:
        return {
            "figures": [
                pages.schemes_by_district(figures.schemes_by_district(scope, language)),
                pages.schemes_by_scheme(figures.schemes_by_scheme(scope, language)),
            ],
        }

    return _public(request, "schemes", build)


@require_safe
def register(request: HttpRequest) -> HttpResponse:
    def build(scope: Scope, language: str) -> dict[str, Any]:
        return {
            "totals": figures.register(scope),
            "figures": [pages.register_by_district(figures.register_by_district(scope, language))],
        }

    return _public(request, "register", build)


def official_posting(request: AuthenticatedRequest) -> Posting:
    """The active posting of an official; anyone else (a citizen, an official without one) is refused."""
    posting = request.user.active_posting
    if posting is None:
        raise PermissionDenied
    return posting


@login_required
@require_safe
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """The figures of the official's own area, and the overdue work in it they can open."""
    posting = official_posting(request)
    scope = Scope(posting=posting)
    language = _language()

    def build() -> dict[str, Any]:
        shown = [
            pages.complaint_weeks(figures.complaints_by_week(scope)),
            pages.applications_by_service(figures.applications_by_service(scope, language)),
            pages.complaints_by_department(figures.complaints_by_department(scope, language)),
        ]
        if scope.is_state:
            shown.append(pages.complaints_by_district(figures.complaints_by_district(scope, language)))
        return {"headline": figures.headline(scope), "figures": shown}

    now = timezone.now()
    late_applications = (
        applications_visible_to(request.user)
        .filter(status=Status.PENDING, due_at__lt=now)
        .select_related("service", "family__district")
        .order_by("due_at", "id")
    )
    late_complaints = (
        visible_complaints(request.user)
        .filter(status=Complaint.Status.OPEN, due_at__lte=now)
        .select_related("category", "district")
        .order_by("due_at", "id")
    )
    context = {
        **cached("dashboard", scope, build),
        "posting": posting,
        "area": posting.area_name(language),
        "late_applications": late_applications[:LIST_LENGTH],
        "late_applications_count": late_applications.count(),
        "late_complaints": late_complaints[:LIST_LENGTH],
        "late_complaints_count": late_complaints.count(),
        "now": now,
        "language": language,
    }
    return render(request, "transparency/dashboard.html", context)
