"""Asking for a login code does the same work in the request for a registered and an unknown number."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from himaccess.accounts import otp
from himaccess.accounts.testing import last_code_sent_to
from himaccess.notifications import sms

KNOWN, UNKNOWN = "9816000001", "9999912345"
_LITERALS = re.compile(r"'[^']*'|\d+")


def _ask(mobile: str, address: str, deliver: Any) -> tuple[list[str], int, Any]:
    with CaptureQueriesContext(connection) as queries, deliver() as callbacks:
        response = Client(REMOTE_ADDR=address).post(reverse("accounts:citizen_login"), {"mobile": mobile})
    statements = [_LITERALS.sub("?", query["sql"]) for query in queries.captured_queries]
    return statements, len(callbacks), response


def test_the_request_runs_the_same_statements_for_known_and_unknown_numbers(
    personas: Any, deliver: Any
) -> None:
    _ask("9816000002", "10.3.0.1", deliver)  # warm whatever is cached per process
    known = _ask(KNOWN, "10.3.0.2", deliver)
    unknown = _ask(UNKNOWN, "10.3.0.3", deliver)
    assert known[0] == unknown[0]
    assert known[1] == unknown[1] == 1  # one task queued after commit, either way
    assert known[2].status_code == unknown[2].status_code == 302
    assert known[2]["Location"] == unknown[2]["Location"]
    assert sms.outbox == []  # nothing is sent inside the request


def test_the_queued_task_sends_only_to_the_registered_number(personas: Any, deliver: Any) -> None:
    for mobile, address in ((UNKNOWN, "10.3.1.1"), (KNOWN, "10.3.1.2")):
        with deliver(execute=True):
            Client(REMOTE_ADDR=address).post(reverse("accounts:citizen_login"), {"mobile": mobile})
    assert [message.to for message in sms.outbox] == [KNOWN]


def test_the_code_is_sealed_on_its_way_to_the_worker(personas: Any, deliver: Any) -> None:
    with (
        mock.patch.object(otp.send_login_code, "delay", autospec=True) as queued,
        deliver(execute=True),
    ):
        Client().post(reverse("accounts:citizen_login"), {"mobile": KNOWN})
    (args, _kwargs) = queued.call_args
    with deliver(execute=True):
        otp.send_login_code(*args)
    code = last_code_sent_to(KNOWN)
    assert all(code not in str(arg) for arg in args)
    assert otp.verify(KNOWN, "login", code, None)
