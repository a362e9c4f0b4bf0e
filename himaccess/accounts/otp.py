"""One-time codes sent by SMS: citizens' login, consents, sensitive changes, e-KYC.

The API other apps use::

    from himaccess.accounts import otp
    from himaccess.accounts.models import OtpPurpose

    otp.issue(mobile, OtpPurpose.SENSITIVE_CHANGE, request)        # may raise otp.Throttled
    otp.verify(mobile, OtpPurpose.SENSITIVE_CHANGE, code, request)  # -> bool; may raise otp.Throttled
    otp.has_fresh(request, OtpPurpose.SENSITIVE_CHANGE)             # verified in this session lately?
    otp.consume_fresh(request, OtpPurpose.SENSITIVE_CHANGE)         # -> bool, and spends the marker

    @otp.require_fresh(OtpPurpose.SENSITIVE_CHANGE)   # on a view: without a fresh code, the
    def change_mobile(request, ...): ...              # person is sent to confirm one and back

A view that changes a mobile number or a bank account calls
``otp.consume_fresh`` in the same request that saves the change (after
``require_fresh`` let it in), so one code authorises one change.

Promises kept here:

1. A code is 6 digits from ``secrets`` (a CSPRNG), stored only as an HMAC
   keyed from SECRET_KEY over the number, the purpose and the code, so a code
   for one purpose or number never verifies for another.
2. It expires after ``OTP_TTL_MINUTES`` (10), is spent by its first correct
   use, is replaced by a newer code for the same number and purpose, and
   dies after ``OTP_ATTEMPTS_PER_CODE`` wrong tries.
3. Sends and verifications are counted per number and per client address in
   the cache (Redis in production) over fixed windows; past a limit the call
   raises ``Throttled`` whether or not the number is registered.
4. For logins, a code is stored for every well-formed number but sent only to
   a registered one, so the caller's response, and the work done, are the
   same either way.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from himaccess.accounts.models import OneTimeCode, OtpPurpose, User
from himaccess.audit.log import client_address
from himaccess.notifications import sms

TTL_MINUTES: int = getattr(settings, "OTP_TTL_MINUTES", 10)
ATTEMPTS_PER_CODE: int = getattr(settings, "OTP_ATTEMPTS_PER_CODE", 5)
# A verified code keeps a sensitive change open for this long in the session.
FRESH_MINUTES: int = getattr(settings, "OTP_FRESH_MINUTES", 10)
_SESSION_KEY = "accounts.fresh_otp"


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    window_seconds: int


SEND_LIMITS_PER_NUMBER = (Limit("send-number-15m", 3, 900), Limit("send-number-day", 10, 86_400))
SEND_LIMITS_PER_ADDRESS = (Limit("send-address-15m", 20, 900),)
VERIFY_LIMITS_PER_NUMBER = (Limit("verify-number-hour", 10, 3_600),)
VERIFY_LIMITS_PER_ADDRESS = (Limit("verify-address-15m", 50, 900),)


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def _hash(mobile: str, purpose: str, code: str) -> str:
    return salted_hmac("himaccess.accounts.otp", f"{mobile}:{purpose}:{code}", algorithm="sha256").hexdigest()


def _bucket(limit: Limit, subject: str) -> str:
    # Numbers and addresses are hashed so that the cache holds neither.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{subject}".encode()).hexdigest()[:32]
    window = int(time.time() // limit.window_seconds)
    return f"otp-limit:{limit.name}:{window}:{digest}"


def _count(limits: tuple[Limit, ...], subject: str) -> int:
    """Count one hit against each limit; the seconds to wait if any is exceeded, else 0."""
    wait = 0
    now = time.time()
    for limit in limits:
        key = _bucket(limit, subject)
        cache.add(key, 0, limit.window_seconds)
        try:
            hits = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, limit.window_seconds)
            hits = 1
        if hits > limit.count:
            wait = max(wait, int(limit.window_seconds - now % limit.window_seconds) + 1)
    return wait


def _throttle(
    number_limits: tuple[Limit, ...], address_limits: tuple[Limit, ...], mobile: str, address: str
) -> None:
    wait = max(_count(number_limits, f"n:{mobile}"), _count(address_limits, f"a:{address}"))
    if wait:
        raise Throttled(wait)


def reset_limits(mobile: str, address: str = "") -> None:
    """Forget the current windows' counts for a number (and an address): a helpline agent's remedy."""
    limits = SEND_LIMITS_PER_NUMBER + VERIFY_LIMITS_PER_NUMBER
    keys = [_bucket(limit, f"n:{mobile}") for limit in limits]
    if address:
        keys += [
            _bucket(limit, f"a:{address}") for limit in SEND_LIMITS_PER_ADDRESS + VERIFY_LIMITS_PER_ADDRESS
        ]
    cache.delete_many(keys)


def is_registered(mobile: str) -> bool:
    """Whether the number belongs to a living member of the register or to a citizen's login."""
    from himaccess.registry.models import Member

    return (
        Member.objects.living().filter(mobile=mobile).exists()
        or User.objects.filter(kind=User.Kind.CITIZEN, mobile=mobile, is_active=True).exists()
    )


