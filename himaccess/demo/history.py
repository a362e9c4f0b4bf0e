"""A year of synthetic history on a seeded register: applications, complaints, pensions and payments.

SYNTHETIC DATA for load tests and demos: nothing here happened. The volumes
follow the state's published figures (``YEARLY``), scaled by ``scale``; the
rows are what the product's own actions write for the same events (see
docs/decisions/1240-year-of-history.md for what is imported and what is not).

The procedure (``seed_history``):

1. Post the officials the history needs (``history.*`` logins, with no usable
   password): revenue officers and Lok Mitra operators per tehsil, department
   officers where services and complaint ladders name them, helpline agents.
   A second run reuses them.
2. Read the living members and their families' places into numpy arrays.
3. Service applications: each on a day of the window (few on Sundays, when
   the Lok Mitra Kendras that file them are shut), for a member drawn uniformly
   from the register, so districts get their share of the population. Each
   gets its consent row, its steps (submission, the stage officers' moves, a
   return and resubmission, the overdue flag when the time limit passed) and
   its status as of the end of the window.
4. CM Seva Sankalp complaints, routed by the category's ladder to the
   officers of the place, with filing, first action, escalation, resolution,
   confirmation or closure for want of an answer.
5. Pensions: the members each pension's published rule makes eligible (its
   own compiled query), as many of them as the state's published count of
   pensioners (times ``scale``) enrolled as the department's sanctioned
   beneficiaries, and one ledger payment per month enrolled.
6. One audit entry for the whole import.

Every identifier is drawn in blocks (``IdCounter.reserve`` + ``make_ids``),
every primary key of a table others point to is reserved up front, and rows
go in through ``COPY`` on PostgreSQL (``executemany`` on SQLite), all in one
transaction. The random streams are keyed on (seed, purpose, batch): the same
seed, window, scale and register give the same history.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from himaccess.accounts.models import Level, Posting, Role, User
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
from himaccess.audit import log as audit
from himaccess.catalog.models import Service, ServiceVersion
from himaccess.catalog.working_time import closed_days_around, is_working_day
from himaccess.geography.models import Block, District, Panchayat, Tehsil, UrbanBody
from himaccess.grievances.models import (
    COMPLAINT_PREFIX,
    Category,
    Channel,
    Complaint,
    ComplaintStep,
    LadderLevel,
)
from himaccess.lib.progress import Progress
from himaccess.registry.models import Family, IdCounter, Member
from himaccess.registry.synthetic.idblocks import make_ids
from himaccess.schemes import ledger
from himaccess.schemes.models import Benefit, Enrolment, EnrolmentStep, RuleVersion, Scheme
from himaccess.schemes.population import eligible
from himaccess.schemes.vocabulary import Context, to_q

IST = ZoneInfo("Asia/Kolkata")

# What the state reports for a year (him_parivar_and_cm_sankalp.md in the reference data):
# e-District services delivered in 2024 and CM Seva Sankalp complaints in FY 2024-25.
YEARLY = {"applications": 2_278_000, "complaints": 149_490}
# Social-security pensioners in 2021-22 (6.35 lakh): 4.16 lakh elderly, 1.25 lakh widows and
# single or destitute women, 1,482 leprosy patients, about 150 transgender persons; the rest
# (disability) is what remains of the total. Schemes started later (Pyari Behna, the women's
# Rs 1,500) are not in that figure and get no history.
PENSIONERS = {
    "elderly": 416_000,
    "women": 125_000,
    "leprosy": 1_482,
    "transgender": 150,
    "disability": 92_368,
}
PENSION_GROUP = {
    "old_age_pension_state": "elderly",
    "ignoaps": "elderly",
    "widow_destitute_ekal_nari_pension": "women",
    "ignwps": "women",
    "leprosy_rehabilitation_allowance": "leprosy",
    "transgender_pension": "transgender",
    "disability_relief_allowance": "disability",
    "igndps": "disability",
}

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

# Complaints: how they reach the helpline, and how they end.
CHANNEL_SHARES = {Channel.HELPLINE: 0.75, Channel.WHATSAPP: 0.15, Channel.CHATBOT: 0.10}
COMPLAINT_LATE_SHARE = 0.15
CONFIRMED_SHARE = 0.65
REJECTED_SHARE = 0.05  # the rest close for want of an answer
HELPLINE_AGENTS = 20
ACTION_NOTE = "Inspected the site and started the work."
RESOLUTION_NOTE = "The matter is resolved; the work is complete."
REJECT_REASON = "The problem is still there."
DESCRIPTION = "{category}: the caller reports this problem in their area and asks for it to be resolved."

# Pensions: the share of the year's beneficiaries who joined during the year.
NEW_BENEFICIARY_SHARE = 0.10
PAYMENT_REFERENCE = "HIST-{scheme}-{month}-{row}"
LEDGER_CLIENT = "Social Justice pension disbursement (history)"

BATCH = 20_000
SYSTEM_USERNAME = "system:department-registration"


class HistoryError(Exception):
    """The history cannot be written (no register, no catalogue, bad arguments)."""


@dataclass
class HistoryResult:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    start: datetime | None = None
    end: datetime | None = None


# --- Writing rows -------------------------------------------------------------------


class Writer:
    """Appends rows to tables: ``COPY`` on PostgreSQL, ``executemany`` on SQLite; counts them."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.postgres = connection.vendor == "postgresql"

    def write(
        self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> None:
        table = model._meta.db_table
        written = 0
        with connection.cursor() as cursor:
            if self.postgres:
                names = ", ".join(columns)
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
            else:
                prepared = [tuple(_sqlite(value) for value in row) for row in rows]
                marks = ", ".join(["%s"] * len(columns))
                # Table and column names come from the models, never from input.
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, prepared)
                written = len(prepared)
        self.counts[table] = self.counts.get(table, 0) + written

    def reserve_keys(self, model: type[models.Model], count: int) -> int:
        """The first of ``count`` primary keys no other writer will take."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                # As the register's seed: lock against other writers, advance the sequence past the block.
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
                last = f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"  # noqa: S608
                cursor.execute(f"SELECT pg_get_serial_sequence(%s, 'id'), ({last})", [table])
                sequence, after_max = cursor.fetchone()
                cursor.execute("SELECT nextval(%s)", [sequence])
                start = max(int(cursor.fetchone()[0]), int(after_max))
                cursor.execute("SELECT setval(%s, %s)", [sequence, start + max(count, 1) - 1])
                return start
            # SQLite has one writer, which is this transaction.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
            return int(cursor.fetchone()[0])


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _numbers(prefix: str, count: int) -> list[str]:
    if count == 0:
        return []
    return make_ids(prefix, IdCounter.reserve(prefix, count), count, settings.REGISTER_ID_KEY)


# --- Officials ----------------------------------------------------------------------


@dataclass(frozen=True)
class Officials:
    """The history's officials by (role, level, department, area LGD code; 0 for the state)."""

    by_post: dict[tuple[str, str, str, int], int]
    agents: list[int]

    def holder(self, role: str, level: str, department: str, area: int | None) -> int | None:
        if area is None:
            return None
        found = self.by_post.get((role, level, department, area))
        return found if found is not None else self.by_post.get((role, level, "", area))


