"""The scheduled jobs: escalate overdue complaints, close unanswered resolutions.

Both are set-based SQL in batches, never a loop over complaints in Python:
a million open complaints are escalated in seconds (bench/grievances_escalation.py).
Each batch, in one transaction:

1. picks up to ``batch_size`` due complaints of one department and level
   into a temporary work table, with the next level and its holder worked
   out by joins on ``RouteEntry`` (rebuilt from postings at the start of the
   run by the same rule as ``routing.holder``); on PostgreSQL the picked
   rows are locked, skipping rows an officer is saving at that moment;
2. ``UPDATE ... FROM`` the work table moves them up one level with the new
   holder and deadline;
3. ``INSERT ... SELECT`` appends one ``ComplaintStep`` per complaint (who:
   the system; why: the level's time ran out).

Officers get one SMS per run ("N complaints were escalated to you / from
you"), not one per complaint; the steps are the per-complaint record and
their queues show them.
"""

# SQL here is assembled from fixed table and column names, never from input; values are parameters.
# ruff: noqa: S608
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from himaccess.accounts.language import language_for
from himaccess.accounts.models import Level, User
from himaccess.audit import log as audit
from himaccess.grievances import routing
from himaccess.grievances.models import (
    AREA_COLUMNS,
    Complaint,
    ComplaintStep,
    JobRun,
    LadderLevel,
    RouteEntry,
)
from himaccess.lib import links
from himaccess.notifications import sms

WORK = "grievance_job_work"
STEP_COLUMNS = (
    " (complaint_id, kind, at, actor_id, channel, from_level, to_level,"
    " from_officer_id, to_officer_id, reason)"
)
BATCH_SIZE = 100_000


@dataclass
class Outcome:
    rows: int = 0
    batches: int = 0
    seconds: float = 0.0
    escalated_to: Counter[int] = field(default_factory=Counter)
    escalated_from: Counter[int] = field(default_factory=Counter)


def _work_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {WORK} ("
            "complaint_id bigint PRIMARY KEY, from_level integer, to_level integer,"
            " from_officer bigint, to_officer bigint, routed_up boolean)"
        )
        cursor.execute(f"DELETE FROM {WORK}")


def _dt(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


@transaction.atomic
def rebuild_routes() -> int:
    RouteEntry.objects.all().delete()
    return len(RouteEntry.objects.bulk_create(routing.route_entries()))


def _area_expression(area_level: str) -> str:
    if area_level == Level.STATE:
        return str(routing.STATE_AREA)
    return "c." + AREA_COLUMNS[Level(area_level)]  # a fixed column name, never user input


def _pick_sql(higher: list[LadderLevel]) -> str:
    joins = []
    for rung in higher:
        alias = f"r{rung.number}"
        joins.append(
            f"LEFT JOIN grievances_routeentry {alias} ON {alias}.department_id = c.department_id"
            f" AND {alias}.number = {rung.number} AND {alias}.area_level = '{rung.area_level}'"
            f" AND {alias}.area_id = {_area_expression(rung.area_level)}"
        )
    first = higher[0].number
    to_level = " ".join(f"WHEN r{r.number}.officer_id IS NOT NULL THEN {r.number}" for r in higher)
    officer = ", ".join(f"r{r.number}.officer_id" for r in higher)
    lock = " FOR UPDATE OF c SKIP LOCKED" if connection.vendor == "postgresql" else ""
    return (
        f"INSERT INTO {WORK} (complaint_id, from_level, to_level, from_officer, to_officer, routed_up)"
        f" SELECT c.id, c.level, CASE {to_level} ELSE {first} END, c.assignee_id,"
        f" COALESCE({officer}, NULL), CASE WHEN r{first}.officer_id IS NOT NULL THEN FALSE ELSE TRUE END"
        f" FROM grievances_complaint c {' '.join(joins)}"
        " WHERE c.department_id = %s AND c.level = %s AND c.status = 'open' AND c.due_at <= %s"
        f" LIMIT %s{lock}"
    )


def _fast_commit() -> None:
    # A batch lost in a crash is simply redone by the next run: no need to wait for the disk.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _escalate_batch(
    department: str, number: int, higher: list[LadderLevel], now: datetime, size: int, outcome: Outcome
) -> int:
    _fast_commit()
    _work_table()
    with connection.cursor() as cursor:
        cursor.execute(_pick_sql(higher), [department, number, _dt(now), size])
        picked = cursor.rowcount
        if picked <= 0:
            return 0
        if connection.vendor == "postgresql":
            # A temporary table has no statistics: without them the planner scans every
            # complaint to join the batch; with them it looks each one up by its key.
            cursor.execute(f"ANALYZE {WORK}")
        deadlines = " ".join(f"WHEN {r.number} THEN %s" for r in higher)
        cursor.execute(
            f"UPDATE grievances_complaint SET level = w.to_level, assignee_id = w.to_officer,"
            f" routed_up = w.routed_up, due_at = CASE w.to_level {deadlines} END"
            f" FROM {WORK} w WHERE grievances_complaint.id = w.complaint_id",
            [_dt(now + timedelta(hours=r.hours)) for r in higher],
        )
        reason = f"not resolved within the time limit of level {number}"
        cursor.execute(
            "INSERT INTO grievances_complaintstep"
            + STEP_COLUMNS
            + f" SELECT complaint_id, %s, %s, NULL, '', from_level, to_level, from_officer, to_officer,"
            f" CASE WHEN routed_up THEN %s ELSE %s END FROM {WORK}",
            [
                ComplaintStep.Kind.ESCALATED,
                _dt(now),
                reason + "; no officer posted on the next level: sent higher",
                reason,
            ],
        )
        for column, counter in (
            ("to_officer", outcome.escalated_to),
            ("from_officer", outcome.escalated_from),
        ):
            cursor.execute(
                f"SELECT {column}, COUNT(*) FROM {WORK} WHERE {column} IS NOT NULL GROUP BY {column}"
            )
            for officer_id, count in cursor.fetchall():
                counter[officer_id] += count
        cursor.execute(f"DELETE FROM {WORK}")
    return picked


