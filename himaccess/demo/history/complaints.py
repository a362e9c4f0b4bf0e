"""CM Seva Sankalp complaints: filed, routed up the category's ladder, resolved, confirmed or closed.

Each complaint is routed by its category's ladder to the officers of the
complainant's place, with filing, first action, escalation, resolution, and
confirmation or closure for want of an answer, as filing, the officers, the
complainant and the jobs write them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any

import numpy as np
from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from himaccess.accounts.models import Level
from himaccess.catalog.working_time import IST
from himaccess.demo.history.errors import HistoryError
from himaccess.demo.history.officials import GENERAL_ROLES, Officials
from himaccess.demo.history.register import Register
from himaccess.demo.history.writer import Batch, Row, Table, Writer, write_batches
from himaccess.grievances.models import (
    COMPLAINT_PREFIX,
    Category,
    Channel,
    Complaint,
    ComplaintStep,
    LadderLevel,
)
from himaccess.lib.progress import Progress
from himaccess.registry.models import Member

# Complaints: how they reach the helpline, and how they end.
CHANNEL_SHARES = {Channel.HELPLINE: 0.75, Channel.WHATSAPP: 0.15, Channel.CHATBOT: 0.10}
COMPLAINT_LATE_SHARE = 0.15
CONFIRMED_SHARE = 0.65
REJECTED_SHARE = 0.05  # the rest close for want of an answer
ACTION_NOTE = "Inspected the site and started the work."
RESOLUTION_NOTE = "The matter is resolved; the work is complete."
REJECT_REASON = "The problem is still there."
DESCRIPTION = "{category}: the caller reports this problem in their area and asks for it to be resolved."

COMPLAINT_COLUMNS = (
    "id",
    "reference",
    "channel",
    "category_id",
    "department_id",
    "description",
    "complainant_name",
    "complainant_mobile",
    "member_id",
    "filed_by_id",
    "district_id",
    "tehsil_id",
    "block_id",
    "panchayat_id",
    "urban_body_id",
    "village_id",
    "status",
    "level",
    "assignee_id",
    "routed_up",
    "created_at",
    "sla_due_at",
    "due_at",
    "first_action_at",
    "resolved_at",
    "resolution_note",
    "resolution_attachment",
    "resolution_round",
    "confirm_by",
    "closed_at",
    "closed_how",
    "reopen_count",
    "rating",
)
COMPLAINT_STEP_COLUMNS = (
    "complaint_id",
    "kind",
    "at",
    "actor_id",
    "channel",
    "from_level",
    "to_level",
    "from_officer_id",
    "to_officer_id",
    "reason",
)
TABLES: tuple[Table, ...] = ((Complaint, COMPLAINT_COLUMNS), (ComplaintStep, COMPLAINT_STEP_COLUMNS))


@dataclass(frozen=True)
class Ladder:
    category: Category
    rungs: list[tuple[int, str, str, int]]  # (number, role, area level, hours)

    def holder(self, officials: Officials, number: int, place: dict[str, int]) -> int | None:
        _number, role, level, _hours = self.rungs[number - 1]
        department = "" if role in GENERAL_ROLES else self.category.department_id
        area = 0 if level == Level.STATE else place[level]
        return officials.holder(role, level, department, area if area >= 0 else None)

    def route(self, officials: Officials, place: dict[str, int], start: int) -> tuple[int, int] | None:
        """The first rung from ``start`` up with a holder in the place, as ``routing.route``."""
        for number in range(start, len(self.rungs) + 1):
            officer = self.holder(officials, number, place)
            if officer is not None:
                return number, officer
        return None


def ladders() -> list[Ladder]:
    found = []
    rungs_of: dict[str, list[tuple[int, str, str, int]]] = {}
    for rung in LadderLevel.objects.order_by("department_id", "number"):
        rungs_of.setdefault(rung.department_id, []).append(
            (rung.number, rung.role, rung.area_level, rung.hours)
        )
    for category in Category.objects.filter(children__isnull=True, active=True).order_by("code"):
        first = (1, category.handler_role, category.handler_level, category.time_limit_days * 24)
        found.append(Ladder(category, [first, *rungs_of.get(category.department_id, [])]))
    return found


def _routing_reason(routed_up: bool) -> str:
    # The same words (untranslated, as stored) that filing writes.
    if routed_up:
        return gettext_noop(
            "no officer is posted on the lower level for this place: sent to the next level up"
        )
    return ""


def _complaint_history(
    *,
    pk: int,
    reference: str,
    ladder: Ladder,
    channel: str,
    agent: int,
    member: tuple[int, str, str, bool],
    place: dict[str, int],
    created: datetime,
    end: datetime,
    rng: np.random.Generator,
    officials: Officials,
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]] | None:
    """One complaint's row and steps, as filing, the officers, the complainant and the jobs write them."""
    routed = ladder.route(officials, place, 1)
    if routed is None:
        return None
    level, assignee = routed
    member_pk, mobile, name, unique = member
    filed_by = agent if channel == Channel.HELPLINE else None
    category = ladder.category
    sla_due = created + timedelta(days=category.time_limit_days)
    state: dict[str, Any] = {
        "status": Complaint.Status.OPEN,
        "level": level,
        "assignee": assignee,
        "routed_up": level != 1,
        "due_at": sla_due,
        "first_action_at": None,
        "resolved_at": None,
        "resolution_note": "",
        "resolution_round": 0,
        "confirm_by": None,
        "closed_at": None,
        "closed_how": "",
        "reopen_count": 0,
    }
    steps: list[tuple[Any, ...]] = [
        (
            pk,
            ComplaintStep.Kind.FILED,
            created,
            filed_by,
            channel,
            None,
            level,
            None,
            assignee,
            _routing_reason(level != 1),
        )
    ]
    limit = timedelta(days=category.time_limit_days)
    late = rng.random() < COMPLAINT_LATE_SHARE
    share = rng.uniform(1.05, 1.8) if late else rng.uniform(0.05, 0.9)
    answer = rng.random()
    answerer, answer_channel = (agent, Channel.HELPLINE) if rng.random() < 0.5 else (None, Channel.WEB)

    def row() -> tuple[Any, ...]:
        return (
            pk,
            reference,
            channel,
            category.pk,
            category.department_id,
            DESCRIPTION.format(category=category.name_en),
            name if channel == Channel.HELPLINE else "",
            mobile,
            member_pk if unique else None,
            filed_by,
            place["district"],
            place["tehsil"],
            _or_none(place["block"]),
            _or_none(place["panchayat"]),
            _or_none(place["urban_body"]),
            _or_none(place["village"]),
            state["status"],
            state["level"],
            state["assignee"],
            state["routed_up"],
            created,
            sla_due,
            state["due_at"],
            state["first_action_at"],
            state["resolved_at"],
            state["resolution_note"],
            "",
            state["resolution_round"],
            state["confirm_by"],
            state["closed_at"],
            state["closed_how"],
            state["reopen_count"],
            None,
        )

    acted = created + limit * share * 0.3
    if acted >= end:
        return row(), steps
    steps.append(
        (pk, ComplaintStep.Kind.NOTE, acted, state["assignee"], "", None, None, None, None, ACTION_NOTE)
    )
    state["first_action_at"] = acted
    resolved = created + limit * share
    if late:
        escalated = state["due_at"] + timedelta(minutes=int(rng.integers(1, 60)))
        higher = ladder.route(officials, place, state["level"] + 1)
        if higher is not None and escalated < min(end, resolved):
            number, officer = higher
            reason = f"not resolved within the time limit of level {state['level']}"
            if number != state["level"] + 1:
                reason += "; no officer posted on the next level: sent higher"
            steps.append(
                (
                    pk,
                    ComplaintStep.Kind.ESCALATED,
                    escalated,
                    None,
                    "",
                    state["level"],
                    number,
                    state["assignee"],
                    officer,
                    reason,
                )
            )
            hours = ladder.rungs[number - 1][3]
            state.update(
                level=number,
                assignee=officer,
                routed_up=number != state["level"] + 1,
                due_at=escalated + timedelta(hours=hours),
            )
            resolved = max(resolved, escalated + timedelta(hours=hours * float(rng.uniform(0.1, 0.9))))
    if resolved >= end:
        return row(), steps
    _resolve(state, steps, pk, resolved)
    answered = resolved + timedelta(days=float(rng.uniform(0.1, 6.0)))
    if answer < CONFIRMED_SHARE + REJECTED_SHARE:
        if answered >= end:
            return row(), steps
        higher = ladder.route(officials, place, state["level"] + 1)
        if answer >= CONFIRMED_SHARE and higher is not None:
            number, officer = higher
            steps.append(
                (
                    pk,
                    ComplaintStep.Kind.REJECTED,
                    answered,
                    answerer,
                    answer_channel,
                    state["level"],
                    number,
                    state["assignee"],
                    officer,
                    REJECT_REASON,
                )
            )
            hours = ladder.rungs[number - 1][3]
            state.update(
                status=Complaint.Status.OPEN,
                level=number,
                assignee=officer,
                routed_up=number != state["level"] + 1,
                due_at=answered + timedelta(hours=hours),
                confirm_by=None,
                reopen_count=1,
            )
            again = answered + timedelta(hours=hours * float(rng.uniform(0.1, 0.9)))
            if again >= end:
                return row(), steps
            _resolve(state, steps, pk, again)
            answered = again + timedelta(days=float(rng.uniform(0.1, 6.0)))
            if answered >= end:
                return row(), steps
        steps.append(
            (pk, ComplaintStep.Kind.CONFIRMED, answered, answerer, answer_channel, None, None, None, None, "")
        )
        state.update(
            status=Complaint.Status.CLOSED, closed_at=answered, closed_how=Complaint.ClosedHow.CONFIRMED
        )
        return row(), steps
    closed = state["confirm_by"] + timedelta(minutes=int(rng.integers(1, 60)))
    if closed < end:
        steps.append(
            (
                pk,
                ComplaintStep.Kind.CLOSED_NO_ANSWER,
                closed,
                None,
                "",
                state["level"],
                state["level"],
                None,
                None,
                "no answer within the set period",
            )
        )
        state.update(
            status=Complaint.Status.CLOSED, closed_at=closed, closed_how=Complaint.ClosedHow.NO_ANSWER
        )
    return row(), steps


