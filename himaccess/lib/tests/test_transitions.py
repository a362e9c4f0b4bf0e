"""The one transition helper: lock → check → save → step → then → audit, or nothing at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from himaccess.conftest import Personas
from himaccess.lib import transitions
from himaccess.lib.errors import Conflict
from himaccess.registry.models import ChangeRequest, ChangeRequestStep, Source

Status = ChangeRequest.Status


def _pending(personas: Personas) -> ChangeRequest:
    return ChangeRequest.objects.create(
        reference="RTEST0000001",
        family=personas.asha_family,
        kind=ChangeRequest.Kind.CORRECTION,
        payload={},
        source=Source.SELF_DECLARED,
        requested_by=personas.asha,
    )


def _move(
    request: ChangeRequest, to: str, calls: list[str], **options: Any
) -> transitions.Moved[ChangeRequest]:
    def step(previous: str) -> ChangeRequestStep:
        calls.append(f"step {previous}->{to}")
        return ChangeRequestStep.objects.create(
            change_request=request, from_status=previous, to_status=to, actor=request.requested_by
        )

    return transitions.move(
        request,
        to,
        transitions=ChangeRequest.TRANSITIONS,
        refused=lambda: Conflict("already decided"),
        changes={"reason": "a note"},
        step=step,
        then=lambda previous: calls.append("then"),
        audit=lambda previous: calls.append("audit"),
        **options,
    )


def test_approving_saves_the_status_and_its_fields_then_step_then_audit(personas: Personas) -> None:
    request = _pending(personas)
    calls: list[str] = []
    with transaction.atomic():
        moved = _move(transitions.lock(request), Status.APPROVED, calls)
    assert (moved.previous, moved.repeated) == (Status.PENDING, False)
    assert calls == ["step pending->approved", "then", "audit"]
    request.refresh_from_db()
    assert (request.status, request.reason) == (Status.APPROVED, "a note")
    assert request.steps.get().from_status == Status.PENDING


def test_a_second_decision_is_refused_with_the_callers_error_and_writes_nothing(personas: Personas) -> None:
    request = _pending(personas)
    with transaction.atomic():
        _move(transitions.lock(request), Status.APPROVED, [])
    calls: list[str] = []
    with pytest.raises(Conflict), transaction.atomic():
        _move(transitions.lock(request), Status.REJECTED, calls)
    assert calls == []
    request.refresh_from_db()
    assert (request.status, request.steps.count()) == (Status.APPROVED, 1)


def test_a_repeat_is_a_no_op_only_when_the_caller_says_so(personas: Personas) -> None:
    request = _pending(personas)
    with transaction.atomic():
        _move(transitions.lock(request), Status.APPROVED, [])
    calls: list[str] = []
    with transaction.atomic():
        again = _move(transitions.lock(request), Status.APPROVED, calls, repeat_is_noop=True)
    assert again.repeated and calls == [] and request.steps.count() == 1
    with pytest.raises(Conflict), transaction.atomic():
        _move(transitions.lock(request), Status.APPROVED, calls)


def test_an_unknown_status_is_refused_not_a_crash(personas: Personas) -> None:
    request = _pending(personas)
    with pytest.raises(Conflict), transaction.atomic():
        _move(transitions.lock(request), "bogus\x00", [])
    request.refresh_from_db()
    assert request.status == Status.PENDING


def test_may_follow_reads_both_shapes_of_map() -> None:
    assert transitions.may_follow({"a": "b"}, "a", "b")
    assert not transitions.may_follow({"a": "b"}, "a", "c")
    assert transitions.may_follow({"a": {"b", "c"}}, "a", "c")
    assert not transitions.may_follow({"a": {"b"}}, "z", "b")


@pytest.mark.django_db(transaction=True)
def test_a_move_outside_a_transaction_is_refused_before_anything_is_saved() -> None:
    row = ChangeRequest(status=Status.PENDING)  # never saved: a write would fail loudly
    calls: list[str] = []
    with pytest.raises(transitions.OutsideTransaction):
        _move(row, Status.APPROVED, calls)
    assert calls == [] and row.status == Status.PENDING