_GENERAL_ROLES = frozenset(
    {Role.PATWARI, Role.TEHSILDAR, Role.SDM, Role.DEPUTY_COMMISSIONER, Role.BDO, Role.PANCHAYAT_SECRETARY}
)
_AREA_FIELD = {
    Level.DISTRICT: "district_id",
    Level.TEHSIL: "tehsil_id",
    Level.BLOCK: "block_id",
    Level.PANCHAYAT: "panchayat_id",
    Level.URBAN_BODY: "urban_body_id",
}


def _areas(level: str) -> list[int]:
    model: type[models.Model] = {
        Level.DISTRICT: District,
        Level.TEHSIL: Tehsil,
        Level.BLOCK: Block,
        Level.PANCHAYAT: Panchayat,
        Level.URBAN_BODY: UrbanBody,
    }[Level(level)]
    return sorted(model._default_manager.values_list("pk", flat=True))


def _posts_needed(versions: Sequence[ServiceVersion]) -> set[tuple[str, str, str]]:
    """(role, level, department) of every post the history's events pass through."""
    posts: set[tuple[str, str, str]] = {(Role.LOK_MITRA_OPERATOR, Level.TEHSIL, "")}
    stage_levels = {
        Role.PATWARI: Level.TEHSIL,
        Role.TEHSILDAR: Level.TEHSIL,
        Role.SDM: Level.TEHSIL,
        Role.DEPUTY_COMMISSIONER: Level.DISTRICT,
        Role.DISTRICT_WELFARE_OFFICER: Level.DISTRICT,
        Role.DEPARTMENT_OFFICER: Level.DISTRICT,
        Role.PANCHAYAT_SECRETARY: Level.PANCHAYAT,
        Role.BDO: Level.BLOCK,
    }
    for version in versions:
        for stage in version.stages:
            department = "" if stage["role"] in _GENERAL_ROLES else stage.get("department", "")
            posts.add((stage["role"], stage_levels[stage["role"]], department))
    for category in Category.objects.filter(children__isnull=True, active=True):
        department = "" if category.handler_role in _GENERAL_ROLES else category.department_id
        posts.add((category.handler_role, category.handler_level, department))
    for rung in LadderLevel.objects.exclude(role=Role.STATE_ADMIN):
        department = "" if rung.role in _GENERAL_ROLES else rung.department_id
        posts.add((rung.role, rung.area_level, department))
    # Pensions are sanctioned by the welfare officer of the department that runs them.
    posts.add((Role.DISTRICT_WELFARE_OFFICER, Level.DISTRICT, "social_justice"))
    return posts