def _resolve(state: dict[str, Any], steps: list[tuple[Any, ...]], pk: int, at: datetime) -> None:
    steps.append(
        (pk, ComplaintStep.Kind.RESOLVED, at, state["assignee"], "", None, None, None, None, RESOLUTION_NOTE)
    )
    state.update(
        status=Complaint.Status.RESOLVED,
        resolved_at=at,
        resolution_note=RESOLUTION_NOTE,
        resolution_round=state["resolution_round"] + 1,
        confirm_by=at + timedelta(days=settings.GRIEVANCE_CONFIRM_DAYS),
    )


def _or_none(value: int) -> int | None:
    return value if value >= 0 else None


def _complainants(pks: list[int]) -> dict[int, tuple[int, str, str, bool]]:
    """(key, mobile, name, whether the number is this living member's alone) for each member key."""
    found: dict[int, tuple[int, str, str]] = {}
    for start in range(0, len(pks), 2000):
        chunk = pks[start : start + 2000]
        for pk, mobile, name in Member.objects.filter(pk__in=chunk).values_list("pk", "mobile", "name_en"):
            found[pk] = (pk, mobile, name)
    mobiles = sorted({mobile for _pk, mobile, _name in found.values()})
    shared: dict[str, int] = {}
    for start in range(0, len(mobiles), 2000):
        rows = (
            Member.objects.filter(
                mobile__in=mobiles[start : start + 2000], life_status=Member.LifeStatus.LIVING
            )
            .values("mobile")
            .annotate(n=models.Count("pk"))
            .values_list("mobile", "n")
        )
        shared.update(dict(rows))
    return {pk: (pk, mobile, name, shared.get(mobile, 0) == 1) for pk, (pk, mobile, name) in found.items()}


