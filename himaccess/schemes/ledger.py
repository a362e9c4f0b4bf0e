"""The benefit ledger for department apps inside the product: the same rules as the HTTP ledger.

A department app (Milkfed's monthly milk payments, for one) posts its
payments here in its own transaction instead of calling its own HTTP API.
The rules are those of ``schemes.api``: only the department's own schemes,
only members with a sanctioned enrolment, one payment per member, scheme and
month, no month in the future or before the enrolment began. A batch is
all-or-nothing: every payment is checked (a few queries for the whole batch)
before any row is written.

Idempotency: each payment carries a key, kept in the shared idempotency store
under the client's name. The same key with the same content, or a payment
already in the ledger with the same amount, date and reference, is a replay
(nothing written); the same key with other content, or another payment of a
month already paid, is refused.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.departments.models import Department
from himaccess.idempotency.keys import KEY_PATTERN
from himaccess.idempotency.models import IdempotencyRecord
from himaccess.lib import identifiers
from himaccess.registry.models import IdCounter, Member
from himaccess.schemes.models import Benefit, DepartmentClient, Enrolment, EnrolmentStep, Scheme

# As the HTTP ledger: the largest single payment it books, in rupees.
MAX_AMOUNT = 1_000_000
# The ledger's name for its keys in the shared idempotency store (as schemes.api).
LEDGER_ENDPOINT = "schemes.benefit"
# A batch is checked with IN (...) lists of this many keys at a time.
CHUNK = 2000


class LedgerRefusal(Exception):
    """A payment the ledger does not book; ``message`` is in the active language."""

    def __init__(self, status: int, message: str, code: str, index: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.index = index


@dataclass(frozen=True)
class Payment:
    member_id: int  # Member pk
    period: date  # the first day of the month paid for
    amount: int  # whole rupees
    paid_on: date
    payment_reference: str
    idempotency_key: str

    def fingerprint(self, scheme: Scheme) -> str:
        content = {
            "member": self.member_id,
            "scheme": scheme.scheme_id,
            "period": self.period.isoformat(),
            "amount": self.amount,
            "paid_on": self.paid_on.isoformat(),
            "payment_reference": self.payment_reference,
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Posted:
    created: int
    replayed: int


def in_process_client(department_code: str, name: str) -> DepartmentClient:
    """The department app's own ledger client; its secret is never known, so it cannot log in over HTTP."""
    client = DepartmentClient.objects.filter(department_id=department_code, name=name).first()
    if client is not None:
        return client
    return DepartmentClient.objects.create(
        name=name,
        department=Department.objects.get(pk=department_code),
        key_id=secrets.token_hex(8),
        # A hash of nothing anyone holds: no bearer token matches it.
        secret_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
    )


def _new_reference() -> str:
    return identifiers.make_id("E", IdCounter.reserve("E"), settings.REGISTER_ID_KEY)


@transaction.atomic
def enrol_by_department(
    member: Member, scheme: Scheme, *, acting_user: User | None, note: str, since: date | None = None
) -> Enrolment:
    """The department's own registration of a member is its sanction: a sanctioned enrolment.

    ``since`` is the day the entitlement began by the department's own record
    (a farmer's first day in a society), when earlier than today: the ledger
    pays no month before the enrolment's start. A member who already has a
    live enrolment in the scheme keeps it (a filed one is sanctioned now).
    """
    live = Enrolment.objects.select_for_update().live().filter(member=member, scheme=scheme).first()
    if live is not None and live.status == Enrolment.Status.SANCTIONED:
        return live
    now = timezone.now()
    if live is None:
        live = Enrolment.objects.create(
            reference=_new_reference(),
            member=member,
            scheme=scheme,
            status=Enrolment.Status.SANCTIONED,
            filed_by=acting_user or _system_user(),
            decided_by=acting_user,
            decided_at=now,
        )
        EnrolmentStep.objects.create(
            enrolment=live, to_status=Enrolment.Status.SANCTIONED, actor=acting_user, note=note[:500]
        )
        if since is not None and since < timezone.localdate():
            start = timezone.make_aware(datetime.combine(since, time.min))
            Enrolment.objects.filter(pk=live.pk).update(filed_at=start)
            live.filed_at = start
    else:
        EnrolmentStep.objects.create(
            enrolment=live,
            from_status=live.status,
            to_status=Enrolment.Status.SANCTIONED,
            actor=acting_user,
            note=note[:500],
        )
        live.status = Enrolment.Status.SANCTIONED
        live.decided_by = acting_user
        live.decided_at = now
        live.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        acting_user, "scheme.enrolment_sanctioned", live, after={"scheme": scheme.scheme_id, "note": note}
    )
    return live


