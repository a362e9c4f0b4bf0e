"""One shape for every error the JSON API answers, and the OpenAPI document that says so.

Every 4xx and 5xx under ``/api/`` is ``application/json``::

    {"detail": "A sentence in the reader's language.",
     "code": "invalid",
     "errors": [{"loc": ["body", "text"], "type": "missing", "msg": "This field is required."}]}

``detail`` is for people (Accept-Language, the language cookie or the session's
choice); ``code`` and each error's ``loc`` and ``type`` are for programs and
never change with the language; ``errors`` lists the fields refused (empty when
the error is about the request as a whole). See docs/decisions/1140.

How an endpoint follows the contract:

- raise ``ApiError(status, message)`` (or Django's ``Http404``, or Ninja's
  ``HttpError``): the API's handlers answer in this shape;
- a response built by hand uses ``error_response`` (or ``error_body`` for an
  answer stored and replayed, as idempotent creates do);
- declare what the operation itself refuses, beyond what its shape implies, with
  ``response={201: Out, **errors(403, 404, 429)}``.

``complete_openapi`` adds to each operation what its shape implies (below) and
puts every 4xx/5xx on ``ErrorOut``, so a new endpoint is documented correctly
without doing anything:

- 400, 414 and 503 for every operation (refusals at the edge, an over-long address; an outage),
  503 and 429 with Retry-After;
- 401 when the operation needs a login or a token; 403 (CSRF) when a session
  caller sends an unsafe method;
- 404 and 422 when the address has identifiers; 422 for parameters and bodies;
- 413 for every method with a body; 415 for a JSON body sent as another type;
- 400, 409 and 422 for an ``Idempotency-Key`` header.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.http import JsonResponse
from ninja import Schema
from ninja.errors import HttpError
from pydantic import Field

JSON_CONTENT = "application/json"
# Statuses whose answer says when to try again.
RETRY_STATUSES = (429, 503)
BODY_METHODS = ("post", "put", "patch", "delete")
UNSAFE_METHODS = BODY_METHODS
IDEMPOTENCY_HEADER = "idempotency-key"

# The machine-readable ``code`` of an answer when the endpoint gives none.
CODES: dict[int, str] = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    414: "address_too_long",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}

# What each status means across the API, as the OpenAPI document says it.
DESCRIPTIONS: dict[int, str] = {
    400: "Refused at the edge: a control character in the address, a header or the body, JSON nested "
    "too deep, a body that is not valid JSON, an access token in the address, or a malformed "
    "Idempotency-Key.",
    401: "No valid login session or bearer token.",
    403: "Not allowed for this caller, or (session callers) the X-CSRFToken header is missing or wrong.",
    404: "No such object within the caller's scope.",
    409: "The same Idempotency-Key is being answered by another request; retry shortly.",
    413: "The request body is larger than this service accepts.",
    414: "The address (path and query string) is longer than this service accepts.",
    415: "The body is not sent as application/json.",
    422: "A parameter, the body or a field is not valid (see errors[] for each one).",
    429: "Too many requests or a daily cap reached; Retry-After says when to try again.",
    503: "The service cannot reach its records for a moment; Retry-After says when to try again.",
}


class ErrorItem(Schema):
    loc: list[str | int] = Field(description="Where: body, query, path or header, then the field's names.")
    type: str = Field(description="What kind of error, for programs (pydantic's error types).")
    msg: str = Field(description="The error, in the reader's language.")


class ErrorOut(Schema):
    """Every error the API answers: 4xx and 5xx alike."""

    detail: str = Field(description="What went wrong, in the reader's language.")
    code: str = Field(description="What went wrong, for programs; never translated.")
    errors: list[ErrorItem] = Field(description="The fields refused; empty for the request as a whole.")


class ApiError(HttpError):
    """An error an endpoint answers: a status, a message for people and a code for programs."""

    def __init__(
        self,
        status: int,
        message: object,
        *,
        code: str | None = None,
        errors: Iterable[Mapping[str, Any]] = (),
        retry_after: int | None = None,
    ) -> None:
        super().__init__(status, str(message))
        self.code = code or CODES.get(status, "error")
        self.errors = [dict(item) for item in errors]
        self.retry_after = retry_after


def error_body(
    detail: object, *, status: int, code: str | None = None, errors: Iterable[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """The JSON of an error answer (for answers stored and replayed, such as idempotent creates)."""
    return {
        "detail": str(detail),
        "code": code or CODES.get(status, "error"),
        "errors": [
            {"loc": list(item.get("loc", [])), "type": str(item.get("type", "")), "msg": str(item.get("msg"))}
            for item in errors
        ],
    }


def error_response(
    status: int,
    detail: object,
    *,
    code: str | None = None,
    errors: Iterable[Mapping[str, Any]] = (),
    retry_after: int | None = None,
) -> JsonResponse:
    response = JsonResponse(error_body(detail, status=status, code=code, errors=errors), status=status)
    if retry_after is not None:
        response["Retry-After"] = str(max(1, int(retry_after)))
    return response


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """What an operation refuses beyond its shape, for its ``response={...}``."""
    return dict.fromkeys(statuses, ErrorOut)


# ------------------------------------------------------------ the OpenAPI document

ERROR_REF = "#/components/schemas/ErrorOut"
# Django's CSRF check for session callers: the csrftoken cookie, and its value again as a header.
CSRF_SCHEMES = {
    "CsrfCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "csrftoken",
        "description": "Set by the site's pages; sent back with every unsafe request of a session caller.",
    },
    "CsrfToken": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRFToken",
        "description": "With a session cookie, on POST, PUT, PATCH and DELETE: the csrftoken cookie's value.",
    },
}
RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before trying again.",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
}


def _error_response(status: int, description: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description or DESCRIPTIONS.get(status, "Error."),
        "content": {JSON_CONTENT: {"schema": {"$ref": ERROR_REF}}},
    }
    if status in RETRY_STATUSES:
        answer["headers"] = {"Retry-After": RETRY_AFTER_HEADER}
    return answer


def _uses_session(operation: Mapping[str, Any], schemes: Mapping[str, Any]) -> bool:
    for requirement in operation.get("security") or []:
        for name in requirement:
            scheme = schemes.get(name, {})
            if scheme.get("type") == "apiKey" and scheme.get("in") == "cookie":
                return True
    return False


def implied_statuses(
    method: str, operation: Mapping[str, Any], schemes: Mapping[str, Any]
) -> dict[int, str | None]:
    """The error statuses an operation can answer because of its shape; a description where it differs."""
    statuses: dict[int, str | None] = {400: None, 414: None, 503: None}
    parameters = operation.get("parameters") or []
    security = operation.get("security") or []
    if security and all(requirement for requirement in security):
        statuses[401] = None
    if method in UNSAFE_METHODS and _uses_session(operation, schemes):
        statuses[403] = None
    if method in BODY_METHODS:
        statuses[413] = None
    if parameters or "requestBody" in operation:
        statuses[422] = None
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses[404] = None
        statuses[422] = (
            "A parameter, the body or a field is not valid; an identifier in the address that does not "
            "have its documented form is refused here."
        )
    body = (operation.get("requestBody") or {}).get("content") or {}
    if set(body) == {JSON_CONTENT}:
        statuses[415] = None
    if any(
        parameter.get("in") == "header" and str(parameter.get("name", "")).lower() == IDEMPOTENCY_HEADER
        for parameter in parameters
    ):
        statuses[409] = None
        statuses[422] = (
            "A parameter, the body or a field is not valid, or this Idempotency-Key was used before "
            "with another body."
        )
    return statuses


def complete_openapi(document: dict[str, Any]) -> dict[str, Any]:
    """Every operation's error answers: the ones its shape implies, each (and any declared) on ErrorOut."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    definitions = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in definitions.pop("$defs", {}).items():
        schemas[name] = definition
    schemas["ErrorOut"] = definitions
    security_schemes = components.setdefault("securitySchemes", {})
    for methods in document.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if method in UNSAFE_METHODS and _uses_session(operation, security_schemes):
                # A session caller proves the request comes from our own pages: the CSRF token as a header.
                security_schemes.update(CSRF_SCHEMES)
                operation["security"] = [
                    {**requirement, **{name: [] for name in CSRF_SCHEMES}}
                    for requirement in operation["security"]
                ]
            # Ninja may key a status by number or by text; JSON would then carry the status twice,
            # which strict readers (Swagger UI's YAML parser) refuse.
            responses: dict[str, Any] = {str(code): answer for code, answer in operation["responses"].items()}
            operation["responses"] = responses
            for implied, description in implied_statuses(method, operation, security_schemes).items():
                responses.setdefault(str(implied), _error_response(implied, description))
            for code in list(responses):
                if code.isdigit() and int(code) >= 400:
                    # Declared with any schema (or none): the one shape, with the API's own words.
                    declared = responses[code].get("description", "")
                    plain = not declared or declared in ("Error", "Response", "OK")
                    responses[code] = _error_response(int(code), None if plain else declared)
    return document


__all__ = [
    "CODES",
    "ApiError",
    "ErrorItem",
    "ErrorOut",
    "complete_openapi",
    "error_body",
    "error_response",
    "errors",
]
