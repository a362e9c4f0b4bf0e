"""A repeat call changes the complaint's record, so it leaves an audit row like every other change."""

from __future__ import annotations

import json

from himaccess.audit.log import object_reference
from himaccess.audit.models import AuditEntry
from himaccess.grievances.models import Complaint, ComplaintStep
from himaccess.grievances.tests.conftest import Ladder


def _entries(complaint: Complaint, action: str) -> list[AuditEntry]:
    object_type, object_id = object_reference(complaint)
    return list(AuditEntry.objects.filter(object_type=object_type, object_id=object_id, action=action))


def test_asha_calling_again_leaves_one_audit_row_with_the_step(ladder: Ladder) -> None:
    first = ladder.file_for_asha()
    assert _entries(first, "complaint.repeated") == []
    ladder.file_for_asha(text="Calling again: my Aadhaar is 2345 6789 0123")
    entries = _entries(first, "complaint.repeated")
    assert len(entries) == 1
    assert entries[0].actor == ladder.personas.asha
    assert json.loads(entries[0].after) == {"channel": "web"}
    # The caller's words stay on the step only: never copied into the audit chain.
    assert "2345" not in entries[0].after
    assert first.steps.filter(kind=ComplaintStep.Kind.REPEAT).count() == 1


def test_each_repeat_has_its_own_row_and_nothing_else_is_audited_on_the_complaint(ladder: Ladder) -> None:
    first = ladder.file_for_asha()
    before = AuditEntry.objects.count()
    ladder.file_for_asha(text="Second call")
    ladder.file_for_asha(text="Third call")
    assert AuditEntry.objects.count() == before + 2
    assert len(_entries(first, "complaint.repeated")) == 2
    assert first.steps.filter(kind=ComplaintStep.Kind.REPEAT).count() == 2