def _system_user() -> User:
    """Who files an enrolment no person filed (a department's batch): an inactive login that cannot log in."""
    user, _created = User.objects.get_or_create(
        username="system:department-registration",
        defaults={"kind": User.Kind.OFFICIAL, "is_active": False},
    )
    return user


def _check_shape(index: int, payment: Payment, today: date) -> None:
    if not isinstance(payment.amount, int) or isinstance(payment.amount, bool):
        raise LedgerRefusal(422, _("The amount must be a whole number of rupees."), "invalid", index)
    if not 1 <= payment.amount <= MAX_AMOUNT:
        raise LedgerRefusal(
            422,
            _("amount: a whole number of rupees from 1 to %(max)s, sent as a JSON number.")
            % {"max": MAX_AMOUNT},
            "invalid",
            index,
        )
    if payment.period.day != 1:
        raise LedgerRefusal(
            422, _('period: the month paid for, as text "YYYY-MM", from 1900 on.'), "invalid", index
        )
    reference = payment.payment_reference
    if not reference.strip() or len(reference) > 40:
        raise LedgerRefusal(422, _("payment_reference: text of 1 to 40 characters."), "invalid", index)
    if not KEY_PATTERN.fullmatch(payment.idempotency_key):
        raise LedgerRefusal(
            422,
            _(
                "The Idempotency-Key header must have 1 to 100 characters: letters, digits "
                "and _ . : + / = - only."
            ),
            "invalid",
            index,
        )
    if payment.period > today.replace(day=1):
        raise LedgerRefusal(422, _("The month paid for is in the future."), "future_period", index)
    if payment.paid_on > today:
        raise LedgerRefusal(422, _("The payment date is in the future."), "future_payment", index)
    if payment.paid_on < payment.period:
        raise LedgerRefusal(
            422, _("The payment date is before the month it pays for."), "before_period", index
        )


