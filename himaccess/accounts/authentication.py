"""Logging people in: citizens by a verified mobile code, officials by password and TOTP.

An official's login is two steps. The password step only remembers, in the
anonymous session, who passed it (``PENDING_KEY``, for ``PENDING_SECONDS``);
``django.contrib.auth.login`` runs only after the TOTP step, which also marks
the session with ``MFA_SESSION_KEY``. So every authenticated official session
has passed both factors, and the admin site (``admin_site``) checks the mark.

Failures of either step are rows (``LoginFailure``); ``LOCK_AFTER`` failures
within ``LOCK_MINUTES`` lock the account (a ``Lockout`` row) for
``LOCK_MINUTES`` or until a state administrator unlocks it.

``check_password`` is the one place an official's password is checked.
Django's ``authenticate()`` reaches only ``LoginStepsBackend``, which sends
the attempt through it and never returns a user: a password alone opens no
session, whoever asks (the admin site's form, an OAuth password grant, any
later caller).
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta
from typing import Any

from django.contrib.auth import login
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from himaccess.accounts import totp
from himaccess.accounts.models import Lockout, LoginFailure, TotpDevice, User
from himaccess.audit.log import client_address

logger = logging.getLogger(__name__)

MFA_SESSION_KEY = "accounts.mfa_verified_at"
# When this session's person last proved who they are (OpenID Connect's auth_time, max_age).
AUTH_TIME_KEY = "accounts.authenticated_at"
PENDING_KEY = "accounts.official_pending"
PENDING_SECONDS = 300
LOCK_AFTER = 5
LOCK_MINUTES = 15
BACKEND = "himaccess.accounts.authentication.LoginStepsBackend"


def record_failure(username: str, user: User | None, stage: str, request: HttpRequest | None) -> None:
    """Write the failure; lock the account when it is the LOCK_AFTER-th within the window."""
    now = timezone.now()
    LoginFailure.objects.create(
        username=username[:150], user=user, stage=stage, address=client_address(request) or None, at=now
    )
    logger.info(
        "official login failed stage=%s user_id=%s address=%s",
        stage,
        user.pk if user else None,
        client_address(request),
    )
    if user is None or user.is_locked_out():
        return
    since = now - timedelta(minutes=LOCK_MINUTES)
    last = user.lockouts.first()
    if last is not None:
        since = max(since, last.unlocked_at or last.until)
    if user.login_failures.filter(at__gt=since).count() >= LOCK_AFTER:
        Lockout.objects.create(user=user, started_at=now, until=now + timedelta(minutes=LOCK_MINUTES))
        logger.warning("official account locked user_id=%s", user.pk)


def check_password(request: HttpRequest | None, username: str, password: str) -> User | None:
    """The official whose password this is, unless unknown, inactive or locked out."""
    user = User.objects.filter(username=username, kind=User.Kind.OFFICIAL).first()
    if user is None:
        # Hash anyway, as Django's ModelBackend does, so an unknown name takes as long.
        User().set_password(password)
        record_failure(username, None, LoginFailure.Stage.PASSWORD, request)
        return None
    if not user.check_password(password) or not user.is_active or user.is_locked_out():
        record_failure(username, user, LoginFailure.Stage.PASSWORD, request)
        return None
    return user


class LoginStepsBackend(ModelBackend):
    """Django's model backend for sessions and permissions, with ``authenticate`` closed.

    A caller of ``authenticate(username=..., password=...)`` still goes through
    ``check_password``, so a wrong password counts towards the lockout and is
    recorded like one typed on the login page; but the answer is always None,
    right password or wrong, because an official logs in only by password and
    TOTP (``complete_login``) and a citizen only by a code.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if username is not None and password is not None:
            check_password(request, str(username), str(password))
        return None


def remember_password_passed(request: HttpRequest, user: User) -> None:
    request.session[PENDING_KEY] = {"user": user.pk, "at": time.time()}


def pending_official(request: HttpRequest) -> User | None:
    """The official who passed the password step in this session within PENDING_SECONDS."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = User.objects.filter(
        pk=int(pending.get("user", 0)), kind=User.Kind.OFFICIAL, is_active=True
    ).first()
    if user is None or user.is_locked_out():
        return None
    return user


def device_for_enrolment(user: User) -> TotpDevice:
    """The official's unconfirmed device, made on first use; a confirmed one is never replaced here."""
    device, _ = TotpDevice.objects.get_or_create(user=user, defaults={"secret": totp.new_secret()})
    return device


def check_totp(request: HttpRequest, user: User, code: str, *, enrolling: bool = False) -> bool:
    """Accept a code for a step later than the last accepted one; a failure counts towards lockout."""
    device = TotpDevice.objects.filter(user=user).first()
    ok = False
    if device is not None and device.is_confirmed != enrolling and not user.is_locked_out():
        step = totp.matching_step(device.secret, code, after_step=device.last_used_step)
        if step is not None:
            changes: dict[str, object] = {"last_used_step": step}
            if enrolling:
                changes["confirmed_at"] = timezone.now()
            # Conditional on the old step, so two parallel uses of one code cannot both pass.
            ok = bool(TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(**changes))
    if not ok:
        record_failure(user.username, user, LoginFailure.Stage.TOTP, request)
    return ok


@transaction.atomic
def complete_login(request: HttpRequest, user: User, *, second_factor: bool) -> None:
    """Log in: a new session key (Django's login cycles it), the session remembered, MFA marked."""
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=BACKEND)
    request.session[AUTH_TIME_KEY] = time.time()
    if second_factor:
        request.session[MFA_SESSION_KEY] = time.time()
    logger.info("login kind=%s user_id=%s address=%s", user.kind, user.pk, client_address(request))


def authenticated_at(request: HttpRequest) -> float | None:
    """When the logged-in person of this session last logged in; None for a session made otherwise."""
    value = request.session.get(AUTH_TIME_KEY)
    return float(value) if isinstance(value, (int, float)) else None


def citizen_for_mobile(mobile: str, language: str) -> User:
    """The citizen login for a verified number, made on the first login."""
    user = User.objects.filter(kind=User.Kind.CITIZEN, mobile=mobile).first()
    if user is None:
        user = User(
            username=f"citizen-{secrets.token_hex(8)}",
            kind=User.Kind.CITIZEN,
            mobile=mobile,
            preferred_language=language if language in ("en", "hi") else "hi",
        )
        user.set_unusable_password()
        user.save()
    return user
