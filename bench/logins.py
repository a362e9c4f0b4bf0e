"""Citizen logins per second, end to end: ask for a code, read the SMS, enter the code.

Each login goes through the real pages with Django's test client (URL routing,
middleware, CSRF-exempt test client, sessions, rate limits, OTP hashing, the
SMS row and its delivery task, the user and session rows), one after another
in one process, on a fresh SQLite database (or DATABASE_URL if set).

    .venv/bin/python bench/logins.py [--logins 300]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logins", type=int, default=300)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="himaccess-bench-")
    os.environ["HIMACCESS_DATA_DIR"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaccess.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # ALLOWED_HOSTS for the test client; nothing else changes
    settings.SMS_BACKEND = "memory"
    call_command("migrate", verbosity=0)

    from himaccess.accounts.models import User
    from himaccess.notifications import sms

    # A fresh range of numbers per run, so a reused DATABASE_URL needs no cleaning.
    first = random.randrange(0, 10**8 - args.logins)
    mobiles = [f"94{n:08d}" for n in range(first, first + args.logins)]
    User.objects.bulk_create(
        [User(username=f"bench-{m}", kind=User.Kind.CITIZEN, mobile=m, password="!") for m in mobiles]
    )
    code_in = re.compile(r"(?<!\d)(\d{6})(?!\d)")

    ask_s = verify_s = 0.0
    started = time.perf_counter()
    for i, mobile in enumerate(mobiles):
        client = Client(REMOTE_ADDR=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}")
        t0 = time.perf_counter()
        response = client.post("/accounts/citizen/", {"mobile": mobile})
        assert response.status_code == 302, response.status_code
        t1 = time.perf_counter()
        code = code_in.search(sms.outbox[-1].text).group(1)  # type: ignore[union-attr]
        response = client.post("/accounts/citizen/code/", {"code": code})
        assert response.status_code == 302 and "_auth_user_id" in client.session
        t2 = time.perf_counter()
        ask_s += t1 - t0
        verify_s += t2 - t1
    elapsed = time.perf_counter() - started

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    n = args.logins
    print(f"{n} citizen logins (code request + verify) on {engine}, one process: {elapsed:.2f} s")
    per_ask, per_verify = 1000 * ask_s / n, 1000 * verify_s / n
    print(f"  {n / elapsed:.1f} logins/s; per login: request {per_ask:.1f} ms, verify {per_verify:.1f} ms")


if __name__ == "__main__":
    main()
