"""Refusals made at the edge, before the session or the database: a bilingual page, or the API's error.

People get a small page that gives the message in their language first and
then in the other one, so that it reads even when the language chosen was not
theirs; API clients (``/api/``, ``/o/``) get the API's error shape
(``lib/api_errors.py``) in their language. Nothing here touches the database,
the cache or the session (the language comes from the cookie or
Accept-Language; the template is rendered without context processors), so a
refusal also serves when they are down, and costs almost nothing under load.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from himaccess.lib.api_errors import error_response

# Paths whose callers are programs: they get JSON, people get a page.
API_PREFIXES = ("/api/", "/o/")
HOME = _("Go to the home page")
BRAND = _("Him Access")


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIXES)


def edge_response(
    request: HttpRequest,
    status: int,
    title: Any,
    message: Any,
    *,
    api_message: Any = None,
    code: str | None = None,
    **params: Any,
) -> HttpResponse:
    """A refusal in the reader's language: JSON for API clients, a page for people.

    ``message % params`` is what both read; an API client reads ``api_message``
    instead when given (a page speaks to a person, the JSON to a program), with
    ``code`` (the status's own by default).
    """
    language = translation.get_language_from_request(request)
    response: HttpResponse
    if is_api_request(request):
        with translation.override(language):
            detail = str(message if api_message is None else api_message) % params
        # The API's one error shape, here too: a client parses every error alike.
        response = error_response(status, detail, code=code)
    else:
        others = [other for other, _name in settings.LANGUAGES if other != language]
        sections = []
        for section_language in (language, *others):
            with translation.override(section_language):
                sections.append(
                    {
                        "language": section_language,
                        "brand": str(BRAND),
                        "title": str(title),
                        "message": str(message) % params,
                        "home": str(HOME),
                    }
                )
        page = render_to_string("errors/edge.html", {"status": status, "sections": sections})
        response = HttpResponse(page, status=status)
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    return response
