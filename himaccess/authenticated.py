"""The one way to type a request's user as ours.

- A view behind ``login_required`` (or a Ninja operation behind an auth that
  requires a user) annotates its request as ``AuthenticatedRequest``.
- Where the framework fixes the request's type (admin methods, class-based
  views), ``authenticated(request)`` narrows it, refusing a visitor.
- A page open to visitors and users alike asks ``user_or_none(request)``.
"""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from himaccess.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request whose user is logged in (views under ``login_required``)."""

    user: User


def user_or_none(request: HttpRequest) -> User | None:
    """The logged-in user, or None for a visitor."""
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def authenticated(request: HttpRequest) -> AuthenticatedRequest:
    """``request`` typed as logged in; PermissionDenied for a visitor (a missing login check fails closed)."""
    if user_or_none(request) is None:
        raise PermissionDenied
    return cast(AuthenticatedRequest, request)
