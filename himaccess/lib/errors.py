"""One vocabulary for what a use case (``actions``) refuses, mapped once for pages and once for the API.

==================  ==============================================  =====  =====
raise               when                                            page   API
==================  ==============================================  =====  =====
``NotFoundForYou``  the object is outside the caller's scope, or    404    404
                    the caller is not the person who may act on it
                    (never 403: a refusal must not confirm that an
                    identifier exists)
``NotAllowed``      the rules do not allow this now (wrong stage,   400    422
                    a limit, a missing document)
``Conflict``        someone else acted first; nothing was changed   409    409
``ValidationError`` (Django's) a value the caller gave is not       400    422
                    valid; field errors go back onto the form
==================  ==============================================  =====  =====

A view or endpoint that wants to answer differently (re-show its form with
the message) catches the error itself; anything it lets through is answered
by ``ActionErrorMiddleware`` (pages) or the API's handler (``himaccess.api``)
with the status above. The message is already in the reader's language: the
action raises it with ``gettext``. See docs/decisions/1182.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found


class ActionError(Exception):
    """What a use case refuses; ``message`` is for the person who tried."""

    page_status: ClassVar[int] = 400
    api_status: ClassVar[int] = 422
    code: str = "not_allowed"

    def __init__(self, message: object = "", *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code


class NotFoundForYou(ActionError, PermissionDenied):
    """Not yours to see or act on: answered exactly as an object that does not exist.

    It is also a ``PermissionDenied``, so code that already treats that as 404
    keeps doing so; never let Django answer it as 403.
    """

    page_status = 404
    api_status = 404
    code = "not_found"


class NotAllowed(ActionError):
    """A move the rules do not allow now."""


class Conflict(NotAllowed):
    """Someone else changed the record after the caller looked at it: nothing was changed."""

    page_status = 409
    api_status = 409
    code = "conflict"


def page_response(request: HttpRequest, error: ActionError) -> HttpResponse:
    if isinstance(error, NotFoundForYou):
        return page_not_found(request, Http404())
    title = _("Someone acted first") if isinstance(error, Conflict) else _("This cannot be done now")
    return render(
        request,
        "errors/refused.html",
        {"title": title, "message": error.message},
        status=error.page_status,
    )


class ActionErrorMiddleware:
    """Pages: an ``ActionError`` a view did not handle itself, answered with its status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ActionError):
            return page_response(request, exception)
        return None
