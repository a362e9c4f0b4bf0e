"""Counting attempts in the shared cache over fixed windows.

    LIMITS = (Limit("track-reference-hour", 5, 3_600),)
    wait = throttling.hit(LIMITS, f"reference:{reference}")   # 0, or seconds to wait

Every web process must see the same counts, so the cache is Redis in
production (a per-process cache would multiply every limit by the number of
processes; the deployment checks refuse one). Subjects (numbers, addresses,
references) are hashed with SECRET_KEY so the cache holds none of them.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    window_seconds: int


def bucket(limit: Limit, subject: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{subject}".encode()).hexdigest()[:32]
    window = int(time.time() // limit.window_seconds)
    return f"limit:{limit.name}:{window}:{digest}"


def hit(limits: tuple[Limit, ...], subject: str) -> int:
    """Count one attempt against each limit; the seconds to wait if any is exceeded, else 0."""
    wait = 0
    now = time.time()
    for limit in limits:
        key = bucket(limit, subject)
        cache.add(key, 0, limit.window_seconds)
        try:
            hits = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, limit.window_seconds)
            hits = 1
        if hits > limit.count:
            wait = max(wait, int(limit.window_seconds - now % limit.window_seconds) + 1)
    return wait


def forget(limits: tuple[Limit, ...], subject: str) -> None:
    """Drop the current windows' counts for ``subject``."""
    cache.delete_many([bucket(limit, subject) for limit in limits])
