"""The JSON API under /api/v1/; OpenAPI document at /api/v1/openapi.json, docs at /api/v1/docs.

Every error has one shape, ``{"detail", "code", "errors"}`` (``lib/api_errors.py``,
docs/decisions/1140), in the reader's language (Accept-Language, the language
cookie or the session's choice): validation failures keep pydantic's location and
type for machines and carry a translated message for people. The OpenAPI document
lists each operation's error answers (``api_errors.complete_openapi``), and the
docs page is served from the product's own files, with no third-party origin.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser
from ninja.types import DictStrAny

from himaccess.api_docs import OfflineSwagger
from himaccess.applications.limits import DailyLimitReached
from himaccess.lib.api_errors import ApiError, complete_openapi, error_response
from himaccess.lib.errors import ActionError, NotFoundForYou
from himaccess.middleware import OUTAGES, outage_response

# Ninja raises its session CSRF refusal as a plain HttpError with this text.
NINJA_CSRF_MESSAGE = "CSRF check Failed"
JSON_TYPES = ("application/json",)


class JsonBodyParser(Parser):
    """Bodies are JSON, sent as JSON: another declared type is a 415, not a guess."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        kind = request.content_type or ""
        if kind not in JSON_TYPES and not kind.endswith("+json"):
            raise ApiError(
                415, _("Send the body as JSON, with Content-Type: application/json."), code="not_json"
            )
        return super().parse_body(request)


def _answering_405_in_the_shape(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Ninja answers a method an address does not take with plain text; ours is the API's error shape."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        answer = error_response(
            405, _("This address does not take the %(method)s method.") % {"method": request.method}
        )
        answer["Allow"] = response["Allow"]
        return answer

    return wrapped


class HimAccessAPI(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _answering_405_in_the_shape(pattern.callback)
        return patterns

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: DictStrAny | None = None
    ) -> Any:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        complete_openapi(document)
        return document


api = HimAccessAPI(
    title="Him-Access API",
    version="1",
    description=(
        "Family register, services and benefits of Himachal Pradesh. Every error answers "
        "`{detail, code, errors}` (ErrorOut) in the language of Accept-Language. Session callers send "
        "the CSRF token (cookie `csrftoken`) as X-CSRFToken on POST, PUT, PATCH and DELETE."
    ),
    urls_namespace="api",
    parser=JsonBodyParser(),
    docs=OfflineSwagger(),
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
    if kind == "string_pattern_mismatch":
        return _("This does not have the expected form.")
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


def _field(loc: list[Any]) -> str:
    """``["body", "body", "location", "pincode"]`` → ``location.pincode``: the name a person sent."""
    names = [str(part) for part in loc[1:] if part not in ("body", "payload")]
    return ".".join(names) or (str(loc[0]) if loc else "body")


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    items = [
        {"loc": list(error.get("loc", [])), "type": error.get("type", ""), "msg": _message(error)}
        for error in exc.errors
    ]
    fields = "; ".join(f"{_field(item['loc'])}: {item['msg']}" for item in items)
    detail = _("Some values are not valid: %(fields)s") % {"fields": fields}
    return error_response(422, detail, code="invalid", errors=items)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, _("Not found."), code="not_found")


@api.exception_handler(ActionError)
def action_refused(request: HttpRequest, exc: ActionError) -> HttpResponse:
    """What an action refuses (``himaccess.lib.errors``): one status per kind, the action's own message."""
    if isinstance(exc, NotFoundForYou):  # word for word what a missing object gets
        return not_found(request, Http404())
    return error_response(exc.api_status, str(exc.message), code=exc.code)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(403, _("You are not allowed to do this."), code="forbidden")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ours (``ApiError``) and Ninja's own refusals, each with its code and in the reader's language."""
    if isinstance(exc.__cause__, ApiError):  # Ninja wraps what its body parser raises in a 400
        exc = exc.__cause__
    if isinstance(exc, ApiError):
        return error_response(
            exc.status_code, exc.message, code=exc.code, errors=exc.errors, retry_after=exc.retry_after
        )
    if isinstance(exc, AuthenticationError):
        return error_response(
            401,
            _("Log in, or send a valid access token in the Authorization header."),
            code="not_authenticated",
        )
    if isinstance(exc, AuthorizationError):
        return error_response(403, _("You are not allowed to do this."), code="forbidden")
    if isinstance(exc, Throttled):
        return error_response(
            429, _("Too many requests. Please wait a moment and try again."), retry_after=exc.wait or 60
        )
    if exc.status_code == 403 and exc.message == NINJA_CSRF_MESSAGE:
        return error_response(403, _("The page has expired. Reload it and try again."), code="csrf_failed")
    if exc.status_code == 400 and exc.__cause__ is not None:
        # Ninja's body parser failed: the body is not JSON.
        return error_response(400, _("The request body is not valid JSON."), code="malformed_json")
    return error_response(exc.status_code, exc.message)


def unavailable(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
    """The database or the cache is unreachable: 503 with Retry-After, as for every other path."""
    return outage_response(request, exc)


# Ninja answers its endpoints' exceptions itself, so the outage middleware would not see these.
for _outage in OUTAGES:
    api.add_exception_handler(_outage, unavailable)


@api.exception_handler(DailyLimitReached)
def daily_limit(request: HttpRequest, exc: DailyLimitReached) -> HttpResponse:
    return error_response(429, exc.message, code="daily_limit", retry_after=exc.retry_after)


api.add_router("/geography", "himaccess.geography.api.router")
api.add_router("/", "himaccess.registry.api.router")
api.add_router("/cards", "himaccess.cards.api.router")
api.add_router("/services", "himaccess.applications.api.router")
api.add_router("/grievances", "himaccess.grievances.api.router")
api.add_router("/schemes", "himaccess.schemes.api.router")
api.add_router("/chatbot", "himaccess.chatbot.api.router")
api.add_router("/kyc", "himaccess.kyc.api.router")
api.add_router("/natural-farming", "himaccess.natural_farming.api.router")
api.add_router("/milkfed", "himaccess.milkfed.api.router")
api.add_router("/webhooks", "himaccess.webhooks.api.router")
api.add_router("/department", "himaccess.sharing.api.router")
