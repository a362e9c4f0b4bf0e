"""Load shedding: past its capacity a web process answers 503 with Retry-After at once, instead of queueing.

A process that takes every request it is given gets slower for everyone
once more arrive than it can serve: answers take longer than the proxy's
timeout, browsers send again, and the work done for a request whose client
has gone is wasted. ``CapacityMiddleware`` keeps each process at the number
of requests it serves well and tells everyone past that, within a fraction
of a second, when to come back:

1. A request takes one of the process's ``MAX_CONCURRENT_REQUESTS`` slots,
   waiting at most ``CAPACITY_QUEUE_MILLISECONDS`` for one to free.
2. When the proxy in front stamps the time it received the request
   (``X-Request-Start: t=<seconds since the epoch>``, nginx's ``$msec``) and
   the request already waited longer than ``CAPACITY_MAX_WAIT_MILLISECONDS``
   before reaching this process, it is refused without taking a slot: its
   client has most likely given up.
3. A refused request gets 503 with ``Retry-After: CAPACITY_RETRY_AFTER_SECONDS``
   in the reader's language, as every refusal at the edge (``lib/edge.py``):
   people a small bilingual page, API clients (``/api/``, ``/o/``) the API's
   error shape with the code ``over_capacity``. Nothing of it touches the
   database, the cache or the session, so shedding costs almost nothing.

Requests refused for what they carry, which needs neither a session nor
the database (a body too large, a control character, JSON too deep), are
refused before this middleware (``RequestSizeLimitMiddleware`` and
``InputGuardMiddleware`` sit outside it): a load of bad requests never holds
a slot nor waits for one, and so does not push good requests into a 503.

``MAX_CONCURRENT_REQUESTS`` of 0 turns shedding off. With gunicorn's gthread
workers the limit only bites when it is below ``--threads``: the threads
beyond it are the ones that answer 503 quickly (for example four slots with
eight threads). A streamed answer (a file) gives its slot back when its
headers are ready, not when its last byte is sent.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from himaccess.lib.edge import edge_response

logger = logging.getLogger(__name__)

API_CODE = "over_capacity"
# Under overload every refusal would otherwise write a log line: one summary per interval instead.
LOG_INTERVAL_SECONDS = 10.0

BUSY_TITLE = _("Him Access is busy just now")
BUSY = _("Too many people are using it at this moment. Please try again in a few seconds.")
BUSY_API = _("The service is over capacity at this moment. Try again after the time in Retry-After.")


def waited_in_front(request: HttpRequest, now: float) -> float | None:
    """Seconds between the proxy receiving the request and now; None without a readable stamp."""
    stamp = request.META.get("HTTP_X_REQUEST_START", "")
    if not isinstance(stamp, str) or not stamp:
        return None
    _prefix, _sep, value = stamp.rpartition("t=")
    try:
        started = float(value)
    except ValueError:
        return None
    # "inf", "nan" or a negative time is no stamp (and "inf" would never fold below).
    if not math.isfinite(started) or started <= 0:
        return None
    # Some proxies stamp milliseconds or microseconds since the epoch rather than seconds.
    while started > 1e11:
        started /= 1000
    return now - started


def over_capacity_response(request: HttpRequest, retry_after: int) -> HttpResponse:
    """503 in the reader's language (cookie or Accept-Language; never the session): JSON or a page."""
    response = edge_response(request, 503, BUSY_TITLE, BUSY, api_message=BUSY_API, code=API_CODE)
    response["Retry-After"] = str(retry_after)
    return response


class CapacityMiddleware:
    """Serves at most ``MAX_CONCURRENT_REQUESTS`` requests at once per process; 503 for the rest.

    It sits outside everything that reads the session or the database, so a
    refused request costs only the page above, and inside the refusals at the
    edge, so a request refused for what it carries never takes a slot.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit: int = settings.MAX_CONCURRENT_REQUESTS
        self.queue_seconds: float = settings.CAPACITY_QUEUE_MILLISECONDS / 1000
        self.max_wait_seconds: float = settings.CAPACITY_MAX_WAIT_MILLISECONDS / 1000
        self.retry_after: int = settings.CAPACITY_RETRY_AFTER_SECONDS
        self.slots = threading.BoundedSemaphore(self.limit) if self.limit > 0 else None
        self._refused = 0
        self._logged_at = 0.0
        self._lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.slots is None:
            return self.get_response(request)
        if self.max_wait_seconds > 0:
            waited = waited_in_front(request, time.time())
            if waited is not None and waited > self.max_wait_seconds:
                return self._refuse(request, f"waited {waited:.1f} s in front")
        if self.queue_seconds > 0:
            taken = self.slots.acquire(timeout=self.queue_seconds)
        else:
            taken = self.slots.acquire(blocking=False)
        if not taken:
            return self._refuse(request, f"all {self.limit} slots busy")
        try:
            return self.get_response(request)
        finally:
            self.slots.release()

    def _refuse(self, request: HttpRequest, why: str) -> HttpResponse:
        self._note_refusal(why)
        return over_capacity_response(request, self.retry_after)

    def _note_refusal(self, why: str) -> None:
        with self._lock:
            self._refused += 1
            now = time.monotonic()
            if now - self._logged_at < LOG_INTERVAL_SECONDS:
                return
            refused, self._refused, self._logged_at = self._refused, 0, now
        logger.warning("Over capacity: %d requests answered 503 (latest: %s)", refused, why)
