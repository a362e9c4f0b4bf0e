"""The LGD directory's places, kept in each process: read for nearly every address, changed by an import.

A family's address names its district, tehsil, block, panchayat, village or
urban body. Joining those five small tables into a query that reads a family
costs PostgreSQL more time to plan than to run: a member with its family and
places took 1.25 ms to plan and 0.1 ms to run on the full register, the same
member with its family alone 0.07 ms to plan. The directory changes only when
``import_lgd`` runs (or an administrator edits a place), so each process keeps
the rows it has read and forgets them all after ``KEEP_SECONDS``; a change saved
in this process forgets them at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save

from himaccess.geography.models import Block, District, Panchayat, Tehsil, UrbanBody, Village

KEEP_SECONDS = 600.0
MODELS: tuple[type[models.Model], ...] = (District, Tehsil, Block, UrbanBody, Panchayat, Village)

_lock = threading.Lock()
_rows: dict[type[models.Model], dict[Any, models.Model]] = {}
_since = time.monotonic()


def forget() -> None:
    """Drop every place this process holds (the next reads ask the database)."""
    global _since
    with _lock:
        _rows.clear()
        _since = time.monotonic()


def _held(model: type[models.Model], keys: set[Any]) -> dict[Any, models.Model]:
    if time.monotonic() - _since > KEEP_SECONDS:
        forget()
    with _lock:
        known = _rows.setdefault(model, {})
        found = {key: known[key] for key in keys if key in known}
    missing = keys - found.keys()
    if missing:
        # Read outside the lock: another thread asking for the same rows reads them too, harmlessly.
        fetched = {row.pk: row for row in model._default_manager.filter(pk__in=missing)}
        with _lock:
            _rows.setdefault(model, {}).update(fetched)
        found.update(fetched)
    return found


def attach(objects: Iterable[models.Model], *fields: str) -> None:
    """Give each object the places its foreign keys ``fields`` point at, as ``select_related`` would.

    Reads only the places this process does not hold yet (one query per kind of place), so
    ``family.district`` and the rest then cost no query. An empty key stays ``None``.
    """
    objects = list(objects)
    if not objects:
        return
    options = objects[0]._meta
    for name in fields:
        field = options.get_field(name)
        assert isinstance(field, models.ForeignKey) and field.related_model in MODELS, name
        keys = {getattr(obj, field.attname) for obj in objects} - {None}
        rows = _held(field.related_model, keys) if keys else {}
        for obj in objects:
            key = getattr(obj, field.attname)
            field.set_cached_value(obj, rows.get(key) if key is not None else None)


def _forget_on_change(sender: type[models.Model], **kwargs: Any) -> None:
    forget()


for _model in MODELS:
    post_save.connect(
        _forget_on_change, sender=_model, dispatch_uid=f"geography.places.save.{_model.__name__}"
    )
    post_delete.connect(
        _forget_on_change, sender=_model, dispatch_uid=f"geography.places.delete.{_model.__name__}"
    )
