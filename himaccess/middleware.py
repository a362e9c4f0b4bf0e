"""Response headers that Django's SecurityMiddleware does not set; refusals made at the edge.

``InputGuardMiddleware`` refuses control characters, JSON nested too deep and
bodies too large before any view, session or database sees them.
``OutageMiddleware`` answers 503 with Retry-After, instead of a bare 500, when
the database or the cache cannot be reached. Both answer people with a small
bilingual page and API clients (``/api/``, ``/o/``) with the API's error shape
(``{"detail", "code", "errors"}``, ``lib/api_errors.py``)
in the reader's language, and neither touches the database or the session.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from redis.exceptions import ConnectionError as CacheConnectionError
from redis.exceptions import TimeoutError as CacheTimeoutError

from himaccess.lib import edge, input_guard
from himaccess.lib.api_errors import error_response
from himaccess.lib.edge import API_PREFIXES as API_PREFIXES  # where callers have imported it from
from himaccess.lib.input_guard import Problem

logger = logging.getLogger(__name__)


def content_security_policy(*, form_targets: tuple[str, ...] = ()) -> str:
    """The policy of every page; ``form_targets`` are origins a form on this page may end at.

    Chromium applies ``form-action`` to every redirect that follows a form
    submission, so the OpenID consent page names the one origin its "Allow"
    is redirected to (the client's registered redirect address), and no other
    page names any.
    """
    form_action = " ".join(["'self'", *form_targets])
    return "; ".join(
        [
            "default-src 'self'",
            "img-src 'self' data:",
            "style-src 'self'",
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action {form_action}",
            "frame-ancestors 'none'",
        ]
    )


# Pages are server-rendered with local static files only; nothing needs a
# third-party origin, so everything is pinned to 'self'.
CONTENT_SECURITY_POLICY = content_security_policy()
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# ------------------------------------------------------------ refusals at the edge

BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
RETRY_AFTER_SECONDS = 30
# The database or the cache cannot be reached (or dropped the connection): try again later.
OUTAGES: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    CacheConnectionError,
    CacheTimeoutError,
)
# Set on a request whose handling met an outage somewhere Django turned into a 500.
OUTAGE_SEEN = "himaccess_outage_seen"

REFUSED = _("The request was refused")
REFUSALS: dict[Problem, tuple[int, Any, Any]] = {
    Problem.CONTROL_CHARACTER: (
        400,
        REFUSED,
        _(
            "It contains a control character, such as a NUL byte, that is never part of valid input. "
            "Remove it and try again."
        ),
    ),
    Problem.TOO_DEEP: (400, REFUSED, _("Its JSON is nested more than %(depth)s levels deep.")),
    Problem.TOO_LARGE: (
        413,
        _("The request is too large"),
        _("It is larger than %(size)s bytes, the most this service accepts."),
    ),
    Problem.MALFORMED: (400, REFUSED, _("Its form data could not be read. Reload the page and try again.")),
    Problem.ADDRESS_TOO_LONG: (
        414,
        _("The address is too long"),
        _("Its address is longer than %(length)s characters, the most this service accepts."),
    ),
}
UNAVAILABLE_TITLE = _("Him Access is unavailable for a moment")
UNAVAILABLE = _("It cannot reach its records just now. Please try again in a minute.")
# PostgreSQL stopped a transaction that met another at the same rows: a deadlock (40P01), a lock
# not granted within lock_timeout (55P03), a serialization failure (40001). Nothing of it was
# written and the records are reachable: sent again it goes through, so 409, not an outage.
CONFLICT_STATES = frozenset({"40P01", "55P03", "40001"})
CONFLICT_TITLE = _("Someone else was changing the same record")
CONFLICT = _("Nothing was saved. Please send it again.")
CONFLICT_RETRY_AFTER_SECONDS = 1


def is_form_post(request: HttpRequest) -> bool:
    """Whether the body is read as form fields; any other body may be parsed as JSON by an endpoint."""
    return request.method == "POST" and request.content_type in FORM_TYPES


def edge_response(request: HttpRequest, status: int, title: Any, message: Any, **params: Any) -> HttpResponse:
    """A refusal in the reader's language (``lib/edge.py``), with the headers of every page.

    ``OutageMiddleware`` answers outside the middleware that add them, so its
    refusals carry them from here.
    """
    response = edge.edge_response(request, status, title, message, **params)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def refusal(request: HttpRequest, problem: Problem) -> HttpResponse:
    status, title, message = REFUSALS[problem]
    return edge_response(
        request,
        status,
        title,
        message,
        depth=settings.JSON_MAX_DEPTH,
        size=settings.JSON_BODY_MAX_BYTES,
        length=settings.MAX_ADDRESS_LENGTH,
    )


def is_conflict(error: object) -> bool:
    """Whether ``error`` is PostgreSQL stopping one of two transactions at the same rows."""
    return getattr(getattr(error, "__cause__", None), "sqlstate", None) in CONFLICT_STATES


def outage_response(request: HttpRequest, error: object) -> HttpResponse:
    """503 with Retry-After for an outage; 409 for a transaction stopped by another (nothing written)."""
    if is_conflict(error):
        logger.warning("Transaction stopped by a concurrent one on %s %s", request.method, request.path)
        response = edge_response(request, 409, CONFLICT_TITLE, CONFLICT)
        response["Retry-After"] = str(CONFLICT_RETRY_AFTER_SECONDS)
        return response
    # The exception's text can name hosts; its kind is enough to alert on.
    logger.error(
        "Database or cache unreachable (%s) on %s %s", type(error).__name__, request.method, request.path
    )
    response = edge_response(request, 503, UNAVAILABLE_TITLE, UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _texts(values: Any) -> list[str]:
    """Keys and values of a QueryDict or a plain mapping of text."""
    if hasattr(values, "lists"):
        return [text for key, items in values.lists() for text in (key, *items) if isinstance(text, str)]
    return [text for pair in values.items() for text in pair if isinstance(text, str)]


def _form_problem(request: HttpRequest, length: int) -> Problem | None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        if request.content_type == "multipart/form-data" and (limit is None or length <= limit):
            # Read whole first, so an endpoint that reads the raw body still can after the fields are
            # parsed, and so the parts' own headers (file names) can be checked as sent.
            boundary = (request.content_params or {}).get("boundary", "").encode("ascii", "replace")
            if boundary and input_guard.multipart_headers_have_control_character(request.body, boundary):
                return Problem.CONTROL_CHARACTER
        fields, files = request.POST, request.FILES
    except RequestDataTooBig:
        return Problem.TOO_LARGE
    except (MultiPartParserError, SuspiciousOperation, BadRequest):
        return Problem.MALFORMED
    names = [*files.keys(), *(upload.name or "" for _key, uploads in files.lists() for upload in uploads)]
    if input_guard.any_control_character([*_texts(fields), *names]):
        return Problem.CONTROL_CHARACTER
    return None


def _body_problem(request: HttpRequest) -> Problem | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return Problem.MALFORMED
    if is_form_post(request):
        return _form_problem(request, length)
    # Anything else may be parsed as JSON by an endpoint (the ledger reads any body as JSON).
    if length > settings.JSON_BODY_MAX_BYTES:
        return Problem.TOO_LARGE
    try:
        body = request.body
    except RequestDataTooBig:
        return Problem.TOO_LARGE
    if len(body) > settings.JSON_BODY_MAX_BYTES:
        return Problem.TOO_LARGE
    return input_guard.body_problem(body, max_depth=settings.JSON_MAX_DEPTH)


def request_problem(request: HttpRequest) -> Problem | None:
    """What is wrong with the request as sent, before anything reads it: path, headers, query, body."""
    # Measured before the query is parsed: an over-long address costs nothing more than its length.
    address = len(request.META.get("PATH_INFO", "")) + len(request.META.get("QUERY_STRING", ""))
    if address > settings.MAX_ADDRESS_LENGTH:
        return Problem.ADDRESS_TOO_LONG
    headers = [
        value
        for name, value in request.META.items()
        if (name.startswith("HTTP_") or name == "CONTENT_TYPE") and isinstance(value, str)
    ]
    if (
        input_guard.any_control_character([request.path_info])
        or any(input_guard.header_has_control_character(value) for value in headers)
        or input_guard.any_control_character(_texts(request.COOKIES))
        or input_guard.any_control_character(_texts(request.GET))
    ):
        return Problem.CONTROL_CHARACTER
    if request.method in BODY_METHODS:
        return _body_problem(request)
    return None


class InputGuardMiddleware:
    """Refuses control characters, JSON nested too deep and bodies too large (see ``request_problem``).

    It sits before the capacity and session middleware: nothing it refuses
    takes or waits for one of the process's slots, nor reaches a session
    lookup, a view or the database.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = request_problem(request)
        if problem is not None:
            return refusal(request, problem)
        return self.get_response(request)


@receiver(got_request_exception)
def _note_outage(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Django turns an exception raised in a middleware (a session saved to an unreachable database)
    # into a 500 before any outer middleware sees it; it sends this signal while handling it.
    if request is not None and isinstance(sys.exc_info()[1], OUTAGES):
        setattr(request, OUTAGE_SEEN, sys.exc_info()[1])


class OutageMiddleware:
    """A 503 with Retry-After, never a bare 500, when the database or the cache cannot be reached.

    Outages raised by a view come to ``process_exception``; those raised by
    a middleware inside this one (sessions, authentication, messages) are
    noted by ``_note_outage`` and their 500 is replaced here on the way out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        error = getattr(request, OUTAGE_SEEN, None)
        if error is not None and response.status_code >= 500 and response.status_code != 503:
            return outage_response(request, error)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OUTAGES):
            # A middleware may fail again on the way out (the session it could not load): whatever
            # that raises, this request met an outage.
            setattr(request, OUTAGE_SEEN, exception)
            return outage_response(request, exception)
        return None


# ------------------------------------------------------------ credentials and personal data

# Answers here are for one caller (tokens, claims, register records) whoever asks.
PRIVATE_PREFIXES = ("/api/", "/o/")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# OAuth tokens in an address end up in server logs, browser history and Referer headers.
QUERY_TOKENS = ("access_token", "refresh_token")
TOKEN_IN_ADDRESS = _(
    "Tokens are not accepted in the address. Send the access token in the Authorization header."
)


def _marked_public(response: HttpResponse) -> bool:
    header = response.get("Cache-Control", "")
    directives = {part.split("=", 1)[0].strip().lower() for part in header.split(",")}
    # A public answer never sets a cookie, which a shared cache would hand to everyone.
    return "public" in directives and not response.cookies


def _may_be_personal(request: HttpRequest) -> bool:
    if request.method not in SAFE_METHODS or request.path.startswith(PRIVATE_PREFIXES):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` and ``Pragma: no-cache`` on every answer that may carry personal data.

    That is every answer to a logged-in person, every answer under /api/ and
    /o/, and every answer to a POST (or another unsafe method), whatever its
    status. A view that is public and may be cached says so itself with
    ``cache_control(public=True, ...)`` (card verification keys and
    revocations, the OpenID discovery document and JWKS, the service
    catalogue); its header is kept. Anonymous GET pages (home, the public
    dashboard, the tracking form) keep the browser's defaults.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _marked_public(response) or not _may_be_personal(request):
            return response
        add_never_cache_headers(response)
        response["Pragma"] = "no-cache"
        return response


class TokensOutOfAddressMiddleware:
    """A request carrying an OAuth token in its address is refused (400), wherever it goes.

    Endpoints take bearer tokens from the Authorization header only (the
    OpenID validator and the API's bearer schemes check that too); refusing
    here also stops a client that puts one in the address from ever working.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any(name in request.GET for name in QUERY_TOKENS):
            if request.path_info.startswith("/api/"):
                return error_response(400, TOKEN_IN_ADDRESS, code="token_in_address")
            # The OAuth endpoints answer as OAuth 2.0 (RFC 6749, section 5.2) says.
            body = {"error": "invalid_request", "error_description": str(TOKEN_IN_ADDRESS)}
            return JsonResponse(body, status=400)
        return self.get_response(request)


# ------------------------------------------------------------ the size of a request body

TOO_LARGE_TITLE = _("The request is too large")
TOO_LARGE = _(
    "It is larger than %(megabytes)s MB, the most this service accepts in one request. "
    "Send large files one or two at a time."
)
# Set on a request whose body was found too large while something was reading it.
BODY_TOO_LARGE_SEEN = "himaccess_body_too_large"
SPOOL_CHUNK_BYTES = 65_536


class RequestBodyTooLarge(RequestDataTooBig):
    """A body past ``MAX_REQUEST_BYTES``, found while it was being read."""


class CappedStream:
    """A request body that refuses to yield more than ``limit`` bytes, whatever length was stated.

    Reading past the limit marks the request and raises ``RequestBodyTooLarge``:
    the multipart parser stops there, and ``RequestSizeLimitMiddleware``
    answers 413 whatever became of the exception on the way out.
    """

    def __init__(self, request: HttpRequest, source: Any, limit: int) -> None:
        self.request, self.source, self.limit, self.seen = request, source, limit, 0

    def _count(self, chunk: bytes) -> bytes:
        self.seen += len(chunk)
        if self.seen > self.limit:
            setattr(self.request, BODY_TOO_LARGE_SEEN, True)
            raise RequestBodyTooLarge("Request body exceeded settings.MAX_REQUEST_BYTES.")
        return chunk

    def _room(self, size: int | None) -> int:
        room = self.limit - self.seen + 1  # one byte past the limit is enough to know
        return room if size is None or size < 0 else min(size, room)

    def read(self, size: int | None = -1) -> bytes:
        return self._count(self.source.read(self._room(size)))

    def readline(self, size: int | None = -1) -> bytes:
        return self._count(self.source.readline(self._room(size)))

    def close(self) -> None:
        self.source.close()


def _spooled(source: Any, limit: int) -> tempfile.SpooledTemporaryFile[bytes] | None:
    """The whole body, read in chunks into memory (then a temporary file); None past ``limit``."""
    body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
    size = 0
    while chunk := source.read(min(SPOOL_CHUNK_BYTES, limit + 1 - size)):
        size += len(chunk)
        if size > limit:
            body.close()
            return None
        body.write(chunk)
    body.seek(0)
    return body


class RequestSizeLimitMiddleware:
    """A request body larger than it may be is refused with 413, nothing written, little of it read.

    A form post may be up to ``settings.MAX_REQUEST_BYTES``; any other body
    (JSON, or anything an endpoint may parse as JSON) up to the smaller of
    that and ``settings.JSON_BODY_MAX_BYTES``, the limit ``InputGuardMiddleware``
    applies to it.

    1. A stated Content-Length over the limit: refused before a byte is read.
    2. A server that ends the input at the body's end (``wsgi.input_terminated``,
       as gunicorn does; the length may then be absent, as in a chunked upload,
       or understated): the body is read here, in chunks, up to one byte past
       the limit, and refused past it; otherwise it is handed on, with its real
       length, to everything after.
    3. Otherwise (Django then reads no more than the stated length) the body
       is still counted as it is read, and past the limit the answer is a 413.

    Django's ``FILE_UPLOAD_MAX_MEMORY_SIZE`` only decides where an upload
    waits (memory or disk); this is the cap on what is read at all. It sits
    before ``InputGuardMiddleware``, the first reader of bodies, and both
    before ``CapacityMiddleware``: a body refused here never takes, nor waits
    for, one of the process's slots. What is left unread of a refused body is
    the server's to discard (gunicorn drains a little of it and otherwise
    closes the connection).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in BODY_METHODS:
            return self.get_response(request)
        limit = settings.MAX_REQUEST_BYTES
        if not is_form_post(request):
            # A larger one would be refused by the input guard anyway: reading it first is waste.
            limit = min(limit, settings.JSON_BODY_MAX_BYTES)
        try:
            stated: int | None = int(request.META.get("CONTENT_LENGTH") or "")
        except ValueError:
            stated = None
        if stated is not None and stated > limit:
            return self._too_large(request, limit)
        if request.META.get("wsgi.input_terminated"):
            body = _spooled(request.META["wsgi.input"], limit)
            if body is None:
                return self._too_large(request, limit)
            request._stream = body  # type: ignore[assignment]  # Django reads the body from here
            request.META["CONTENT_LENGTH"] = str(body.seek(0, 2))
            body.seek(0)
        else:
            request._stream = CappedStream(request, request._stream, limit)  # type: ignore[assignment]
        response = self.get_response(request)
        if getattr(request, BODY_TOO_LARGE_SEEN, False):
            return self._too_large(request, limit)
        return response

    @staticmethod
    def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
        logger.info("Request body over %s bytes refused on %s %s", limit, request.method, request.path)
        if limit < settings.MAX_REQUEST_BYTES:
            # The input guard's own refusal, word for word: the client is told the limit that applied.
            return refusal(request, Problem.TOO_LARGE)
        return edge_response(request, 413, TOO_LARGE_TITLE, TOO_LARGE, megabytes=round(limit / 1_048_576, 1))
