"""Which database a query goes to: the primary, or a streaming replica for reads that may be stale.

Settings build each alias with ``database_settings``: "default" is the primary (every
write, every migration); "replica", present only when ``DATABASE_REPLICA_URL`` is set,
is a hot standby a fraction of a second behind it, or seconds under load.

``ReplicaRouter`` sends a read to "replica" only when all of these hold:

1. the code asked for it: inside ``with stale_reads_ok():`` or a view decorated with
   ``@reads_may_be_stale`` (a context variable, so one thread's or one task's choice
   never leaks into another's: a thread started inside the block reads the primary);
2. the "replica" alias is configured;
3. no atomic block is open on "default": what a transaction reads must be what it
   writes against, and a replica does not see the transaction's own rows;
4. the model is not one whose stale copy would be wrong for everyone (``NEVER_STALE``:
   sessions, accounts, tokens, idempotency keys, the audit chain, consent, cards).

Everything else, and every write, goes to "default". Without a replica nothing changes.
docs/decisions/1231 lists the reads that must never be stale, and why.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

import dj_database_url
from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest

REPLICA = "replica"

# Poolers the settings know how to sit behind ("none": straight to PostgreSQL).
POOLERS = ("none", "transaction")

# Apps whose rows are read to decide who someone is or whether something is still allowed:
# a stale copy logs a user out, accepts a used code or a revoked card, or replays a key.
NEVER_STALE = frozenset(
    {
        "sessions",
        "auth",
        "accounts",
        "oauth2_provider",
        "integrations",
        "idempotency",
        "audit",
        "vault",
        "kyc",
        "sharing",
        "cards",
    }
)

_stale_reads_ok: ContextVar[bool] = ContextVar("stale_reads_ok", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def database_settings(url: str, *, conn_max_age: int, pooler: str = "none") -> dict[str, Any]:
    """One entry of DATABASES from its URL.

    SQLite gets WAL and immediate transactions, and no persistent connection. Behind
    a pooler in transaction mode (PgBouncer's ``pool_mode = transaction``) a server
    connection belongs to a client for one transaction only, so nothing may outlive
    one: no server-side cursors (Django's ``.iterator()`` declares them WITH HOLD
    outside a transaction) and no prepared statements (psycopg prepares a query after
    its fifth run on a connection; the next transaction may land on a server
    connection that never saw it). Connections from Django to the pooler are cheap
    and are kept, with a health check before reuse since the pooler may close them.
    """
    entry: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=conn_max_age))
    if entry["ENGINE"] == "django.db.backends.sqlite3":
        if pooler != "none":
            raise ImproperlyConfigured("DATABASE_POOLER applies to PostgreSQL only, not to SQLite")
        entry["OPTIONS"] = {
            # WAL lets the demo server read while a seed or a task writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        entry["CONN_MAX_AGE"] = 0
        return entry
    if pooler == "transaction":
        entry["DISABLE_SERVER_SIDE_CURSORS"] = True
        entry["OPTIONS"] = {**entry.get("OPTIONS", {}), "prepare_threshold": None}
        entry["CONN_HEALTH_CHECKS"] = True
    elif pooler != "none":
        raise ImproperlyConfigured(f"DATABASE_POOLER must be one of {POOLERS}, got {pooler!r}")
    return entry


def replica_settings(url: str, *, conn_max_age: int, pooler: str = "none") -> dict[str, Any]:
    """The "replica" entry: like the primary's, and in tests the primary itself (no second database)."""
    entry = database_settings(url, conn_max_age=conn_max_age, pooler=pooler)
    if entry["ENGINE"] == "django.db.backends.sqlite3":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must name a PostgreSQL standby, not SQLite")
    entry["TEST"] = {"MIRROR": DEFAULT_DB_ALIAS}
    return entry


@contextmanager
def stale_reads_ok() -> Iterator[None]:
    """Reads inside may come from the replica (see the module's rules)."""
    token = _stale_reads_ok.set(True)
    try:
        yield
    finally:
        _stale_reads_ok.reset(token)


def reads_may_be_stale(view: Callable[P, R]) -> Callable[P, R]:
    """A view whose reads may come from the replica, sync or async.

    Who is asking is settled on the primary first: the session and the user are loaded
    lazily, and reading them from a replica that has not yet seen a login would end it.
    Only what the view does before it returns is covered: a response rendered later
    (a TemplateResponse) reads the primary.
    """
    if iscoroutinefunction(view):

        @functools.wraps(view)
        async def async_wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
            request = _request_of(args)
            if request is not None and hasattr(request, "auser"):
                await request.auser()
            with stale_reads_ok():
                return await view(*args, **kwargs)

        return markcoroutinefunction(async_wrapper)  # type: ignore[return-value]

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        request = _request_of(args)
        if request is not None and hasattr(request, "user"):
            request.user.is_authenticated  # noqa: B018 (loads the lazy user and session now)
        with stale_reads_ok():
            return view(*args, **kwargs)

    return wrapper


def _request_of(args: tuple[object, ...]) -> HttpRequest | None:
    return next((a for a in args[:2] if isinstance(a, HttpRequest)), None)


def _in_transaction_on_primary() -> bool:
    # Django's own durable check skips the atomic blocks a TestCase wraps each test in;
    # so does this, or no test could see the router choose the replica.
    blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


class ReplicaRouter:
    """DATABASE_ROUTERS entry; see the module's docstring for when a read leaves the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if (
            _stale_reads_ok.get()
            and REPLICA in settings.DATABASES
            and model._meta.app_label not in NEVER_STALE
            and not _in_transaction_on_primary()
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # Rows read from the replica are the primary's rows: relating them is relating those.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        # A standby replays the primary's migrations; it is never migrated itself.
        return False if db == REPLICA else None
