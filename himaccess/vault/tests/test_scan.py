"""``himaccess vault scan`` finds a number left in a table, a media file or a log; a clean install passes."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from himaccess.grievances import actions as grievances
from himaccess.grievances import routing
from himaccess.grievances.models import Category, Channel, Complaint
from himaccess.registry.actions import aadhaar as registry_aadhaar
from himaccess.vault import scan
from himaccess.vault.tests.numbers import ASHA, KARAN, RAVI

pytestmark = pytest.mark.django_db


def _scan(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("vault", "scan", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def test_clean_install_passes(personas: Any) -> None:
    # The register with numbers attached the right way: in the vault, references elsewhere.
    registry_aadhaar.attach_aadhaar(personas.member(personas.asha), ASHA, actor=personas.meena)
    registry_aadhaar.attach_aadhaar(personas.member(personas.karan), KARAN, actor=personas.meena)
    (Path(settings.MEDIA_ROOT) / "service-documents").mkdir(parents=True)
    (Path(settings.MEDIA_ROOT) / "service-documents" / "note.txt").write_text("Member ID M 4821 0937 562\n")
    code, out = _scan()
    assert code == 0, out
    assert "no Aadhaar-shaped number outside the vault" in out


def _complaint_by_asha(personas: Any, description: str) -> Complaint:
    member = personas.member(personas.asha)
    return grievances.file_complaint(
        category=Category.objects.get(code="revenue-mutation-delay"),
        description=description,
        mobile=member.mobile,
        place=routing.Place.of_family(member.family),
        channel=Channel.WEB,
        member=member,
        acting_user=personas.asha,
    ).complaint


def test_a_number_typed_into_a_complaint_is_kept_only_masked(personas: Any) -> None:
    typed = f"My Aadhaar is {ASHA[:4]} {ASHA[4:8]} {ASHA[8:]} and the mutation is not entered"
    complaint = _complaint_by_asha(personas, typed)
    complaint.refresh_from_db()
    assert ASHA[:4] not in complaint.description
    assert f"XXXX XXXX {ASHA[-4:]}" in complaint.description
    assert _scan("--no-files")[0] == 0


def test_number_in_a_complaint_text_is_found_masked(personas: Any) -> None:
    complaint = _complaint_by_asha(personas, "The mutation is not entered")
    # Written by a path that bypassed the intake (an old row, a raw import): the scan still finds it.
    Complaint.objects.filter(pk=complaint.pk).update(description=f"Aadhaar {ASHA}, mutation pending")
    code, out = _scan("--no-files")
    assert code == 1
    table = Complaint._meta.db_table
    assert f"{table}.description id={complaint.pk}: XXXX XXXX {ASHA[-4:]}" in out
    assert ASHA not in out


def test_number_in_a_media_file_and_a_log_line_is_found_with_its_line(personas: Any, tmp_path: Path) -> None:
    media = Path(settings.MEDIA_ROOT) / "exports"
    media.mkdir(parents=True)
    (media / "list.csv").write_text(f"member_id,aadhaar\nM48210937562,{RAVI}\n")
    log = tmp_path / "logs" / "app.log"
    log.parent.mkdir()
    log.write_text("12:00 INFO started\n12:01 INFO e-KYC for " + f"{KARAN[:4]}-{KARAN[4:8]}-{KARAN[8:]}\n")
    code, out = _scan("--no-database", "--log", str(log))
    assert code == 1
    assert f"{media / 'list.csv'}:2: XXXX XXXX {RAVI[-4:]}" in out
    assert f"{log}:2: XXXX XXXX {KARAN[-4:]}" in out
    assert RAVI not in out and KARAN not in out


def test_the_key_folder_and_the_sqlite_file_are_not_scanned(personas: Any) -> None:
    keys = Path(settings.SIGNING_KEY_DIR)
    keys.mkdir(parents=True, exist_ok=True)
    (keys / "note").write_text(ASHA)
    (Path(settings.DATA_DIR) / "himaccess.sqlite3").write_text(ASHA)
    assert _scan("--no-database")[0] == 0


@pytest.mark.parametrize(
    "text",
    [
        ASHA[:-1] + str((int(ASHA[-1]) + 1) % 10),  # checksum fails
        "0" + ASHA[1:],  # would start with 0
        ASHA + "5",  # thirteen digits
        "ab" + ASHA + "cd",  # inside a longer token, e.g. a hash
        "M48210937562",  # a Member ID
    ],
)
def test_what_is_not_aadhaar_shaped(text: str) -> None:
    assert scan.aadhaar_shaped(text) == []


def test_grouped_and_plain_numbers_are_aadhaar_shaped() -> None:
    assert scan.aadhaar_shaped(f"x {ASHA} y {RAVI[:4]} {RAVI[4:8]} {RAVI[8:]}.") == [ASHA, RAVI]
