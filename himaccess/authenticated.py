"""Request types for views behind a login, so the user is typed as ours."""

from __future__ import annotations

from django.http import HttpRequest

from himaccess.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request whose user is logged in (views under ``login_required``)."""

    user: User
