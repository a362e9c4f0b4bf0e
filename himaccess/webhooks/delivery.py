"""Sending deliveries: claimed in batches, sent over pooled connections, retried with backoff.

1. A worker claims up to ``WEBHOOKS_BATCH`` due deliveries, a fair share of
   each subscriber that is not paused, oldest first (the share others leave
   unused goes to those with more waiting), under ``SELECT … FOR
   UPDATE SKIP LOCKED`` (two workers never take the same row), and moves
   their ``next_attempt_at`` past a lease before committing: a worker that
   dies mid-batch leaves them to be claimed again when the lease ends.
2. It sends each subscriber's share in order on its own thread, through one
   pooled HTTP session per process, with connect and read timeouts and no
   redirects. A subscriber's first failure ends its share for this batch;
   the rest are released untried, so a slow or dead receiver costs one
   timeout per batch, not one per delivery.
3. It records the outcomes in a few statements: one UPDATE for all delivered; for a
   failure an attempt counted with its next time (exponential backoff with jitter, capped), or
   given up after ``WEBHOOKS_MAX_ATTEMPTS``. ``WEBHOOKS_CIRCUIT_FAILURES``
   consecutive failures pause the subscriber (growing, jittered pauses up to
   ``WEBHOOKS_CIRCUIT_MAX_SECONDS``); deliveries waiting behind a pause are
   not attempted and count no attempt. A success closes the circuit.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from requests.adapters import HTTPAdapter

from himaccess.webhooks import addresses, signing
from himaccess.webhooks.models import Delivery, Subscription

logger = logging.getLogger(__name__)

# A claimed delivery is the worker's for this long; then another may take it.
LEASE = timedelta(minutes=2)
FIRST_WAIT_SECONDS = 10
MAX_WAIT_SECONDS = 6 * 3600
USER_AGENT = "Him-Access-Webhooks/1"

_local = threading.local()


def session() -> requests.Session:
    """The process's pooled HTTP session (one per thread: sessions are not promised to be thread-safe)."""
    current: requests.Session | None = getattr(_local, "session", None)
    if current is None:
        current = requests.Session()
        adapter = HTTPAdapter(pool_connections=32, pool_maxsize=32, max_retries=0)
        current.mount("https://", adapter)
        current.mount("http://", adapter)
        current.headers["User-Agent"] = USER_AGENT
        _local.session = current
    return current


