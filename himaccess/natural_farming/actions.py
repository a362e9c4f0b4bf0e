"""Use cases of natural farming: each checks who acts, writes its rows and audit entry in one transaction.

Domain refusals are ``ValidationError`` with a ``code`` (pages show the
message, the API maps the code to a status) or ``PermissionDenied`` (shown as
a 404: the object is outside the caller's scope). Nothing is written when
either is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from himaccess.accounts.language import language_for
from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.geography.models import Village
from himaccess.lib import identifiers, links
from himaccess.natural_farming import access, ledger
from himaccess.natural_farming.models import (
    FARMER_PREFIX,
    PAYMENT_PREFIX,
    WEIGHMENT_PREFIX,
    AreaUnit,
    CentreOperator,
    CertificationStatus,
    CertificationStep,
    CollectionCentre,
    Crop,
    Farmer,
    LandParcel,
    Payment,
    ProcurementTerms,
    ProcurementWindow,
    Weighment,
)
from himaccess.notifications import sms
from himaccess.registry.models import IdCounter, Member

# One delivery weighs more than zero and at most this: more is a typing slip (a truck carries ~10 t).
MAX_WEIGHMENT_KG = Decimal(5000)
MAX_MOISTURE_PERCENT = Decimal(40)
# A parcel larger than this is a unit mix-up (the state's whole natural-farming area is ~38,000 ha).
MAX_PARCEL_HECTARES = Decimal(100)
KHASRA_MAX = 40


def _reference(prefix: str) -> str:
    return identifiers.make_id(prefix, IdCounter.reserve(prefix), settings.REGISTER_ID_KEY)


def _notify(member: Member, template: str, **params: Any) -> None:
    """An SMS to the member (or the family's head) in their language; labels and names rendered in it."""
    mobile = member.contact_mobile()
    if not mobile:
        return
    language = language_for(mobile)
    with override(language):
        # Choice labels are lazy and centres have two names: both are rendered in the SMS's language.
        values = {
            key: value.name_in(language) if hasattr(value, "name_in") else str(value)
            for key, value in {"name": member, **params}.items()
        }
    url = links.absolute(reverse("natural_farming:family", args=[member.family.family_id]))
    sms.send(mobile, template, {**values, "url": url}, language=language)


# ---------------------------------------------------------------- registration


@transaction.atomic
def register_farmer(member: Member, *, acting_user: User) -> Farmer:
    """Register a living member as a natural farmer (status "applied").

    An agriculture official registers members of families in their area; a
    citizen, members of their own family.
    """
    if not access.families_served(acting_user).filter(pk=member.family_id).exists():
        raise PermissionDenied
    if not member.is_living:
        raise ValidationError(_("Only a living member of the family can be registered."), code="not_living")
    official = access.is_agriculture_official(acting_user)
    farmer = Farmer(
        reference=_reference(FARMER_PREFIX),
        member=member,
        channel=Farmer.Channel.OFFICIAL if official else Farmer.Channel.CITIZEN,
        registered_by=acting_user,
    )
    try:
        with transaction.atomic():
            farmer.save()
    except IntegrityError:
        raise ValidationError(
            _("This member is already registered as a natural farmer."), code="already_registered"
        ) from None
    CertificationStep.objects.create(
        farmer=farmer,
        to_status=CertificationStatus.APPLIED,
        on=timezone.localdate(),
        official=acting_user if official else None,
        note="",
    )
    audit.record(acting_user, "natural_farming.farmer_registered", member, after={"farmer": farmer.reference})
    return farmer


def may_edit_land(user: User, farmer: Farmer) -> bool:
    """An official of the area; the family itself until the land has been verified."""
    if not access.farmers_visible_to(user).filter(pk=farmer.pk).exists():
        return False
    return access.is_agriculture_official(user) or farmer.status == CertificationStatus.APPLIED


@transaction.atomic
def add_parcel(
    farmer: Farmer, *, village_lgd_code: int, khasra: str, area: Decimal, unit: str, acting_user: User
) -> LandParcel:
    if not may_edit_land(acting_user, farmer):
        raise PermissionDenied
    village = Village.objects.filter(lgd_code=village_lgd_code, source=Village.Source.LGD).first()
    if village is None:
        raise ValidationError(
            _("No village has the LGD code %(code)s.") % {"code": village_lgd_code}, code="unknown_village"
        )
    khasra = " ".join(khasra.split())
    if not khasra or len(khasra) > KHASRA_MAX:
        raise ValidationError(_("Enter the khasra number (at most 40 characters)."), code="khasra")
    if unit not in AreaUnit.values:
        raise ValidationError(_("Choose hectare or bigha."), code="unit")
    parcel = LandParcel(
        farmer=farmer, village=village, khasra=khasra, area=area, unit=unit, added_by=acting_user
    )
    if area <= 0 or parcel.hectares > MAX_PARCEL_HECTARES:
        raise ValidationError(
            _("The area must be more than 0 and at most 100 hectares (1,250 bigha)."), code="area"
        )
    try:
        with transaction.atomic():
            parcel.save()
    except IntegrityError:
        raise ValidationError(
            _("This khasra number of this village is already registered."), code="khasra_taken"
        ) from None
    audit.record(
        acting_user,
        "natural_farming.parcel_added",
        farmer.member,
        after={
            "farmer": farmer.reference,
            "village": village_lgd_code,
            "khasra": khasra,
            "area": str(area),
            "unit": unit,
        },
    )
    return parcel


# --------------------------------------------------------------- certification


def may_move(user: User, farmer: Farmer, to_status: str) -> bool:
    if not access.is_agriculture_official(user):
        return False
    if not access.farmers_visible_to(user).filter(pk=farmer.pk).exists():
        return False
    if to_status in (CertificationStatus.CERTIFIED, CertificationStatus.LAPSED):
        return access.may_certify(user)
    return True


@transaction.atomic
def move_certification(
    farmer: Farmer,
    to_status: str,
    *,
    on: date,
    acting_user: User,
    valid_until: date | None = None,
    note: str = "",
) -> Farmer:
    """One CETARA-NF step: verify (field staff of the area), certify or lapse (district or state)."""
    if to_status not in CertificationStatus.values or not may_move(acting_user, farmer, to_status):
        raise PermissionDenied
    locked = Farmer.objects.select_for_update().get(pk=farmer.pk)
    if not locked.can_move_to(to_status):
        raise ValidationError(
            _("A farmer whose certification is %(status)s cannot be moved to %(to)s.")
            % {
                "status": CertificationStatus(locked.status).label,
                "to": CertificationStatus(to_status).label,
            },
            code="transition",
        )
    today = timezone.localdate()
    if on > today:
        raise ValidationError(_("The date of the step cannot be in the future."), code="future")
    last = locked.steps.order_by("-on", "-id").first()
    if last is not None and on < last.on:
        raise ValidationError(_("The date of the step is before the previous step."), code="before_previous")
    if to_status == CertificationStatus.VERIFIED and not locked.parcels.exists():
        raise ValidationError(_("Record the farmer's land before verifying."), code="no_land")
    if valid_until is not None and (to_status != CertificationStatus.CERTIFIED or valid_until < on):
        raise ValidationError(_("A certificate is valid until a date after it is given."), code="valid_until")
    previous = locked.status
    locked.status = to_status
    locked.certified_until = valid_until if to_status == CertificationStatus.CERTIFIED else None
    locked.save(update_fields=["status", "certified_until"])
    if to_status == CertificationStatus.CERTIFIED:
        ledger.enrol(locked, acting_user=acting_user)
    CertificationStep.objects.create(
        farmer=locked,
        from_status=previous,
        to_status=to_status,
        on=on,
        valid_until=valid_until,
        official=acting_user,
        note=note,
    )
    audit.record(
        acting_user,
        f"natural_farming.{to_status}",
        locked.member,
        before={"status": previous},
        after={"farmer": locked.reference, "status": to_status, "on": on.isoformat()},
    )
    _notify(
        locked.member,
        "nf_certification",
        status=CertificationStatus(to_status).label,
        reference=locked.display_reference,
    )
    return locked


# ------------------------------------------------------------------- centres


@transaction.atomic
def assign_operator(centre: CollectionCentre, user: User, *, acting_user: User) -> CentreOperator:
    """An agriculture official of the centre's district (or the state) assigns an operator to it."""
    posting = access.agriculture_posting(acting_user)
    if posting is None or posting.level not in access.CERTIFYING_LEVELS:
        raise PermissionDenied
    if posting.district_id not in (None, centre.district_id):
        raise PermissionDenied
    if not user.is_official or user.active_posting is None:
        raise ValidationError(
            _("Only an official with a current posting can operate a centre."), code="not_official"
        )
    operator, _created = CentreOperator.objects.get_or_create(
        user=user, centre=centre, ended_at=None, defaults={"assigned_by": acting_user}
    )
    audit.record(acting_user, "natural_farming.operator_assigned", centre, after={"user": user.pk})
    return operator


@transaction.atomic
def open_window(
    centre: CollectionCentre,
    *,
    crop: str,
    season: str,
    opens_on: date,
    closes_on: date,
    daily_from: time,
    daily_until: time,
    acting_user: User,
) -> ProcurementWindow:
    posting = access.agriculture_posting(acting_user)
    if posting is None or posting.level not in access.CERTIFYING_LEVELS:
        raise PermissionDenied
    if posting.district_id not in (None, centre.district_id):
        raise PermissionDenied
    if crop not in Crop.values:
        raise ValidationError(_("Choose a crop the state buys."), code="crop")
    if opens_on > closes_on or daily_from >= daily_until:
        raise ValidationError(_("The window must close after it opens."), code="window_order")
    window = ProcurementWindow.objects.create(
        centre=centre,
        crop=crop,
        season=season,
        opens_on=opens_on,
        closes_on=closes_on,
        daily_from=daily_from,
        daily_until=daily_until,
        created_by=acting_user,
    )
    audit.record(
        acting_user,
        "natural_farming.window_opened",
        centre,
        after={"crop": crop, "season": season, "from": opens_on.isoformat(), "until": closes_on.isoformat()},
    )
    return window


# ------------------------------------------------------------------ weighment


def find_farmer(identifier: str) -> Farmer | None:
    """A farmer by their registration number, or by the Member ID on their card."""
    canonical = identifiers.normalise(identifier)[:20]
    found = Farmer.objects.select_related("member__family").filter(reference=canonical).first()
    if found is None and canonical.startswith("M"):
        found = Farmer.objects.select_related("member__family").filter(member__member_id=canonical).first()
    return found


def window_open_at(centre: CollectionCentre, crop: str, moment: datetime) -> ProcurementWindow | None:
    local = timezone.localtime(moment)
    candidates = ProcurementWindow.objects.filter(
        centre=centre, crop=crop, opens_on__lte=local.date(), closes_on__gte=local.date()
    ).select_related("centre")
    return next((w for w in candidates if w.is_open_at(moment)), None)


def check_weight(kg: Decimal, moisture: Decimal | None) -> None:
    if not kg.is_finite() or kg <= 0 or kg > MAX_WEIGHMENT_KG or kg != kg.quantize(Decimal("0.1")):
        raise ValidationError(
            _("The weight must be more than 0 and at most 5,000 kg, to one decimal place."), code="weight"
        )
    if moisture is not None and (not moisture.is_finite() or not 0 <= moisture <= MAX_MOISTURE_PERCENT):
        raise ValidationError(_("Moisture must be between 0 and 40 per cent."), code="moisture")


@transaction.atomic
def record_weighment(
    centre: CollectionCentre,
    *,
    farmer_identifier: str,
    crop: str,
    kg: Decimal,
    acting_user: User,
    moisture_percent: Decimal | None = None,
    quality_note: str = "",
    at: datetime | None = None,
) -> Weighment:
    """Weigh a certified farmer's produce at a centre inside its window, never beyond the cap.

    1. The caller operates this centre now; the centre is open; the crop's
       window at the centre is open at this moment (date and daily hours).
    2. The weight is plausible; the farmer is known and certified today.
    3. The farmer's row is locked (SELECT ... FOR UPDATE on PostgreSQL, the
       IMMEDIATE transaction on SQLite), so two weighments of one farmer at
       once, even at two centres, are counted one after the other against
       the season's cap.
    4. Priced by the terms in force today; an SMS to the farmer; audit row.
    """
    moment = at or timezone.now()
    if not access.centres_operated_by(acting_user).filter(pk=centre.pk).exists():
        raise PermissionDenied
    if crop not in Crop.values:
        raise ValidationError(_("Choose a crop the state buys."), code="crop")
    if not centre.active:
        raise ValidationError(_("This collection centre is closed."), code="centre_closed")
    check_weight(kg, moisture_percent)
    window = window_open_at(centre, crop, moment)
    if window is None:
        raise ValidationError(
            _("%(crop)s is not being bought at this centre now: outside the procurement window.")
            % {"crop": Crop(crop).label},
            code="outside_window",
        )
    found = find_farmer(farmer_identifier)
    if found is None:
        raise ValidationError(_("No natural farmer has that registration number."), code="unknown_farmer")
    farmer = Farmer.objects.select_for_update(of=("self",)).select_related("member__family").get(pk=found.pk)
    today = timezone.localdate(moment)
    if not farmer.is_certified_on(today):
        raise ValidationError(
            _(
                "This farmer is not a certified natural farmer; only certified farmers can sell at "
                "these prices."
            ),
            code="not_certified",
        )
    terms = ProcurementTerms.objects.in_force(crop, today)
    if terms is None:
        raise ValidationError(_("No support price is in force for this crop."), code="no_price")
    if terms.cap_kg_per_season is not None:
        sold = Weighment.objects.sold_in_season(farmer, crop, window.season)
        if sold + kg > terms.cap_kg_per_season:
            left = max(terms.cap_kg_per_season - sold, Decimal(0))
            raise ValidationError(
                _(
                    "This would exceed the limit of %(cap)s kg per farmer this season: "
                    "%(sold)s kg already sold, at most %(left)s kg more."
                )
                % {"cap": terms.cap_kg_per_season, "sold": sold, "left": left},
                code="over_cap",
            )
    weighment = Weighment.objects.create(
        reference=_reference(WEIGHMENT_PREFIX),
        farmer=farmer,
        window=window,
        kg=kg,
        moisture_percent=moisture_percent,
        quality_note=quality_note.strip()[:200],
        terms=terms,
        price_amount=Weighment.priced(kg, terms.price_per_kg),
        freight_amount=Weighment.priced(kg, terms.freight_subsidy_per_kg),
        weighed_by=acting_user,
        weighed_at=moment,
    )
    audit.record(
        acting_user,
        "natural_farming.weighed",
        farmer.member,
        after={
            "weighment": weighment.reference,
            "centre": centre.code,
            "crop": crop,
            "kg": str(kg),
            "amount": str(weighment.amount),
        },
    )
    _notify(
        farmer.member,
        "nf_weighment",
        crop=Crop(crop).label,
        kg=kg,
        centre=centre,
        amount=weighment.amount,
        reference=identifiers.display(weighment.reference),
    )
    return weighment


# ------------------------------------------------------------------- payments


@dataclass
class PaymentRun:
    paid: int = 0
    amount: Decimal = Decimal(0)
    held_no_account: int = 0
    weighments: int = 0
    ledger_rows: int = 0


def farmers_to_pay(district_id: int | None = None) -> list[int]:
    unpaid = Weighment.objects.unpaid()
    if district_id is not None:
        unpaid = unpaid.filter(farmer__member__family__district_id=district_id)
    return sorted(set(unpaid.values_list("farmer_id", flat=True)))


@transaction.atomic
def pay_farmer(farmer_pk: int, *, acting_user: User | None) -> Payment | None:
    """Pay one farmer's unpaid weighments to the account on the register; None if nothing is payable.

    The farmer's row is locked so a weighment recorded meanwhile is either in
    this payment or left for the next; a farmer without a bank account on the
    register is not paid (the run counts them).
    """
    farmer = Farmer.objects.select_for_update(of=("self",)).select_related("member__family").get(pk=farmer_pk)
    member = farmer.member
    if not member.bank_account or not member.bank_ifsc:
        return None
    weighments = list(Weighment.objects.unpaid().filter(farmer=farmer))
    if not weighments:
        return None
    amount = sum((w.amount for w in weighments), Decimal(0))
    payment = Payment.objects.create(
        reference=_reference(PAYMENT_PREFIX),
        farmer=farmer,
        amount=amount,
        bank_account=member.bank_account,
        bank_ifsc=member.bank_ifsc,
        # Today, always: an ended month may already be in the ledger (see ``ledger``).
        paid_on=timezone.localdate(),
        ordered_by=acting_user,
    )
    Weighment.objects.filter(pk__in=[w.pk for w in weighments]).update(payment=payment)
    audit.record(
        acting_user,
        "natural_farming.paid",
        member,
        after={"payment": payment.reference, "amount": str(amount), "weighments": len(weighments)},
    )
    _notify(
        member,
        "nf_payment",
        amount=amount,
        account=payment.masked_bank_account,
        reference=identifiers.display(payment.reference),
    )
    return payment


def run_payments(*, acting_user: User | None = None, district_id: int | None = None) -> PaymentRun:
    """Pay every farmer with unpaid weighments, one transaction per farmer; then post ended months.

    A failure part-way leaves the farmers already paid paid, and the next run
    picks up the rest (each farmer's unpaid weighments are found afresh).
    """
    run = PaymentRun()
    for farmer_pk in farmers_to_pay(district_id):
        payment = pay_farmer(farmer_pk, acting_user=acting_user)
        if payment is None:
            run.held_no_account += 1
            continue
        run.paid += 1
        run.amount += payment.amount
        run.weighments += payment.weighments.count()
    run.ledger_rows = ledger.post_closed_months(actor=acting_user)
    return run
