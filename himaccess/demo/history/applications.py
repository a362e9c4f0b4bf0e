"""Service applications: filed at a Lok Mitra Kendra, moved through their stages, decided or not yet.

Each application is on a day of the window (few on Sundays, when the Lok Mitra
Kendras that file them are shut), for a member drawn uniformly from the
register, so that districts get their share of the population. Each gets its
consent row, its steps (submission, the stage officers' moves, a return and
resubmission, the overdue flag when the time limit passed) and its status as
of the end of the window, as ``file_complete`` and ``act`` write them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from himaccess.accounts.models import Level, Role
from himaccess.applications.actions.consent import CONSENT_MINUTES
from himaccess.applications.models import (
    APPLICATION_PREFIX,
    Action,
    Application,
    AssistedConsent,
    RejectionReason,
    Status,
    Step,
)
from himaccess.catalog.models import Service, ServiceVersion
from himaccess.catalog.working_time import IST
from himaccess.demo.history.errors import HistoryError
from himaccess.demo.history.officials import GENERAL_ROLES, STAGE_LEVEL, Officials
from himaccess.demo.history.register import Register
from himaccess.demo.history.working_time import WorkingTime
from himaccess.demo.history.writer import Batch, Row, Table, Writer, write_batches
from himaccess.lib.progress import Progress

# No public figure splits the e-District total by service. These shares by catalogue
# category are the product's assumption (certificates are most of what the portal
# delivers); within a category the services share equally.
CATEGORY_WEIGHTS: dict[str, float] = {
    "certificate": 62.0,
    "land_records": 12.0,
    "certificate_prerequisite": 3.0,
    "civil_registration": 6.0,
    "welfare": 5.0,
    "utility": 5.0,
    "relief": 1.0,
    "attestation": 2.0,
    "registration": 1.0,
    "farmer_service": 2.0,
    "permission": 1.0,
}
# Lok Mitra Kendras work Monday to Saturday; web filings on a Sunday are few.
SUNDAY_WEIGHT = 0.15
# How the year's applications end (shares of those decided).
APPROVED_SHARE = 0.91
RETURNED_SHARE = 0.04
LATE_SHARE = 0.08
REJECTION_REASONS = [r for r in RejectionReason.values if r != RejectionReason.OTHER]
RETURN_NOTE = "Attach a clear copy of the document and correct the details."


@dataclass(frozen=True)
class Offered:
    service: str
    version: ServiceVersion
    weight: float
    needs_panchayat: bool
    roles: str


def offered_services() -> list[Offered]:
    services = Service.objects.filter(is_active=True, current_version__isnull=False).select_related(
        "current_version"
    )
    by_category: dict[str, list[Service]] = {}
    for service in services.order_by("code"):
        version = service.current_version
        assert version is not None
        if version.stages and service.category in CATEGORY_WEIGHTS:
            by_category.setdefault(service.category, []).append(service)
    offered = []
    for category, members in by_category.items():
        for service in members:
            version = service.current_version
            assert version is not None
            roles = [stage["role"] for stage in version.stages]
            roles += [appeal["role"] for level in (1, 2) if (appeal := version.appeal(level))]
            offered.append(
                Offered(
                    service=service.code,
                    version=version,
                    weight=CATEGORY_WEIGHTS[category] / len(members),
                    needs_panchayat=any(s["role"] == Role.PANCHAYAT_SECRETARY for s in version.stages),
                    roles="|" + "|".join(dict.fromkeys(roles)) + "|",
                )
            )
    return offered


APPLICATION_COLUMNS = (
    "id",
    "number",
    "service_id",
    "service_version_id",
    "member_id",
    "family_id",
    "filed_by_id",
    "assisted_by_id",
    "consent_id",
    "status",
    "stage",
    "stage_role",
    "stage_department",
    "roles",
    "answers",
    "prefilled",
    "created_at",
    "draft_expires_at",
    "submitted_at",
    "due_at",
    "overdue_at",
    "decided_at",
    "version",
)
STEP_COLUMNS = (
    "application_id",
    "action",
    "from_status",
    "to_status",
    "from_stage",
    "to_stage",
    "actor_id",
    "actor_role",
    "reason",
    "note",
    "at",
)
CONSENT_COLUMNS = ("id", "operator_id", "member_id", "family_id", "service_id", "granted_at", "expires_at")
# The consent first: the application points at it.
TABLES: tuple[Table, ...] = (
    (AssistedConsent, CONSENT_COLUMNS),
    (Application, APPLICATION_COLUMNS),
    (Step, STEP_COLUMNS),
)


def _days(start: datetime, days: int, rng: np.random.Generator, count: int) -> np.ndarray:
    """Day offsets for ``count`` events, Sundays less likely (weekday of the window's days)."""
    weekdays = np.array([(start.astimezone(IST).date() + timedelta(days=d)).weekday() for d in range(days)])
    weights = np.where(weekdays == 6, SUNDAY_WEIGHT, 1.0)
    return rng.choice(days, size=count, p=weights / weights.sum())


def _office_moment(start: datetime, day: int, second: int) -> datetime:
    local = datetime.combine(start.astimezone(IST).date() + timedelta(days=day), clock(9, 30), tzinfo=IST)
    return local + timedelta(seconds=second)


def _stage_officer(officials: Officials, stage: dict[str, Any], register: Register, f: int) -> int | None:
    role = stage["role"]
    level = STAGE_LEVEL[role]
    department = "" if role in GENERAL_ROLES else stage.get("department", "")
    if role == Role.DISTRICT_WELFARE_OFFICER and not department:
        department = "social_justice"
    area = int(register.place[level][f])
    return officials.holder(role, level, department, area if area >= 0 else None)


def _application_history(
    *,
    pk: int,
    number: str,
    consent_pk: int,
    offered: Offered,
    member: int,
    family_index: int,
    family: int,
    submitted: datetime,
    end: datetime,
    rng: np.random.Generator,
    register: Register,
    officials: Officials,
    working: WorkingTime,
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], tuple[Any, ...]] | None:
    """One application's row, its steps and its consent, as ``file_complete`` and ``act`` write them."""
    version = offered.version
    stages = version.stages
    officers = [_stage_officer(officials, stage, register, family_index) for stage in stages]
    operator = officials.holder(
        Role.LOK_MITRA_OPERATOR, Level.TEHSIL, "", int(register.place["tehsil"][family_index])
    )
    if operator is None or any(o is None for o in officers):
        return None  # nobody could have worked it here
    hours = version.time_limit_hours
    granted = submitted - timedelta(minutes=int(rng.integers(2, 15)))
    consent = (
        consent_pk,
        operator,
        member,
        family,
        offered.service,
        granted,
        granted + timedelta(minutes=CONSENT_MINUTES),
    )
    first = stages[0]
    status, stage = Status.PENDING, first["stage"]
    due = working.after(submitted, hours)
    overdue_at: datetime | None = None
    decided_at: datetime | None = None
    version_no = 1
    steps: list[tuple[Any, ...]] = [
        (
            pk,
            Action.SUBMIT,
            Status.DRAFT,
            Status.PENDING,
            "",
            stage,
            operator,
            Role.LOK_MITRA_OPERATOR,
            "",
            "",
            submitted,
        )
    ]
    late = rng.random() < LATE_SHARE
    returned = rng.random() < RETURNED_SHARE
    approved = rng.random() < APPROVED_SHARE
    # The share of the time limit each move takes, as a fraction of working time.
    share = rng.uniform(1.0, 2.5) if late else rng.uniform(0.1, 0.95)
    cursor_start = submitted

    def flag_if_overdue(until: datetime) -> bool:
        """The overdue job's step, if the limit passed before ``until``; False if the window ended first."""
        nonlocal overdue_at
        if overdue_at is None and status == Status.PENDING and due < until:
            flagged = due + timedelta(minutes=int(rng.integers(1, 60)))
            if flagged >= end:
                return False
            if flagged < until:
                overdue_at = flagged
                steps.append((pk, Action.OVERDUE, status, status, stage, stage, None, "", "", "", flagged))
        return True

    def done() -> tuple[tuple[Any, ...], list[tuple[Any, ...]], tuple[Any, ...]]:
        """The application's row as the window leaves it, with its steps and consent."""
        current = next(s for s in stages if s["stage"] == stage)
        row = (
            pk, number, offered.service, version.pk, member, family, operator, operator, consent_pk,
            status, stage, current["role"], current.get("department", ""), offered.roles, "{}", "{}",
            submitted, None, submitted, due, overdue_at, decided_at, version_no,
        )  # fmt: skip
        return row, steps, consent

    if returned:
        at = working.after(cursor_start, hours * share * 0.4)
        if not flag_if_overdue(at) or at >= end:
            return done()
        steps.append(
            (
                pk,
                Action.RETURN,
                Status.PENDING,
                Status.RETURNED,
                stage,
                stage,
                officers[0],
                stages[0]["role"],
                "",
                RETURN_NOTE,
                at,
            )
        )
        status, version_no = Status.RETURNED, version_no + 1
        back = at + timedelta(hours=float(rng.uniform(4, 120)))
        if back >= end:
            return done()
        steps.append(
            (
                pk,
                Action.RESUBMIT,
                Status.RETURNED,
                Status.PENDING,
                stage,
                stage,
                operator,
                Role.LOK_MITRA_OPERATOR,
                "",
                "",
                back,
            )
        )
        status, version_no = Status.PENDING, version_no + 1
        due, overdue_at, cursor_start = working.after(back, hours), None, back
    moment = cursor_start
    for index, stage_def in enumerate(stages):
        last = index == len(stages) - 1
        portion = 1.0 if last else 0.5
        at = working.after(cursor_start, hours * share * portion)
        if at <= moment:
            at = moment + timedelta(minutes=int(rng.integers(5, 120)))
        if not flag_if_overdue(at) or at >= end:
            break
        officer, role = officers[index], stage_def["role"]
        if not last:
            following = stages[index + 1]["stage"]
            steps.append(
                (
                    pk,
                    Action.VERIFY,
                    Status.PENDING,
                    Status.PENDING,
                    stage,
                    following,
                    officer,
                    role,
                    "",
                    "",
                    at,
                )
            )
            stage, version_no = following, version_no + 1
        elif approved:
            steps.append(
                (pk, Action.APPROVE, Status.PENDING, Status.APPROVED, stage, stage, officer, role, "", "", at)
            )
            status, decided_at, version_no = Status.APPROVED, at, version_no + 1
        else:
            reason = REJECTION_REASONS[int(rng.integers(len(REJECTION_REASONS)))]
            steps.append(
                (
                    pk,
                    Action.REJECT,
                    Status.PENDING,
                    Status.REJECTED,
                    stage,
                    stage,
                    officer,
                    role,
                    reason,
                    "",
                    at,
                )
            )
            status, decided_at, version_no = Status.REJECTED, at, version_no + 1
        moment = at
    if status == Status.PENDING:
        flag_if_overdue(end)
    return done()


