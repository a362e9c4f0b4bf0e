"""``himaccess audit verify`` and ``audit stats`` from the command line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from himaccess.audit.log import record
from himaccess.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_verify_reports_ok_with_the_count() -> None:
    for n in range(3):
        record(None, "test.entry", after={"n": n})
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "OK 3 entries" in out.getvalue()


def test_verify_fails_naming_the_first_broken_position() -> None:
    for n in range(3):
        record(None, "test.entry", after={"n": n})
    AuditEntry.objects.filter(seq=2).update(action="test.other")
    with pytest.raises(CommandError, match="BROKEN at position 2: edited"):
        call_command("audit", "verify")


def test_stats_prints_the_head() -> None:
    entry = record(None, "test.entry")
    out = StringIO()
    call_command("audit", "stats", stdout=out)
    assert f"head: 1 {entry.hash}" in out.getvalue()