def post_officials(versions: Sequence[ServiceVersion], since: datetime) -> Officials:
    """Create (once) an official for every post and area the history needs; return them by post."""
    wanted: dict[str, tuple[str, str, str, int]] = {}
    for role, level, department in sorted(_posts_needed(versions)):
        areas = [0] if level == Level.STATE else _areas(level)
        for area in areas:
            username = f"history.{role}.{level}.{area}" + (f".{department}" if department else "")
            wanted[username] = (role, level, department, area)
    for number in range(1, HELPLINE_AGENTS + 1):
        wanted[f"history.helpline_agent.{number}"] = (
            Role.HELPLINE_AGENT,
            Level.STATE,
            "public_grievances",
            -number,
        )
    existing = dict(User.objects.filter(username__in=list(wanted)).values_list("username", "pk"))
    missing = [name for name in wanted if name not in existing]
    if missing:
        users = User.objects.bulk_create(
            [
                # No usable password and no second factor: these logins exist for the record only.
                User(
                    username=name,
                    password=make_password(None),
                    kind=User.Kind.OFFICIAL,
                    preferred_language="hi",
                )
                for name in missing
            ],
            batch_size=1000,
        )
        if any(user.pk is None for user in users):  # backends that do not return keys
            users = list(User.objects.filter(username__in=missing))
        district_of = dict(Tehsil.objects.values_list("pk", "district_id"))
        postings = []
        for user in users:
            role, level, department, area = wanted[user.username]
            columns: dict[str, Any] = {}
            if level != Level.STATE:
                columns[_AREA_FIELD[Level(level)]] = area
                if level == Level.TEHSIL:
                    columns["district_id"] = district_of[area]
            postings.append(
                Posting(
                    user=user,
                    role=role,
                    level=level,
                    department_id=department or None,
                    started_at=since,
                    **columns,
                )
            )
        Posting.objects.bulk_create(postings, batch_size=1000)
        existing.update({user.username: user.pk for user in users})
    by_post: dict[tuple[str, str, str, int], int] = {}
    agents: list[int] = []
    for name, (role, level, department, area) in wanted.items():
        if role == Role.HELPLINE_AGENT:
            agents.append(existing[name])
        else:
            by_post[(role, level, department, area)] = existing[name]
    return Officials(by_post, agents)


# --- The register, in arrays --------------------------------------------------------


