"""Handing an SMS to the backend chosen by ``settings.SMS_BACKEND`` (``sms`` describes them)."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.utils import timezone

from himaccess.notifications import gateway
from himaccess.notifications.outgoing import OutgoingSms

# Messages handed to the "memory" backend, in order (tests read them).
outbox: list[OutgoingSms] = []


def file_path() -> str:
    return str(settings.DATA_DIR / "sms.log")


def _send_file(sms: OutgoingSms) -> str:
    os.makedirs(settings.DATA_DIR, exist_ok=True)
    stamp = timezone.localtime().isoformat(timespec="seconds")
    with open(file_path(), "a", encoding="utf-8") as handle:
        handle.write(f"{stamp} to {sms.to} [DLT {sms.dlt_template_id}] {sms.text}\n")
    return f"file-{sms.reference}"


def _send_console(sms: OutgoingSms) -> str:
    sys.stdout.write(f"SMS to {sms.to} [DLT {sms.dlt_template_id}]: {sms.text}\n")
    return f"console-{sms.reference}"


def _send_memory(sms: OutgoingSms) -> str:
    outbox.append(sms)
    return f"memory-{sms.reference}"


def hand_over(sms: OutgoingSms) -> str:
    """Give the message to the configured backend; returns the provider's message id."""
    backend = settings.SMS_BACKEND
    if backend == "http":
        return gateway.post(sms)
    senders = {"file": _send_file, "console": _send_console, "memory": _send_memory}
    return senders[backend](sms)
