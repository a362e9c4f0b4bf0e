"""Two weighments of one farmer at the same moment cannot together exceed the cap (PostgreSQL: row lock)."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from himaccess.natural_farming import actions
from himaccess.natural_farming.models import Weighment
from himaccess.natural_farming.tests.conftest import NF

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_weighments_at_once_stay_under_the_cap(nf: NF, frozen: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite serialises writers with IMMEDIATE transactions)")
    actions.assign_operator(nf.kangra_centre, nf.om, acting_user=nf.kamal)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def weigh(centre: Any) -> None:
        try:
            start.wait()
            actions.record_weighment(
                centre, farmer_identifier=nf.asha.reference, crop="wheat", kg=Decimal(1500), acting_user=nf.om
            )
            outcomes.append("weighed")
        except ValidationError as exc:
            outcomes.append(str(exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=weigh, args=(c,)) for c in (nf.mandi_centre, nf.kangra_centre)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["over_cap", "weighed"]
    assert Weighment.objects.count() == 1