def retry_wait(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s … up to 6 hours after the ``attempts``-th failure; jittered down to half."""
    ceiling = min(FIRST_WAIT_SECONDS * 2 ** min(attempts - 1, 20), MAX_WAIT_SECONDS)
    return timedelta(seconds=ceiling * random.uniform(0.5, 1.0))


def pause_for(failures: int) -> timedelta:
    """A paused subscriber's wait: doubling from 5 s with each failure past the threshold, jittered."""
    beyond = max(failures - settings.WEBHOOKS_CIRCUIT_FAILURES, 0)
    ceiling = min(5 * 2 ** min(beyond, 20), settings.WEBHOOKS_CIRCUIT_MAX_SECONDS)
    return timedelta(seconds=ceiling * random.uniform(0.5, 1.0))


def body_of(delivery: Delivery) -> bytes:
    event = delivery.event
    envelope = {
        "id": str(delivery.delivery_id),
        "type": event.type,
        "sequence": event.pk,
        "occurred_at": event.occurred_at,
        "district": event.district_id,
        "data": event.data,
        "replay": delivery.replay,
    }
    if event.other_district_id:
        envelope["other_district"] = event.other_district_id
    return json.dumps(envelope, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


@dataclass
class Outcome:
    delivery: Delivery
    ok: bool
    code: int | None = None
    error: str = ""


@dataclass
class Sent:
    delivered: int = 0
    failed: int = 0
    released: int = 0
    paused: list[int] = field(default_factory=list)


def send(delivery: Delivery, now: datetime) -> Outcome:
    subscription = delivery.subscription
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        signing.HEADER: signing.sign(body, subscription.signing_secrets(now)),
        signing.DELIVERY_HEADER: str(delivery.delivery_id),
        signing.EVENT_HEADER: delivery.event.type,
    }
    timeout = (settings.WEBHOOKS_CONNECT_TIMEOUT_SECONDS, settings.WEBHOOKS_READ_TIMEOUT_SECONDS)
    try:
        response = session().post(
            subscription.url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True
        )
        response.close()
    except requests.RequestException as exc:
        return Outcome(delivery, False, None, type(exc).__name__)
    if 200 <= response.status_code < 300:
        return Outcome(delivery, True, response.status_code)
    return Outcome(delivery, False, response.status_code, f"HTTP {response.status_code}")


def _send_share(share: list[Delivery], now: datetime) -> tuple[list[Outcome], list[Delivery]]:
    """Send one subscriber's deliveries in order, stopping at its first failure; return the rest untried."""
    subscription = share[0].subscription
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        host = (urlsplit(subscription.url).hostname or "").strip("[]")
        if not addresses.resolves_publicly(host):
            refused = Outcome(share[0], False, None, "address is not public")
            return [refused], share[1:]
    outcomes: list[Outcome] = []
    for position, delivery in enumerate(share):
        outcome = send(delivery, now)
        outcomes.append(outcome)
        if not outcome.ok:
            return outcomes, share[position + 1 :]
    return outcomes, []


def claim(batch: int, now: datetime) -> list[Delivery]:
    """Lock and lease up to ``batch`` due deliveries, shared fairly among the subscribers not paused."""
    subscribers = list(
        Subscription.objects.filter(active=True)
        .filter(Q(paused_until__isnull=True) | Q(paused_until__lte=now))
        .values_list("pk", flat=True)
    )
    if not subscribers:
        return []
    due = Delivery.objects.select_for_update(skip_locked=True).filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=now
    )
    with transaction.atomic():
        ids: list[int] = []
        taken: dict[int, list[int]] = {}
        share = max(batch // len(subscribers), 1)
        for subscriber in subscribers:
            taken[subscriber] = list(
                due.filter(subscription_id=subscriber).order_by("id").values_list("pk", flat=True)[:share]
            )
            ids += taken[subscriber]
        # Room left by subscribers with little waiting goes to those with more: a backlog that
        # one subscriber alone has left (after being down, say) drains at the full batch size.
        more = [subscriber for subscriber, rows in taken.items() if len(rows) == share]
        if more and len(ids) < batch:
            extra = max((batch - len(ids)) // len(more), 1)
            for subscriber in more:
                ids += (
                    due.filter(subscription_id=subscriber, pk__gt=taken[subscriber][-1])
                    .order_by("id")
                    .values_list("pk", flat=True)[:extra]
                )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    return list(Delivery.objects.filter(pk__in=ids).select_related("subscription", "event").order_by("id"))


def deliver_batch(*, batch: int | None = None) -> Sent:
    now = timezone.now()
    claimed = claim(batch or settings.WEBHOOKS_BATCH, now)
    if not claimed:
        return Sent()
    shares: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in claimed:
        shares[delivery.subscription_id].append(delivery)
    threads = min(settings.WEBHOOKS_SEND_THREADS, len(shares))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(lambda share: _send_share(share, now), shares.values()))
    return _record(results, timezone.now())


def _record(results: list[tuple[list[Outcome], list[Delivery]]], now: datetime) -> Sent:
    sent = Sent()
    done: dict[int | None, list[int]] = defaultdict(list)  # by response code: one UPDATE for each
    retried: list[Delivery] = []
    released: list[int] = []
    healthy: list[int] = []
    for outcomes, untried in results:
        for outcome in outcomes:
            if outcome.ok:
                done[outcome.code].append(outcome.delivery.pk)
                continue
            delivery = outcome.delivery
            delivery.attempts += 1
            delivery.response_code = outcome.code
            delivery.last_error = outcome.error[:500]
            if delivery.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
                delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = now + retry_wait(delivery.attempts)
            retried.append(delivery)
        released += [delivery.pk for delivery in untried]
        if outcomes and outcomes[-1].ok:
            healthy.append(outcomes[-1].delivery.subscription_id)
        elif outcomes:
            sent.paused += _count_failure(outcomes[-1].delivery.subscription, now)
    with transaction.atomic():
        for code, ids in done.items():
            Delivery.objects.filter(pk__in=ids).update(
                status=Delivery.Status.DELIVERED,
                attempts=F("attempts") + 1,
                response_code=code,
                delivered_at=now,
                last_error="",
            )
        fields = ["status", "attempts", "response_code", "last_error", "next_attempt_at"]
        Delivery.objects.bulk_update(retried, fields)
        if released:
            Delivery.objects.filter(pk__in=released).update(next_attempt_at=now)
        if healthy:
            Subscription.objects.filter(pk__in=healthy).filter(
                Q(failures__gt=0) | Q(paused_until__isnull=False)
            ).update(failures=0, paused_until=None)
    sent.delivered = sum(len(ids) for ids in done.values())
    sent.failed, sent.released = len(retried), len(released)
    if retried:
        logger.warning("webhooks: %s delivered, %s failed (retried later)", sent.delivered, len(retried))
    return sent


def _count_failure(subscription: Subscription, now: datetime) -> list[int]:
    """Count a subscriber's failure; past the threshold pause it (returns its id when paused)."""
    failures = subscription.failures + 1
    paused = failures >= settings.WEBHOOKS_CIRCUIT_FAILURES
    Subscription.objects.filter(pk=subscription.pk).update(
        failures=F("failures") + 1,
        paused_until=now + pause_for(failures) if paused else None,
    )
    return [subscription.pk] if paused else []


def deliver_due(*, batch: int | None = None, max_batches: int = 50) -> Sent:
    """Batch after batch until nothing is due (or ``max_batches``); the totals."""
    total = Sent()
    size = batch or settings.WEBHOOKS_BATCH
    for _ in range(max_batches):
        sent = deliver_batch(batch=size)
        total.delivered += sent.delivered
        total.failed += sent.failed
        total.released += sent.released
        total.paused += sent.paused
        if sent.delivered + sent.failed + sent.released == 0:
            break
    return total
