"""The natural-farming section of the Agriculture department's page (``departments.pages``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from himaccess.authenticated import user_or_none
from himaccess.departments.models import Department
from himaccess.natural_farming import access, figures


def department_section(request: HttpRequest, department: Department) -> dict[str, Any] | None:
    """Figures for everyone (small groups hidden unless the caller is an agriculture official)."""
    user = user_or_none(request)
    complete = user is not None and access.is_agriculture_official(user)
    season = request.GET.get("season", "")[:20]
    language = getattr(request, "LANGUAGE_CODE", "en")
    return {
        "figures": figures.compute(season=season or None, language=language, complete=complete),
        "complete": complete,
    }