def escalate_overdue(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> Outcome:
    """Move every open complaint past its level's deadline one level up (see the module's docstring)."""
    now = now or timezone.now()
    started = time.perf_counter()
    run = JobRun.objects.create(job="escalate_overdue", started_at=now)
    rebuild_routes()
    outcome = Outcome()
    ladders: dict[str, list[LadderLevel]] = {}
    for rung in LadderLevel.objects.order_by("department_id", "number"):
        ladders.setdefault(rung.department_id, []).append(rung)
    for department, rungs in ladders.items():
        # From the top level down, so one run moves a complaint by one level only.
        for number in sorted({1, *(r.number for r in rungs)}, reverse=True):
            higher = [r for r in rungs if r.number > number]
            if not higher:
                continue
            while True:
                with transaction.atomic():
                    picked = _escalate_batch(department, number, higher, now, batch_size, outcome)
                if picked:
                    outcome.rows += picked
                    outcome.batches += 1
                if picked < batch_size:
                    break
    _notify_officers(outcome)
    outcome.seconds = time.perf_counter() - started
    with transaction.atomic():
        JobRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(), rows=outcome.rows, batches=outcome.batches
        )
        audit.record(None, "complaints.escalated", run, after={"count": outcome.rows})
    return outcome


def _notify_officers(outcome: Outcome) -> None:
    url = links.absolute(reverse("grievances:queue"))
    ids = set(outcome.escalated_to) | set(outcome.escalated_from)
    mobiles = dict(User.objects.filter(pk__in=ids).exclude(mobile="").values_list("pk", "mobile"))
    with transaction.atomic():
        for key, counter in (
            ("grievance_escalated_to", outcome.escalated_to),
            ("grievance_escalated_from", outcome.escalated_from),
        ):
            for officer_id, count in counter.items():
                if officer_id in mobiles:
                    sms.send(
                        mobiles[officer_id],
                        key,
                        {"count": count, "url": url},
                        language=language_for(mobiles[officer_id]),
                    )


def close_unanswered(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> Outcome:
    """Close resolutions the complainant did not answer within the set period (``closed_how = no_answer``)."""
    now = now or timezone.now()
    started = time.perf_counter()
    run = JobRun.objects.create(job="close_unanswered", started_at=now)
    outcome = Outcome()
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    while True:
        with transaction.atomic():
            _work_table()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {WORK} (complaint_id, from_level)"
                    " SELECT id, level FROM grievances_complaint"
                    f" WHERE status = 'resolved' AND confirm_by <= %s LIMIT %s{lock}",
                    [_dt(now), batch_size],
                )
                picked = max(cursor.rowcount, 0)
                cursor.execute(
                    "UPDATE grievances_complaint SET status = %s, closed_at = %s, closed_how = %s"
                    f" FROM {WORK} w WHERE grievances_complaint.id = w.complaint_id",
                    [Complaint.Status.CLOSED, _dt(now), Complaint.ClosedHow.NO_ANSWER],
                )
                cursor.execute(
                    "INSERT INTO grievances_complaintstep"
                    + STEP_COLUMNS
                    + " SELECT complaint_id, %s, %s, NULL, '', from_level, from_level, NULL, NULL, %s"
                    f" FROM {WORK}",
                    [ComplaintStep.Kind.CLOSED_NO_ANSWER, _dt(now), "no answer within the set period"],
                )
                cursor.execute(
                    "SELECT c.reference, c.complainant_mobile FROM grievances_complaint c"
                    f" JOIN {WORK} w ON w.complaint_id = c.id"
                )
                closed = cursor.fetchall()
                cursor.execute(f"DELETE FROM {WORK}")
            for reference, mobile in closed:
                url = links.absolute(reverse("grievances:track") + f"?reference={reference}")
                sms.send(
                    mobile,
                    "grievance_closed",
                    {"reference": reference, "days": settings.GRIEVANCE_REOPEN_DAYS, "url": url},
                    language=language_for(mobile),
                )
        outcome.rows += picked
        outcome.batches += 1 if picked else 0
        if picked < batch_size:
            break
    outcome.seconds = time.perf_counter() - started
    with transaction.atomic():
        JobRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(), rows=outcome.rows, batches=outcome.batches
        )
        audit.record(None, "complaints.closed_unanswered", run, after={"count": outcome.rows})
    return outcome