def write_complaints(
    writer: Writer,
    *,
    count: int,
    seed: int,
    start: datetime,
    days: int,
    end: datetime,
    register: Register,
    officials: Officials,
    stream: object | None,
) -> None:
    found = ladders()
    if not found:
        raise HistoryError(_("There are no complaint categories: load them first."))
    with_mobile = np.flatnonzero(register.has_mobile)
    if len(with_mobile) == 0:
        raise HistoryError(_("No member of the register has a mobile number."))
    channels = list(CHANNEL_SHARES)
    shares = np.array([CHANNEL_SHARES[c] for c in channels])

    def build(batch: Batch) -> tuple[list[Row], list[Row]]:
        size = batch.size
        rng = np.random.default_rng([seed, 2, batch.index])
        members = with_mobile[rng.integers(0, len(with_mobile), size=size)]
        categories = rng.integers(0, len(found), size=size)
        channel_picks = rng.choice(len(channels), size=size, p=shares)
        agents = rng.integers(0, len(officials.agents), size=size)
        days_drawn = np.sort(rng.integers(0, days, size=size))
        seconds = rng.integers(7 * 3600, 22 * 3600, size=size)  # the helpline's hours, 7 AM to 10 PM
        people = _complainants([int(register.member[m]) for m in members])
        pk0 = batch.keys[Complaint]
        rows: list[Row] = []
        steps: list[Row] = []
        for i in range(size):
            f = int(register.family_of[members[i]])
            created = datetime.combine(
                start.astimezone(IST).date() + timedelta(days=int(days_drawn[i])), clock(0), tzinfo=IST
            ) + timedelta(seconds=int(seconds[i]))
            if created >= end:
                continue
            made = _complaint_history(
                pk=pk0 + i,
                reference=batch.numbers[i],
                ladder=found[int(categories[i])],
                channel=channels[int(channel_picks[i])],
                agent=officials.agents[int(agents[i])],
                member=people[int(register.member[members[i]])],
                place={name: int(values[f]) for name, values in register.place.items()},
                created=created,
                end=end,
                rng=rng,
                officials=officials,
            )
            if made is None:
                continue
            rows.append(made[0])
            steps.extend(made[1])
        return rows, steps

    with Progress(_("Complaints written"), count, stream=stream) as bar:
        write_batches(
            writer,
            count=count,
            tables=TABLES,
            keyed=(Complaint,),
            prefix=COMPLAINT_PREFIX,
            build=build,
            bar=bar,
        )