@dataclass(frozen=True)
class Register:
    member: np.ndarray  # living members' keys, ascending
    family_of: np.ndarray  # index into the family arrays, per member
    has_mobile: np.ndarray
    family: np.ndarray
    place: dict[str, np.ndarray]  # district, tehsil, block, panchayat, urban_body, village: -1 for none


def read_register() -> Register:
    names = ("district_id", "tehsil_id", "block_id", "panchayat_id", "urban_body_id", "village_id")
    # Table and column names come from the models, never from input.
    places = ", ".join(f"COALESCE({n}, -1)" for n in names)
    family_rows = _fetch_arrays(
        f"SELECT id, {places} FROM {Family._meta.db_table} ORDER BY id",  # noqa: S608
        1 + len(names),
    )
    member_rows = _fetch_arrays(
        f"SELECT id, family_id, CASE WHEN mobile = '' THEN 0 ELSE 1 END FROM {Member._meta.db_table}"  # noqa: S608
        " WHERE life_status = 'living' ORDER BY id",
        3,
    )
    if len(member_rows[0]) == 0:
        raise HistoryError(_("The register has no living members: seed it first."))
    families = family_rows[0]
    return Register(
        member=member_rows[0],
        family_of=np.searchsorted(families, member_rows[1]),
        has_mobile=member_rows[2].astype(bool),
        family=families,
        place={n.removesuffix("_id"): family_rows[i + 1] for i, n in enumerate(names)},
    )


def _fetch_arrays(sql: str, width: int, chunk: int = 200_000) -> list[np.ndarray]:
    parts: list[list[np.ndarray]] = [[] for _ in range(width)]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(chunk):
            block = np.array(rows, dtype=np.int64).reshape(len(rows), width)
            for i in range(width):
                parts[i].append(block[:, i])
    return [np.concatenate(p) if p else np.zeros(0, dtype=np.int64) for p in parts]


# --- Time ---------------------------------------------------------------------------


def _days(start: datetime, days: int, rng: np.random.Generator, count: int) -> np.ndarray:
    """Day offsets for ``count`` events, Sundays less likely (weekday of the window's days)."""
    weekdays = np.array([(start.astimezone(IST).date() + timedelta(days=d)).weekday() for d in range(days)])
    weights = np.where(weekdays == 6, SUNDAY_WEIGHT, 1.0)
    return rng.choice(days, size=count, p=weights / weights.sum())


def _office_moment(start: datetime, day: int, second: int) -> datetime:
    local = datetime.combine(start.astimezone(IST).date() + timedelta(days=day), clock(9, 30), tzinfo=IST)
    return local + timedelta(seconds=second)


@dataclass(frozen=True)
class WorkingTime:
    """``working_time.due_after`` with the holidays read once for the whole window, not once a call."""

    closed: set[date]

    @classmethod
    def around(cls, start: datetime, end: datetime) -> WorkingTime:
        days = (end - start).days + 400  # the window, and the longest time limit after it
        return cls(closed_days_around(end, days=days))

    def after(self, moment: datetime, hours: float) -> datetime:
        """``hours`` of working time after ``moment``: Sundays and holidays do not count (the Act's clock)."""
        moment = moment.astimezone(IST)
        remaining = timedelta(hours=hours)
        while True:
            day = moment.date()
            next_midnight = datetime.combine(day + timedelta(days=1), clock(0), tzinfo=IST)
            if is_working_day(day, self.closed):
                available = next_midnight - moment
                if remaining <= available:
                    return moment + remaining
                remaining -= available
            moment = next_midnight


# --- Applications -------------------------------------------------------------------


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


_STAGE_LEVEL = {
    Role.PATWARI: Level.TEHSIL,
    Role.TEHSILDAR: Level.TEHSIL,
    Role.SDM: Level.TEHSIL,
    Role.DEPUTY_COMMISSIONER: Level.DISTRICT,
    Role.DISTRICT_WELFARE_OFFICER: Level.DISTRICT,
    Role.DEPARTMENT_OFFICER: Level.DISTRICT,
    Role.PANCHAYAT_SECRETARY: Level.PANCHAYAT,
    Role.BDO: Level.BLOCK,
}

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


