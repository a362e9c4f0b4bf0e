"""A pytest plugin: after the whole run, no log line or log table may hold a secret.

What is watched for the whole session:

- every log record at the configured level (what production would log), as
  formatted text, including tracebacks;
- every audit entry and every SMS delivery-log row written (post_save), as text.

What counts as a secret:

- each one-time code or other secret SMS parameter that was sent (recorded
  by wrapping ``notifications.sms.send``), matched as a whole number;
- each OAuth code and token issued (recorded by wrapping oauthlib's token
  generator);
- each password set on a user;
- any Verhoeff-valid 12-digit number (an Aadhaar number's shape).

The SMS outbox file of the embedded profile is not scanned: it stands in for
the recipient's phone and holds the text the person reads, code included.
At the end, findings are printed (masked) and the run fails.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from himaccess.audit.redaction import aadhaar_like_numbers

MIN_SECRET_LENGTH = 6


class SecretWatch:
    def __init__(self, sink: Path) -> None:
        self.sink = sink
        self.issued: set[str] = set()
        self._stream = sink.open("a", encoding="utf-8")

    def note_secret(self, value: object) -> None:
        text = str(value)
        if len(text) >= MIN_SECRET_LENGTH:
            self.issued.add(text)

    def write(self, origin: str, text: str) -> None:
        self._stream.write(f"{origin}\t{text.replace(chr(10), ' | ')}\n")
        self._stream.flush()

    def close(self) -> None:
        self._stream.close()

    def findings(self) -> list[str]:
        return list(find_secrets(self.sink.read_text(encoding="utf-8"), self.issued))


def find_secrets(text: str, issued: set[str]) -> Iterator[str]:
    """Lines of ``text`` holding an issued secret or an Aadhaar-shaped number, masked for display."""
    patterns = [
        re.compile(rf"(?<![0-9]){re.escape(secret)}(?![0-9])" if secret.isdigit() else re.escape(secret))
        for secret in issued
    ]
    for number, line in enumerate(text.splitlines(), start=1):
        if aadhaar_like_numbers(line):
            yield f"line {number}: a Verhoeff-valid 12-digit number in {line[:60]!r}..."
            continue
        for pattern in patterns:
            if pattern.search(line):
                origin = line.split("\t")[0]
                yield f"line {number}: an issued secret ({len(pattern.pattern)} chars) in {origin}"
                break


class _SinkHandler(logging.Handler):
    def __init__(self, watch: SecretWatch) -> None:
        super().__init__(level=logging.NOTSET)
        self.watch = watch
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.watch.write("log", self.format(record))
        except Exception:
            self.handleError(record)


_watch: SecretWatch | None = None


def _install_wrappers(watch: SecretWatch, patcher: pytest.MonkeyPatch) -> None:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.db.models.signals import post_save
    from oauthlib import common

    from himaccess.audit.models import AuditEntry
    from himaccess.notifications import sms
    from himaccess.notifications.models import SECRET_PARAMS, SmsMessage

    real_send = sms.send

    def send(mobile: str, template_key: str, params: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        for key, value in params.items():
            if key in SECRET_PARAMS:
                watch.note_secret(value)
        return real_send(mobile, template_key, params, *args, **kwargs)

    patcher.setattr(sms, "send", send)

    real_generate = common.generate_token

    def generate_token(*args: Any, **kwargs: Any) -> str:
        token = real_generate(*args, **kwargs)
        # Codes and tokens use the defaults; client IDs (public) pass a length and alphabet.
        if not args and not kwargs:
            watch.note_secret(token)
        return token

    patcher.setattr(common, "generate_token", generate_token)

    real_set_password = AbstractBaseUser.set_password

    def set_password(self: AbstractBaseUser, raw_password: str | None) -> None:
        if raw_password:
            watch.note_secret(raw_password)
        real_set_password(self, raw_password)

    patcher.setattr(AbstractBaseUser, "set_password", set_password)

    def audit_written(sender: Any, instance: AuditEntry, **kwargs: Any) -> None:
        watch.write("audit", " ".join([instance.action, instance.object_id, instance.before, instance.after]))

    def sms_logged(sender: Any, instance: SmsMessage, **kwargs: Any) -> None:
        watch.write("sms-log", f"{instance.params} {instance.error}")

    post_save.connect(audit_written, sender=AuditEntry, weak=False, dispatch_uid="log_scan_audit")
    post_save.connect(sms_logged, sender=SmsMessage, weak=False, dispatch_uid="log_scan_sms")


_patcher = pytest.MonkeyPatch()


def pytest_sessionstart(session: pytest.Session) -> None:
    global _watch
    _watch = SecretWatch(Path(tempfile.mkdtemp(prefix="himaccess-log-scan-")) / "log-scan.txt")
    logging.getLogger().addHandler(_SinkHandler(_watch))
    _install_wrappers(_watch, _patcher)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _watch is None:
        return
    _patcher.undo()
    _watch.close()
    findings = _watch.findings()
    if not findings:
        shutil.rmtree(_watch.sink.parent, ignore_errors=True)
    else:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["Secrets found in logs or log tables:", *findings[:50]]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