def issue(mobile: str, purpose: str, request: HttpRequest | None) -> None:
    """Make a code for ``mobile`` and ``purpose`` and send it (logins: only to registered numbers)."""
    purpose = OtpPurpose(purpose)
    _throttle(SEND_LIMITS_PER_NUMBER, SEND_LIMITS_PER_ADDRESS, mobile, client_address(request))
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        OneTimeCode.objects.usable(mobile, purpose).update(superseded=True)
        OneTimeCode.objects.create(
            mobile=mobile,
            purpose=purpose,
            code_hash=_hash(mobile, purpose, code),
            created_at=now,
            expires_at=now + timedelta(minutes=TTL_MINUTES),
        )
        if purpose != OtpPurpose.LOGIN or is_registered(mobile):
            language = getattr(request, "LANGUAGE_CODE", None) if request is not None else None
            sms.send(
                mobile, f"otp_{purpose.value}", {"code": code, "minutes": TTL_MINUTES}, language=language
            )


def verify(mobile: str, purpose: str, code: str, request: HttpRequest | None) -> bool:
    """Spend the current code for ``mobile`` and ``purpose`` if ``code`` is it; marks the session fresh."""
    purpose = OtpPurpose(purpose)
    _throttle(VERIFY_LIMITS_PER_NUMBER, VERIFY_LIMITS_PER_ADDRESS, mobile, client_address(request))
    offered = _hash(mobile, purpose, code.strip())
    current = OneTimeCode.objects.usable(mobile, purpose).order_by("-created_at").first()
    if current is None:
        return False
    # Count the attempt before comparing, in the database, so parallel guesses all count.
    spent = OneTimeCode.objects.filter(pk=current.pk, attempts__lt=ATTEMPTS_PER_CODE).update(
        attempts=F("attempts") + 1
    )
    if not spent or not constant_time_compare(offered, current.code_hash):
        return False
    # Only one caller can flip used_at: a replayed or parallel second use fails.
    used = OneTimeCode.objects.filter(pk=current.pk, used_at__isnull=True).update(used_at=timezone.now())
    if not used:
        return False
    if request is not None and hasattr(request, "session"):
        fresh = dict(request.session.get(_SESSION_KEY, {}))
        fresh[purpose.value] = time.time()
        request.session[_SESSION_KEY] = fresh
    return True


def has_fresh(request: HttpRequest, purpose: str, *, within_minutes: int = FRESH_MINUTES) -> bool:
    verified_at = request.session.get(_SESSION_KEY, {}).get(OtpPurpose(purpose).value)
    return verified_at is not None and time.time() - float(verified_at) <= within_minutes * 60


def consume_fresh(request: HttpRequest, purpose: str) -> bool:
    """True once per verified code: the marker is removed whether or not it was still fresh."""
    ok = has_fresh(request, purpose)
    fresh = dict(request.session.get(_SESSION_KEY, {}))
    if fresh.pop(OtpPurpose(purpose).value, None) is not None:
        request.session[_SESSION_KEY] = fresh
    return ok


def confirm_redirect(request: HttpRequest, purpose: str) -> HttpResponseRedirect:
    """Send the person to confirm a fresh code for ``purpose``, and back here after."""
    query = urlencode({"purpose": OtpPurpose(purpose).value, "next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('accounts:confirm_code')}?{query}")


def require_fresh(purpose: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: without a fresh code for ``purpose``, send the person to confirm one."""
    purpose = OtpPurpose(purpose)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_fresh(request, purpose):
                return confirm_redirect(request, purpose)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
