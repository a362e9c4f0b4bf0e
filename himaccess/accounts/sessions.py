"""Every session a login opens is remembered, so that all of a person's sessions can end at once.

A transfer or suspension must take effect immediately (SECURITY.md): the
session rows here let ``end_all`` delete each of the official's sessions from
the session store, whichever engine holds them (database or cache).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from himaccess.accounts.models import User, UserSession
from himaccess.audit.log import client_address
from himaccess.idempotency import keys as idempotency


@receiver(user_logged_in, dispatch_uid="accounts.remember_session")
def remember_session(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    session = request.session
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key, defaults={"user": user, "address": client_address(request) or None}
    )


@receiver(user_logged_out, dispatch_uid="accounts.forget_session")
def forget_session(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


def end_all(user: User) -> int:
    """Delete every session the user opened by logging in, and the answers stored for their
    idempotency keys (built for a scope they may no longer have); returns how many sessions."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    idempotency.forget_caller("user", user.pk)
    return len(keys)
