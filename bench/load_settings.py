"""Production settings with load shedding (``lib.capacity``) in its place, for the load benchmarks.

The benchmarks run the product as deployed; this module only adds the
capacity middleware right after WhiteNoise (outside sessions, authentication
and the database), read from the same environment variables the product's
settings read, so a run can show the over-capacity answers:

    MAX_CONCURRENT_REQUESTS=4 CAPACITY_QUEUE_MILLISECONDS=250 DJANGO_SETTINGS_MODULE=bench.load_settings
"""

from __future__ import annotations

from himaccess.lib.environment import env_int
from himaccess.settings import *  # noqa: F403
from himaccess.settings import MIDDLEWARE

CAPACITY = "himaccess.lib.capacity.CapacityMiddleware"
MAX_CONCURRENT_REQUESTS = env_int("MAX_CONCURRENT_REQUESTS", 4, minimum=0, maximum=1000)
CAPACITY_QUEUE_MILLISECONDS = env_int("CAPACITY_QUEUE_MILLISECONDS", 250, minimum=0, maximum=30_000)
CAPACITY_MAX_WAIT_MILLISECONDS = env_int("CAPACITY_MAX_WAIT_MILLISECONDS", 0, minimum=0, maximum=600_000)
CAPACITY_RETRY_AFTER_SECONDS = env_int("CAPACITY_RETRY_AFTER_SECONDS", 5, minimum=1, maximum=3600)
if CAPACITY not in MIDDLEWARE:
    MIDDLEWARE = [*MIDDLEWARE]
    MIDDLEWARE.insert(MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, CAPACITY)