def _stage_officer(officials: Officials, stage: dict[str, Any], register: Register, f: int) -> int | None:
    role = stage["role"]
    level = _STAGE_LEVEL[role]
    department = "" if role in _GENERAL_ROLES else stage.get("department", "")
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
    with Progress(_("Applications written"), count, stream=stream) as bar:
        for batch, first in enumerate(range(0, count, BATCH)):
            size = min(BATCH, count - first)
            rng = np.random.default_rng([seed, 1, batch])
            members = rng.integers(0, len(register.member), size=size)
            picks = rng.choice(len(services), size=size, p=weights / weights.sum())
            plain_picks = rng.choice(len(services), size=size, p=plain / plain.sum())
            days_drawn = np.sort(_days(start, days, rng, size))
            seconds = rng.integers(0, 8 * 3600, size=size)
            pk0 = writer.reserve_keys(Application, size)
            consent0 = writer.reserve_keys(AssistedConsent, size)
            numbers = _numbers(APPLICATION_PREFIX, size)
            rows, steps, consents = [], [], []
            for i in range(size):
                f = int(register.family_of[members[i]])
                pick = int(picks[i])
                if services[pick].needs_panchayat and not has_panchayat[f]:
                    pick = int(
                        plain_picks[i]
                    )  # no Panchayat Secretary works for a family outside a panchayat
                made = _application_history(
                    pk=pk0 + i,
                    number=numbers[i],
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
            writer.write(AssistedConsent, CONSENT_COLUMNS, consents)
            writer.write(Application, APPLICATION_COLUMNS, rows)
            writer.write(Step, STEP_COLUMNS, steps)
            bar.advance(size)


# --- Complaints ---------------------------------------------------------------------

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


@dataclass(frozen=True)
class Ladder:
    category: Category
    rungs: list[tuple[int, str, str, int]]  # (number, role, area level, hours)

    def holder(self, officials: Officials, number: int, place: dict[str, int]) -> int | None:
        _number, role, level, _hours = self.rungs[number - 1]
        department = "" if role in _GENERAL_ROLES else self.category.department_id
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
    with Progress(_("Complaints written"), count, stream=stream) as bar:
        for batch, first in enumerate(range(0, count, BATCH)):
            size = min(BATCH, count - first)
            rng = np.random.default_rng([seed, 2, batch])
            members = with_mobile[rng.integers(0, len(with_mobile), size=size)]
            categories = rng.integers(0, len(found), size=size)
            channel_picks = rng.choice(len(channels), size=size, p=shares)
            agents = rng.integers(0, len(officials.agents), size=size)
            days_drawn = np.sort(rng.integers(0, days, size=size))
            seconds = rng.integers(7 * 3600, 22 * 3600, size=size)  # the helpline's hours, 7 AM to 10 PM
            people = _complainants([int(register.member[m]) for m in members])
            pk0 = writer.reserve_keys(Complaint, size)
            references = _numbers(COMPLAINT_PREFIX, size)
            rows, steps = [], []
            for i in range(size):
                f = int(register.family_of[members[i]])
                created = datetime.combine(
                    start.astimezone(IST).date() + timedelta(days=int(days_drawn[i])), clock(0), tzinfo=IST
                ) + timedelta(seconds=int(seconds[i]))
                if created >= end:
                    continue
                made = _complaint_history(
                    pk=pk0 + i,
                    reference=references[i],
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
            writer.write(Complaint, COMPLAINT_COLUMNS, rows)
            writer.write(ComplaintStep, COMPLAINT_STEP_COLUMNS, steps)
            bar.advance(size)


# --- Pensions and the ledger --------------------------------------------------------

ENROLMENT_COLUMNS = (
    "id",
    "reference",
    "member_id",
    "scheme_id",
    "offer_id",
    "status",
    "monthly_amount",
    "filed_by_id",
    "filed_at",
    "decided_by_id",
    "decided_at",
)
ENROLMENT_STEP_COLUMNS = ("enrolment_id", "from_status", "to_status", "actor_id", "note", "at")
BENEFIT_COLUMNS = (
    "member_id",
    "scheme_id",
    "enrolment_id",
    "period",
    "amount",
    "paid_on",
    "payment_reference",
    "client_id",
    "created_at",
)
ENROLMENT_NOTE = "Beneficiary on the department's pension register."


def _amount(version: RuleVersion, ctx: Context) -> Case:
    """The first matching amount band of ``version``, as a column (``band_for`` for a whole population)."""
    whens, default = [], None
    for band in version.bands:
        condition = to_q(band["when"], ctx)
        if not condition:  # an empty rule matches everyone: the bands after it never apply
            default = Value(int(band["amount"]))
            break
        whens.append(When(condition, then=Value(int(band["amount"]))))
    return Case(*whens, default=default, output_field=IntegerField())


def _pension_versions(on: date) -> list[RuleVersion]:
    schemes = Scheme.objects.filter(
        active=True,
        is_social_security_pension=True,
        payment=Scheme.Payment.MONTHLY,
        scheme_id__in=list(PENSION_GROUP),
    ).order_by("scheme_id")
    return [v for scheme in schemes if (v := scheme.rule_on(on)) is not None and v.bands]


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def write_pensions(
    writer: Writer,
    *,
    scale: float,
    seed: int,
    start: datetime,
    end: datetime,
    register: Register,
    officials: Officials,
    stream: object | None,
) -> None:
    first_day = start.astimezone(IST).date()
    last_day = (end - timedelta(microseconds=1)).astimezone(IST).date()
    versions = _pension_versions(first_day)
    if not versions:
        return
    candidates: list[tuple[RuleVersion, np.ndarray, np.ndarray]] = []
    for version in versions:
        ctx = Context(on=first_day, scheme_pk=version.scheme.pk, scheme_id=version.scheme.scheme_id)
        rows = (
            eligible(version, first_day)
            .exclude(enrolments__scheme=version.scheme, enrolments__status__in=["filed", "sanctioned"])
            .annotate(amount=_amount(version, ctx))
            .filter(amount__isnull=False)
            .order_by("pk")
            .values_list("pk", "amount")
        )
        found = np.array(list(rows.iterator(chunk_size=20_000)), dtype=np.int64).reshape(-1, 2)
        candidates.append((version, found[:, 0], found[:, 1]))
    # Each group's pensioners spread over its schemes in proportion to who is eligible for each.
    eligible_in: dict[str, int] = {}
    for version, members, _amounts in candidates:
        group = PENSION_GROUP[version.scheme.scheme_id]
        eligible_in[group] = eligible_in.get(group, 0) + len(members)
    target = round(sum(PENSIONERS[group] for group in eligible_in) * scale)
    system = ledger._system_user()
    clients: dict[str, int] = {}
    months = _months(first_day, last_day)
    taken: set[int] = set()
    with Progress(_("Pensioners written"), target, stream=stream) as bar:
        for index, (version, members, amounts) in enumerate(candidates):
            scheme = version.scheme
            if scheme.department_id not in clients:
                clients[scheme.department_id] = ledger.in_process_client(
                    scheme.department_id, LEDGER_CLIENT
                ).pk
            client = clients[scheme.department_id]
            group = PENSION_GROUP[scheme.scheme_id]
            share = min(1.0, PENSIONERS[group] * scale / eligible_in[group]) if eligible_in[group] else 0.0
            rng = np.random.default_rng([seed, 3, index])
            chosen = np.flatnonzero(rng.random(len(members)) < share)
            families_seen: set[int] = set()
            picked: list[tuple[int, int]] = []
            for i in chosen:
                member = int(members[i])
                if member in taken:  # one social-security pension per person
                    continue
                if scheme.one_per_family:
                    f = int(register.family_of[np.searchsorted(register.member, member)])
                    if f in families_seen:
                        continue
                    families_seen.add(f)
                taken.add(member)
                picked.append((member, int(amounts[i])))
            for first in range(0, len(picked), BATCH):
                part = picked[first : first + BATCH]
                pk0 = writer.reserve_keys(Enrolment, len(part))
                references = _numbers("E", len(part))
                enrolments, steps, benefits = [], [], []
                for j, (member, amount) in enumerate(part):
                    new = rng.random() < NEW_BENEFICIARY_SHARE
                    if new:
                        since_day = first_day + timedelta(
                            days=int(rng.integers(0, max(1, (last_day - first_day).days)))
                        )
                    else:
                        since_day = first_day - timedelta(days=int(rng.integers(30, 3650)))
                    since = datetime.combine(since_day, clock(11), tzinfo=IST)
                    f = int(register.family_of[np.searchsorted(register.member, member)])
                    officer = officials.holder(
                        Role.DISTRICT_WELFARE_OFFICER,
                        Level.DISTRICT,
                        scheme.department_id,
                        int(register.place["district"][f]),
                    )
                    pk = pk0 + j
                    enrolments.append(
                        (
                            pk,
                            references[j],
                            member,
                            scheme.pk,
                            None,
                            Enrolment.Status.SANCTIONED,
                            amount,
                            system.pk,
                            since,
                            officer,
                            since,
                        )
                    )
                    steps.append((pk, "", Enrolment.Status.SANCTIONED, officer, ENROLMENT_NOTE, since))
                    for month in months:
                        paid_on = month + timedelta(days=9)
                        if month < since_day.replace(day=1) or paid_on > last_day:
                            continue
                        reference = PAYMENT_REFERENCE.format(
                            scheme=scheme.pk, month=month.strftime("%Y%m"), row=pk
                        )
                        paid_at = datetime.combine(paid_on, clock(10), tzinfo=IST)
                        benefits.append(
                            (member, scheme.pk, pk, month, amount, paid_on, reference, client, paid_at)
                        )
                writer.write(Enrolment, ENROLMENT_COLUMNS, enrolments)
                writer.write(EnrolmentStep, ENROLMENT_STEP_COLUMNS, steps)
                writer.write(Benefit, BENEFIT_COLUMNS, benefits)
                bar.advance(len(part))


# --- The whole run ------------------------------------------------------------------


def window(days: int, until: date | None) -> tuple[datetime, datetime]:
    """The history's start and end: ``days`` whole days ending at the start of ``until`` (today)."""
    last = until or timezone.localdate()
    end = datetime.combine(last, clock(0), tzinfo=IST)
    return end - timedelta(days=days), end


def seed_history(
    *,
    seed: int = 1,
    days: int = 365,
    scale: float = 1.0,
    until: date | None = None,
    stream: object | None = None,
) -> HistoryResult:
    """Write ``days`` of history at ``scale`` times the state's yearly volume (see the module's docstring)."""
    if days < 1 or scale <= 0:
        raise HistoryError(_("The number of days and the scale must be positive."))
    started = time.perf_counter()
    start, end = window(days, until)
    year = days / 365
    counts = {name: round(volume * scale * year) for name, volume in YEARLY.items()}
    writer = Writer()
    with transaction.atomic():
        versions = [s.version for s in offered_services()]
        officials = post_officials(versions, start - timedelta(days=1))
        register = read_register()
        write_applications(
            writer,
            count=counts["applications"],
            seed=seed,
            start=start,
            days=days,
            end=end,
            register=register,
            officials=officials,
            stream=stream,
        )
        write_complaints(
            writer,
            count=counts["complaints"],
            seed=seed,
            start=start,
            days=days,
            end=end,
            register=register,
            officials=officials,
            stream=stream,
        )
        write_pensions(
            writer,
            scale=scale,
            seed=seed,
            start=start,
            end=end,
            register=register,
            officials=officials,
            stream=stream,
        )
        # One entry for the import: the rows are synthetic records, not acts of the people they name.
        audit.record(
            None,
            "history.imported",
            None,
            after={
                "synthetic": True,
                "seed": seed,
                "days": days,
                "scale": scale,
                "from": start.isoformat(),
                "to": end.isoformat(),
                "rows": dict(sorted(writer.counts.items())),
            },
            source="synthetic",
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in writer.counts:
                cursor.execute(f"ANALYZE {table}")
    return HistoryResult(
        rows=dict(writer.counts), seconds=time.perf_counter() - started, start=start, end=end
    )
