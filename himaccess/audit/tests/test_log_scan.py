"""The end-of-run secret scan finds what it must and passes ordinary log text."""

from __future__ import annotations

import logging

from himaccess.audit.redaction import RedactSecrets, redact
from himaccess.audit.tests.log_scan import find_secrets
from himaccess.lib.identifiers import verhoeff_check_digit

AADHAAR = "23456789012" + str(verhoeff_check_digit("23456789012"))


def test_scan_finds_an_issued_code_as_a_whole_number_only() -> None:
    text = "log\tsent 482913 to 98160XXXXX\nlog\ttook 0.004829131 s\n"
    findings = list(find_secrets(text, {"482913"}))
    assert len(findings) == 1
    assert findings[0].startswith("line 1")


def test_scan_finds_an_aadhaar_shaped_number_without_being_told() -> None:
    assert list(find_secrets(f"log\tcaller gave {AADHAAR[:4]} {AADHAAR[4:8]} {AADHAAR[8:]}", set()))


def test_scan_passes_ordinary_text() -> None:
    assert not list(find_secrets("log\tfamily F 3845 4219 343 viewed by meena\n", {"hunter2-secret"}))


def test_production_filter_masks_secrets_in_messages_and_arguments() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "verify otp=%s for %s", ("482913", AADHAAR), None
    )
    RedactSecrets().filter(record)
    message = record.getMessage()
    assert "482913" not in message
    assert AADHAAR not in message
    assert message.endswith("XXXX XXXX " + AADHAAR[-4:])


def test_redact_masks_bearer_tokens_and_password_fields() -> None:
    text = redact('Authorization: Bearer abcDEF123456789 {"password": "hunter2-hunter2"}')
    assert "abcDEF123456789" not in text
    assert "hunter2" not in text
