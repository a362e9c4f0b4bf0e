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
4. For logins, a code is stored for every well-formed number and handed to
   a queued task (``send_login_code``) that sends it only to a registered
   one, so the caller's response, and the work done in the request, are the
   same either way.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from himaccess.accounts import citizens
from himaccess.accounts.language import language_for
from himaccess.accounts.models import OneTimeCode, OtpPurpose, User
from himaccess.audit.log import client_address
from himaccess.lib import throttling
from himaccess.lib.throttling import Limit
from himaccess.notifications import sms

TTL_MINUTES: int = getattr(settings, "OTP_TTL_MINUTES", 10)
ATTEMPTS_PER_CODE: int = getattr(settings, "OTP_ATTEMPTS_PER_CODE", 5)
# A verified code keeps a sensitive change open for this long in the session.
FRESH_MINUTES: int = getattr(settings, "OTP_FRESH_MINUTES", 10)
_SESSION_KEY = "accounts.fresh_otp"


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


def _throttle(
    number_limits: tuple[Limit, ...], address_limits: tuple[Limit, ...], mobile: str, address: str
) -> None:
    wait = max(throttling.hit(number_limits, f"n:{mobile}"), throttling.hit(address_limits, f"a:{address}"))
    if wait:
        raise Throttled(wait)


def reset_limits(mobile: str, address: str = "") -> None:
    """Forget the current windows' counts for a number (and an address): a helpline agent's remedy."""
    throttling.forget(SEND_LIMITS_PER_NUMBER + VERIFY_LIMITS_PER_NUMBER, f"n:{mobile}")
    if address:
        throttling.forget(SEND_LIMITS_PER_ADDRESS + VERIFY_LIMITS_PER_ADDRESS, f"a:{address}")


def is_registered(mobile: str) -> bool:
    """Whether the number belongs to a living member of the register or to a citizen's login."""
    return (
        citizens.on_register(mobile)
        or User.objects.filter(kind=User.Kind.CITIZEN, mobile=mobile, is_active=True).exists()
    )


def issue(
    mobile: str,
    purpose: str,
    request: HttpRequest | None,
    *,
    template: str = "",
    params: dict[str, str] | None = None,
    language: str | None = None,
) -> None:
    """Make a code for ``mobile`` and ``purpose`` and have it sent (logins: only to registered numbers).

    ``template``, ``params`` and ``language`` send a purpose's code in a message
    of its own (an assisted-mode consent names who asks, where, and for what).

    A login code takes the same path for every well-formed number until the
    answer is given: the code row is written and, after commit, one task is
    queued carrying the code sealed. Only the task, in a worker, asks whether
    the number is registered and sends the SMS or drops it; so the request does
    the same work, and takes the same time, for a known and an unknown number.
    """
    purpose = OtpPurpose(purpose)
    _throttle(SEND_LIMITS_PER_NUMBER, SEND_LIMITS_PER_ADDRESS, mobile, client_address(request))
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    if language is None and request is not None:
        language = getattr(request, "LANGUAGE_CODE", None)
    with transaction.atomic():
        OneTimeCode.objects.usable(mobile, purpose).update(superseded=True)
        OneTimeCode.objects.create(
            mobile=mobile,
            purpose=purpose,
            code_hash=_hash(mobile, purpose, code),
            created_at=now,
            expires_at=now + timedelta(minutes=TTL_MINUTES),
        )
        if purpose == OtpPurpose.LOGIN:
            # Sealed (AES-GCM keyed from SECRET_KEY): the broker never holds a code in clear.
            sealed = base64.b64encode(sms.seal({"code": code})).decode()
            transaction.on_commit(lambda: send_login_code.delay(mobile, sealed, language))
        else:
            values = {**(params or {}), "code": code, "minutes": TTL_MINUTES}
            sms.send(
                mobile, template or f"otp_{purpose.value}", values, language=language_for(mobile, language)
            )


@shared_task(acks_late=True)
def send_login_code(mobile: str, sealed: str, language: str | None) -> None:
    """Send a login code queued by ``issue`` if the number is registered; an unknown one gets nothing."""
    if not is_registered(mobile):
        return
    code = sms.unseal(base64.b64decode(sealed))["code"]
    sms.send(
        mobile, "otp_login", {"code": code, "minutes": TTL_MINUTES}, language=language_for(mobile, language)
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