def write_applications(
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
    services = offered_services()
    if not services:
        raise HistoryError(_("The catalogue offers no service to apply for: load it first."))
    has_panchayat = register.place["panchayat"] >= 0
    working = WorkingTime.around(start, end)
    weights = np.array([s.weight for s in services])
    plain = np.array([0.0 if s.needs_panchayat else s.weight for s in services])

    def build(batch: Batch) -> tuple[list[Row], list[Row], list[Row]]:
        size = batch.size
        rng = np.random.default_rng([seed, 1, batch.index])
        members = rng.integers(0, len(register.member), size=size)
        picks = rng.choice(len(services), size=size, p=weights / weights.sum())
        plain_picks = rng.choice(len(services), size=size, p=plain / plain.sum())
        days_drawn = np.sort(_days(start, days, rng, size))
        seconds = rng.integers(0, 8 * 3600, size=size)
        pk0, consent0 = batch.keys[Application], batch.keys[AssistedConsent]
        rows: list[Row] = []
        steps: list[Row] = []
        consents: list[Row] = []
        for i in range(size):
            f = int(register.family_of[members[i]])
            pick = int(picks[i])
            if services[pick].needs_panchayat and not has_panchayat[f]:
                pick = int(plain_picks[i])  # no Panchayat Secretary works for a family outside a panchayat
            made = _application_history(
                pk=pk0 + i,
                number=batch.numbers[i],
                consent_pk=consent0 + i,
                offered=services[pick],
                member=int(register.member[members[i]]),
                family_index=f,
                family=int(register.family[f]),
                submitted=_office_moment(start, int(days_drawn[i]), int(seconds[i])),
                end=end,
                rng=rng,
                register=register,
                officials=officials,
                working=working,
            )
            if made is None or made[0][16] >= end:
                continue
            rows.append(made[0])
            steps.extend(made[1])
            consents.append(made[2])
        return consents, rows, steps

    with Progress(_("Applications written"), count, stream=stream) as bar:
        write_batches(
            writer,
            count=count,
            tables=TABLES,
            keyed=(Application, AssistedConsent),
            prefix=APPLICATION_PREFIX,
            build=build,
            bar=bar,
        )