def _chunks(values: list[int]) -> list[list[int]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


@transaction.atomic
def post_payments(
    client: DepartmentClient, scheme: Scheme, payments: Sequence[Payment], *, actor: User | None = None
) -> Posted:
    """Book a batch of payments of one scheme, all or nothing (see the module's description)."""
    if scheme.department_id != client.department_id:
        raise LedgerRefusal(403, _("This scheme belongs to another department."), "other_department")
    today = timezone.localdate()
    seen: set[tuple[int, date]] = set()
    keys_seen: set[str] = set()
    for index, payment in enumerate(payments):
        _check_shape(index, payment, today)
        if (payment.member_id, payment.period) in seen or payment.idempotency_key in keys_seen:
            raise LedgerRefusal(
                422, _("The same payment appears twice in this batch."), "duplicate_in_batch", index
            )
        seen.add((payment.member_id, payment.period))
        keys_seen.add(payment.idempotency_key)
    if not payments:
        return Posted(created=0, replayed=0)
    member_ids = sorted({p.member_id for p in payments})
    existing_members: set[int] = set()
    enrolments: dict[int, tuple[int, date]] = {}
    for chunk in _chunks(member_ids):
        existing_members.update(Member.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        rows = (
            Enrolment.objects.filter(member_id__in=chunk, scheme=scheme)
            .order_by("member_id", "filed_at")
            .values_list("member_id", "pk", "status", "filed_at")
        )
        for member_id, pk, status, filed_at in rows:
            # The latest enrolment decides, as in the HTTP ledger.
            if status == Enrolment.Status.SANCTIONED:
                enrolments[member_id] = (pk, timezone.localtime(filed_at).date().replace(day=1))
            else:
                enrolments.pop(member_id, None)
    periods = sorted({p.period for p in payments})
    paid: dict[tuple[int, date], tuple[int, date, str]] = {}
    for chunk in _chunks(member_ids):
        for member_id, period, amount, paid_on, reference in Benefit.objects.filter(
            scheme=scheme, member_id__in=chunk, period__in=periods
        ).values_list("member_id", "period", "amount", "paid_on", "payment_reference"):
            paid[(member_id, period)] = (amount, paid_on, reference)
    caller = f"client:{client.pk}"
    stored_keys: dict[str, tuple[str, str]] = {}
    all_keys = [p.idempotency_key for p in payments]
    for start in range(0, len(all_keys), CHUNK):
        for key, endpoint, fingerprint in IdempotencyRecord.objects.filter(
            caller=caller, key__in=all_keys[start : start + CHUNK], expires_at__gt=timezone.now()
        ).values_list("key", "endpoint", "request_hash"):
            stored_keys[key] = (endpoint, fingerprint)
    to_write: list[Payment] = []
    replayed = 0
    for index, payment in enumerate(payments):
        fingerprint = payment.fingerprint(scheme)
        stored = stored_keys.get(payment.idempotency_key)
        if stored is not None:
            if stored != (LEDGER_ENDPOINT, fingerprint):
                raise LedgerRefusal(
                    422,
                    _("This Idempotency-Key was already used with a different request body."),
                    "idempotency_key_reused",
                    index,
                )
            replayed += 1
            continue
        if payment.member_id not in existing_members:
            raise LedgerRefusal(404, _("No member has that Member ID."), "unknown_member", index)
        enrolment = enrolments.get(payment.member_id)
        if enrolment is None:
            raise LedgerRefusal(
                422, _("This member has no sanctioned enrolment in this scheme."), "not_enrolled", index
            )
        if payment.period < enrolment[1]:
            raise LedgerRefusal(
                422,
                _("The month paid for is before the enrolment began (%(month)s).")
                % {"month": enrolment[1].strftime("%Y-%m")},
                "before_enrolment",
                index,
            )
        booked = paid.get((payment.member_id, payment.period))
        if booked is not None:
            if booked == (payment.amount, payment.paid_on, payment.payment_reference):
                replayed += 1
                continue
            raise LedgerRefusal(
                409,
                _("A payment for this member, scheme and month is already in the ledger."),
                "already_paid",
                index,
            )
        to_write.append(payment)
    if not to_write:
        return Posted(created=0, replayed=replayed)
    Benefit.objects.bulk_create(
        [
            Benefit(
                member_id=p.member_id,
                scheme=scheme,
                enrolment_id=enrolments[p.member_id][0],
                period=p.period,
                amount=p.amount,
                paid_on=p.paid_on,
                payment_reference=p.payment_reference.strip(),
                client=client,
            )
            for p in to_write
        ],
        batch_size=CHUNK,
    )
    now = timezone.now()
    IdempotencyRecord.objects.bulk_create(
        [
            IdempotencyRecord(
                caller=caller,
                key=p.idempotency_key,
                endpoint=LEDGER_ENDPOINT,
                request_hash=p.fingerprint(scheme),
                status_code=201,
                response_body=json.dumps({"member": p.member_id, "period": p.period.strftime("%Y-%m")}),
                created_at=now,
                expires_at=now + timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS),
            )
            for p in to_write
        ],
        batch_size=CHUNK,
    )
    # One entry for the batch: the ledger rows themselves name each member and amount.
    audit.record(
        actor,
        "scheme.benefits_posted",
        scheme,
        after={
            "scheme": scheme.scheme_id,
            "periods": sorted({p.period.strftime("%Y-%m") for p in to_write}),
            "count": len(to_write),
            "total": sum(p.amount for p in to_write),
        },
        source=f"client:{client.key_id}",
    )
    return Posted(created=len(to_write), replayed=replayed)


def post_payment(
    client: DepartmentClient, scheme: Scheme, payment: Payment, *, actor: User | None = None
) -> Posted:
    """One payment: ``post_payments`` of a batch of one."""
    return post_payments(client, scheme, [payment], actor=actor)
