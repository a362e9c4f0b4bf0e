"""Monthly statements, computed in one SQL statement for every farmer of the month, and their payment.

``compute`` prices every delivery of the month by the rates in force on its
day (each rate table turned into validity ranges with ``LEAD``), sums per
farmer and upserts the statements, leaving paid ones alone. The SQL is plain
enough for SQLite (tests, the embedded demo) and PostgreSQL alike; integer
arithmetic in hundredths keeps both exact. ``pay`` posts each unpaid
statement's rounded rupees to the benefit ledger (``schemes.ledger``) under
an idempotency key per farmer and month, marks them paid and tells each
farmer by SMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from himaccess.accounts.language import languages_for
from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.lib import links
from himaccess.milkfed.models import DEPARTMENT, MILK_SCHEME_ID, Statement
from himaccess.notifications import sms
from himaccess.registry.models import Member
from himaccess.schemes import ledger
from himaccess.schemes.models import Scheme

LEDGER_CLIENT_NAME = "Milkfed monthly milk payments"

_ROUND = "(CASE WHEN {v} >= 0 THEN ({v} + 50) / 100 ELSE -((50 - {v}) / 100) END)"

# Formatted once from the constant above (no input reaches the text); values are bound parameters.
_COMPUTE = """
WITH price AS (
    SELECT animal, valid_from, paise_per_litre,
           LEAD(valid_from) OVER (PARTITION BY animal ORDER BY valid_from) AS valid_to
    FROM milkfed_pricerate
), quality AS (
    SELECT animal, valid_from, standard_fat, standard_snf, fat_paise_per_step, snf_paise_per_step,
           LEAD(valid_from) OVER (PARTITION BY animal ORDER BY valid_from) AS valid_to
    FROM milkfed_qualityrule
), subsidy AS (
    SELECT valid_from, paise_per_litre, LEAD(valid_from) OVER (ORDER BY valid_from) AS valid_to
    FROM milkfed_subsidyrate
), priced AS (
    SELECT c.farmer_id, c.society_id, c.date, c.animal, c.litres_x100 AS litres,
           c.litres_x100 * p.paise_per_litre AS base,
           c.litres_x100 * COALESCE(
               (CASE WHEN c.fat_x100 >= q.standard_fat THEN (c.fat_x100 - q.standard_fat) / 10
                     ELSE -((q.standard_fat - c.fat_x100) / 10) END) * q.fat_paise_per_step
             + (CASE WHEN c.snf_x100 >= q.standard_snf THEN (c.snf_x100 - q.standard_snf) / 10
                     ELSE -((q.standard_snf - c.snf_x100) / 10) END) * q.snf_paise_per_step, 0) AS quality,
           c.litres_x100 * COALESCE(s.paise_per_litre, 0) AS subsidy
    FROM milkfed_collection c
    JOIN price p ON p.animal = c.animal AND c.date >= p.valid_from
                AND (p.valid_to IS NULL OR c.date < p.valid_to)
    LEFT JOIN quality q ON q.animal = c.animal AND c.date >= q.valid_from
                AND (q.valid_to IS NULL OR c.date < q.valid_to)
    LEFT JOIN subsidy s ON c.date >= s.valid_from AND (s.valid_to IS NULL OR c.date < s.valid_to)
    WHERE c.date >= %(start)s AND c.date < %(end)s
), summed AS (
    SELECT farmer_id,
           MAX(CASE WHEN date = last_day THEN society_id END) AS society_id,
           COUNT(DISTINCT date) AS days,
           SUM(CASE WHEN animal = 'cow' THEN litres ELSE 0 END) AS cow_l,
           SUM(CASE WHEN animal = 'buffalo' THEN litres ELSE 0 END) AS buffalo_l,
           SUM(CASE WHEN animal = 'goat' THEN litres ELSE 0 END) AS goat_l,
           SUM(CASE WHEN animal = 'cow' THEN base ELSE 0 END) AS cow_b,
           SUM(CASE WHEN animal = 'buffalo' THEN base ELSE 0 END) AS buffalo_b,
           SUM(CASE WHEN animal = 'goat' THEN base ELSE 0 END) AS goat_b,
           SUM(quality) AS quality_h,
           SUM(subsidy) AS subsidy_h
    FROM (SELECT priced.*, MAX(date) OVER (PARTITION BY farmer_id) AS last_day FROM priced) dated
    GROUP BY farmer_id
), rounded AS (
    SELECT farmer_id, society_id, days, cow_l, buffalo_l, goat_l,
           {cow} AS cow_p, {buffalo} AS buffalo_p, {goat} AS goat_p,
           {quality} AS quality_p, {subsidy} AS subsidy_p
    FROM summed
)
INSERT INTO milkfed_statement (
    farmer_id, society_id, month, days, cow_litres_x100, buffalo_litres_x100, goat_litres_x100,
    cow_paise, buffalo_paise, goat_paise, quality_paise, subsidy_paise, total_paise, computed_at
)
SELECT farmer_id, society_id, %(month)s, days, cow_l, buffalo_l, goat_l,
       cow_p, buffalo_p, goat_p, quality_p, subsidy_p,
       cow_p + buffalo_p + goat_p + quality_p + subsidy_p, %(now)s
