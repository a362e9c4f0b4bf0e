"""Pensions: the state's pensioners as the department's sanctioned beneficiaries, paid once a month.

The members each pension's published rule makes eligible (its own compiled
query), as many of them as the state's published count of pensioners (times
``scale``), are enrolled as sanctioned beneficiaries, with one ledger payment
per month enrolled.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as clock

import numpy as np
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from himaccess.accounts.models import Level, Role, User
from himaccess.catalog.working_time import IST
from himaccess.demo.history.officials import Officials
from himaccess.demo.history.register import Register
from himaccess.demo.history.writer import Batch, Row, Table, Writer, write_batches
from himaccess.lib.progress import Progress
from himaccess.schemes import ledger
from himaccess.schemes.models import Benefit, Enrolment, EnrolmentStep, RuleVersion, Scheme
from himaccess.schemes.population import eligible
from himaccess.schemes.vocabulary import Context, to_q

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
# Pensions: the share of the year's beneficiaries who joined during the year.
NEW_BENEFICIARY_SHARE = 0.10
PAYMENT_REFERENCE = "HIST-{scheme}-{month}-{row}"
LEDGER_CLIENT = "Social Justice pension disbursement (history)"

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
TABLES: tuple[Table, ...] = (
    (Enrolment, ENROLMENT_COLUMNS),
    (EnrolmentStep, ENROLMENT_STEP_COLUMNS),
    (Benefit, BENEFIT_COLUMNS),
)


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


def _pick(
    scheme: Scheme,
    members: np.ndarray,
    amounts: np.ndarray,
    share: float,
    rng: np.random.Generator,
    register: Register,
    taken: set[int],
) -> list[tuple[int, int]]:
    """(member, monthly amount) of ``share`` of the eligible ``members``; adds them to ``taken``."""
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
    return picked


def _enrol(
    writer: Writer,
    bar: Progress,
    *,
    scheme: Scheme,
    picked: list[tuple[int, int]],
    rng: np.random.Generator,
    client: int,
    system: User,
    months: list[date],
    first_day: date,
    last_day: date,
    register: Register,
    officials: Officials,
) -> None:
    """Write the enrolment, its sanction and its monthly payments for each (member, amount) ``picked``."""

    def build(batch: Batch) -> tuple[list[Row], list[Row], list[Row]]:
        part = picked[batch.first : batch.first + batch.size]
        pk0 = batch.keys[Enrolment]
        enrolments: list[Row] = []
        steps: list[Row] = []
        benefits: list[Row] = []
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
                    batch.numbers[j],
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
                reference = PAYMENT_REFERENCE.format(scheme=scheme.pk, month=month.strftime("%Y%m"), row=pk)
                paid_at = datetime.combine(paid_on, clock(10), tzinfo=IST)
                benefits.append((member, scheme.pk, pk, month, amount, paid_on, reference, client, paid_at))
        return enrolments, steps, benefits

    write_batches(
        writer, count=len(picked), tables=TABLES, keyed=(Enrolment,), prefix="E", build=build, bar=bar
    )


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
            group = PENSION_GROUP[scheme.scheme_id]
            share = min(1.0, PENSIONERS[group] * scale / eligible_in[group]) if eligible_in[group] else 0.0
            # One stream per scheme, for choosing its pensioners and then their dates.
            rng = np.random.default_rng([seed, 3, index])
            _enrol(
                writer,
                bar,
                scheme=scheme,
                picked=_pick(scheme, members, amounts, share, rng, register, taken),
                rng=rng,
                client=clients[scheme.department_id],
                system=system,
                months=months,
                first_day=first_day,
                last_day=last_day,
                register=register,
                officials=officials,
            )
