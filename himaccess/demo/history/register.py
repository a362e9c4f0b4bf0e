"""The living members and their families' places, read once into numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.utils.translation import gettext as _

from himaccess.demo.history.errors import HistoryError
from himaccess.registry.models import Family, Member


@dataclass(frozen=True)
class Register:
    member: np.ndarray  # living members' keys, ascending
    family_of: np.ndarray  # index into the family arrays, per member
    has_mobile: np.ndarray
    family: np.ndarray
    place: dict[str, np.ndarray]  # district, tehsil, block, panchayat, urban_body, village: -1 for none


def read_register() -> Register:
    names = ("district_id", "tehsil_id", "block_id", "panchayat_id", "urban_body_id", "village_id")
    # Table and column names come from the models, never from input.
    places = ", ".join(f"COALESCE({n}, -1)" for n in names)
    family_rows = _fetch_arrays(
        f"SELECT id, {places} FROM {Family._meta.db_table} ORDER BY id",  # noqa: S608
        1 + len(names),
    )
    member_rows = _fetch_arrays(
        f"SELECT id, family_id, CASE WHEN mobile = '' THEN 0 ELSE 1 END FROM {Member._meta.db_table}"  # noqa: S608
        " WHERE life_status = 'living' ORDER BY id",
        3,
    )
    if len(member_rows[0]) == 0:
        raise HistoryError(_("The register has no living members: seed it first."))
    families = family_rows[0]
    return Register(
        member=member_rows[0],
        family_of=np.searchsorted(families, member_rows[1]),
        has_mobile=member_rows[2].astype(bool),
        family=families,
        place={n.removesuffix("_id"): family_rows[i + 1] for i, n in enumerate(names)},
    )


def _fetch_arrays(sql: str, width: int, chunk: int = 200_000) -> list[np.ndarray]:
    parts: list[list[np.ndarray]] = [[] for _ in range(width)]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(chunk):
            block = np.array(rows, dtype=np.int64).reshape(len(rows), width)
            for i in range(width):
                parts[i].append(block[:, i])
    return [np.concatenate(p) if p else np.zeros(0, dtype=np.int64) for p in parts]