FROM rounded WHERE true
ON CONFLICT (farmer_id, month) DO UPDATE SET
    society_id = excluded.society_id,
    days = excluded.days,
    cow_litres_x100 = excluded.cow_litres_x100,
    buffalo_litres_x100 = excluded.buffalo_litres_x100,
    goat_litres_x100 = excluded.goat_litres_x100,
    cow_paise = excluded.cow_paise,
    buffalo_paise = excluded.buffalo_paise,
    goat_paise = excluded.goat_paise,
    quality_paise = excluded.quality_paise,
    subsidy_paise = excluded.subsidy_paise,
    total_paise = excluded.total_paise,
    computed_at = excluded.computed_at
WHERE milkfed_statement.paid_rupees IS NULL
""".format(  # noqa: S608
    cow=_ROUND.format(v="cow_b"),
    buffalo=_ROUND.format(v="buffalo_b"),
    goat=_ROUND.format(v="goat_b"),
    quality=_ROUND.format(v="quality_h"),
    subsidy=_ROUND.format(v="subsidy_h"),
)


class StatementRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def month_bounds(month: date) -> tuple[date, date]:
    start = month.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


@transaction.atomic
def compute(month: date, *, acting_user: User | None) -> int:
    """(Re)compute every unpaid statement of ``month``; returns how many rows were written."""
    start, end = month_bounds(month)
    if start > timezone.localdate():
        raise StatementRefused(_("The month is in the future."))
    now = timezone.now()
    with connection.cursor() as cursor:
        stamp = connection.ops.adapt_datetimefield_value(now)  # as the ORM stores it, to find the rows below
        cursor.execute(_COMPUTE, {"start": start, "end": end, "month": start, "now": stamp})
    # The rows this run wrote carry its time (SQLite reports no row count for a statement led by WITH).
    written = Statement.objects.filter(month=start, computed_at=now).count()
    audit.record(
        acting_user,
        "milkfed.statements_computed",
        None,
        after={"month": start.strftime("%Y-%m"), "rows": written},
    )
    return written


@dataclass(frozen=True)
class Paid:
    paid: int
    replayed: int
    messages: int


def _reference(month: date, statement_pk: int) -> str:
    return f"MILK-{month:%Y%m}-{statement_pk}"


def ledger_key(member_id: str, month: date) -> str:
    return f"milk:{member_id}:{month:%Y-%m}"


@transaction.atomic
def pay(month: date, *, paid_on: date, acting_user: User | None) -> Paid:
    """Post every unpaid statement of an ended month to the ledger, mark it paid and tell the farmer.

    All or nothing: a ledger refusal (``ledger.LedgerRefusal``) rolls the whole month back.
    """
    start, _end = month_bounds(month)
    if start >= timezone.localdate().replace(day=1):
        raise StatementRefused(_("A month is paid only after it has ended."))
    scheme = Scheme.objects.get(scheme_id=MILK_SCHEME_ID)
    client = ledger.in_process_client(DEPARTMENT, LEDGER_CLIENT_NAME)
    due = list(
        Statement.objects.filter(month=start, paid_rupees__isnull=True, total_paise__gte=50)
        .select_for_update(of=("self",))
        .values_list("pk", "farmer__member_id", "farmer__member__member_id", "total_paise")
    )
    payments = [
        ledger.Payment(
            member_id=member_pk,
            period=start,
            amount=(total + 50) // 100,
            paid_on=paid_on,
            payment_reference=_reference(start, pk),
            idempotency_key=ledger_key(member_id, start),
        )
        for pk, member_pk, member_id, total in due
    ]
    posted = ledger.post_payments(client, scheme, payments, actor=acting_user)
    # The rupees paid are the statement's total rounded half up, as posted above.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE milkfed_statement SET paid_rupees = (total_paise + 50) / 100, paid_on = %s "
            "WHERE month = %s AND paid_rupees IS NULL AND total_paise >= 50",
            [paid_on, start],
        )
    messages = notify_paid(start, {row[0] for row in due})
    audit.record(
        acting_user,
        "milkfed.statements_paid",
        None,
        after={"month": start.strftime("%Y-%m"), "paid": posted.created, "replayed": posted.replayed},
    )
    return Paid(paid=posted.created, replayed=posted.replayed, messages=messages)


def notify_paid(month: date, statement_pks: set[int]) -> int:
    """One SMS per statement just paid, in the farmer's language (Hindi unless they chose English).

    The messages are written with the payment and handed over after it commits, in batches: a
    month pays tens of thousands of farmers, so numbers and languages are read in a few queries.
    """
    month_rows = Statement.objects.filter(month=month).select_related("farmer__member__family")
    statements = [row for row in month_rows.iterator(chunk_size=2000) if row.pk in statement_pks]
    mobiles = Member.objects.filter(dairy_farmer__statements__month=month).contact_mobiles()
    languages = languages_for(mobile for mobile in mobiles.values() if mobile)
    messages: list[sms.Sms] = []
    for statement in statements:
        member = statement.farmer.member
        mobile = mobiles.get(member.pk, "")
        if not mobile:
            continue
        language = languages[mobile]
        with override(language):
            values = {
                "name": member.name_in(language),
                "month": statement.month.strftime("%m-%Y"),
                "litres": f"{statement.litres / 100:.1f}",
                "amount": str(
                    statement.paid_rupees if statement.paid_rupees is not None else statement.payable_rupees
                ),
                "url": links.absolute(reverse("milkfed:family", args=[member.family.family_id])),
            }
        messages.append(sms.Sms(mobile, "milk_statement_paid", values, language))
    return sms.send_many(messages)
