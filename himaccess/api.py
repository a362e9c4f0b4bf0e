"""The JSON API under /api/v1/; OpenAPI document at /api/v1/openapi.json, docs at /api/v1/docs.

Errors answer in the reader's language (Accept-Language or the session's
choice): validation failures keep pydantic's location and type for machines
and carry a translated message for people; a missing object is a plain 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError

from himaccess.applications.limits import DailyLimitReached
from himaccess.middleware import OUTAGES, outage_response

api = NinjaAPI(
    title="Him-Access API",
    version="1",
    description="Family register, services and benefits of Himachal Pradesh.",
    urls_namespace="api",
)


def _message(error: dict[str, Any]) -> str:
    """A person's words for one pydantic error (its own text where ours has none)."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("string_too_long", "too_long"):
        return _("This is too long: at most %(limit)s.") % {"limit": ctx.get("max_length", "")}
    if kind in ("string_too_short", "too_short"):
        return _("This is too short: at least %(limit)s.") % {"limit": ctx.get("min_length", "")}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("float_parsing", "float_type", "decimal_parsing"):
        return _("Enter a number.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Enter a real date as YYYY-MM-DD.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Answer true or false.")
    if kind in ("greater_than", "greater_than_equal"):
        return _("This must be at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt", ""))}
    if kind in ("less_than", "less_than_equal"):
        return _("This must be at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt", ""))}
    if kind in ("literal_error", "enum"):
        return _("Choose one of: %(choices)s") % {"choices": ctx.get("expected", "")}
    if kind in ("json_invalid", "model_attributes_type", "dict_type", "model_type"):
        return _("The request body is not valid JSON of the expected shape.")
    if kind in ("string_type", "list_type"):
        return _("This has the wrong type of value.")
    return str(error.get("msg", _("This value is not valid.")))


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = [
        {"loc": error.get("loc", []), "type": error.get("type", ""), "msg": _message(error)}
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


def unavailable(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
    """The database or the cache is unreachable: 503 with Retry-After, as for every other path."""
    return outage_response(request, exc)


# Ninja answers its endpoints' exceptions itself, so the outage middleware would not see these.
for _outage in OUTAGES:
    api.add_exception_handler(_outage, unavailable)


@api.exception_handler(DailyLimitReached)
def daily_limit(request: HttpRequest, exc: DailyLimitReached) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc.message)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


api.add_router("/geography", "himaccess.geography.api.router")
api.add_router("/", "himaccess.registry.api.router")
api.add_router("/cards", "himaccess.cards.api.router")
api.add_router("/services", "himaccess.applications.api.router")
api.add_router("/grievances", "himaccess.grievances.api.router")
api.add_router("/schemes", "himaccess.schemes.api.router")
api.add_router("/chatbot", "himaccess.chatbot.api.router")
