"""Natural farming (Prakritik Kheti Khushhal Kisan Yojana, PK3Y): farmers, land, certification, procurement.

A ``Farmer`` is a member of the Him Parivar register who practises natural
farming, with the land parcels farmed that way. Certification under CETARA-NF
is a chain of ``CertificationStep`` rows (applied, verified, certified,
lapsed), each with its date and the official who took it; ``Farmer.status``
is the last step's, kept for the checks a weighment makes.

The state buys certified farmers' produce at support prices at collection
centres, inside a ``ProcurementWindow`` (crop, dates and daily hours). Prices,
the freight subsidy and the per-farmer cap are ``ProcurementTerms`` rows with
the date they apply from and their source, never constants. A ``Weighment``
is one delivery weighed at a centre, priced by the terms in force that day; a
``Payment`` pays a farmer's unpaid weighments into the bank account on the
register and is posted to the schemes' benefit ledger.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.geography.models import District, Village
from himaccess.lib import identifiers
from himaccess.registry.models import Member

FARMER_PREFIX = "N"
WEIGHMENT_PREFIX = "W"
PAYMENT_PREFIX = "P"
# A bigha in Himachal Pradesh is 1/12.5 of a hectare (800 square metres); elsewhere it differs.
HECTARES_PER_BIGHA = Decimal("0.08")
PAISE = Decimal("0.01")
KG_PER_QUINTAL = Decimal(100)


class Crop(models.TextChoices):
    WHEAT = "wheat", _("Wheat")
    MAIZE = "maize", _("Maize")
    RAW_TURMERIC = "raw_turmeric", _("Raw turmeric")
    PANGI_BARLEY = "pangi_barley", _("Pangi barley")


class CertificationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    VERIFIED = "verified", _("Verified")
    CERTIFIED = "certified", _("Certified")
    LAPSED = "lapsed", _("Lapsed")


class FarmerQuerySet(models.QuerySet["Farmer"]):
    def certified(self) -> FarmerQuerySet:
        return self.filter(status=CertificationStatus.CERTIFIED)


class Farmer(models.Model):
    """A natural farmer: one registration per member of the register."""

    class Channel(models.TextChoices):
        OFFICIAL = "official", _("Registered by an agriculture official")
        CITIZEN = "citizen", _("Registered by the family")

    TRANSITIONS: dict[str, set[str]] = {
        CertificationStatus.APPLIED: {CertificationStatus.VERIFIED, CertificationStatus.LAPSED},
        CertificationStatus.VERIFIED: {CertificationStatus.CERTIFIED, CertificationStatus.LAPSED},
        CertificationStatus.CERTIFIED: {CertificationStatus.LAPSED},
        # A lapsed farmer applies again and is verified and certified afresh.
        CertificationStatus.LAPSED: {CertificationStatus.APPLIED},
    }

    reference = models.CharField(max_length=14)
    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="natural_farmer")
    status = models.CharField(
        _("certification"),
        max_length=10,
        choices=CertificationStatus.choices,
        default=CertificationStatus.APPLIED,
    )
    certified_until = models.DateField(_("certified until"), null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)

    objects = FarmerQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at", "-id"]
        indexes = [models.Index(fields=["status"])]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="natural_farming_farmer_reference_uniq"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def display_reference(self) -> str:
        return identifiers.display(self.reference)

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[CertificationStatus(self.status)]

    def is_certified_on(self, on: date) -> bool:
        return self.status == CertificationStatus.CERTIFIED and (
            self.certified_until is None or on <= self.certified_until
        )

    def hectares(self) -> Decimal:
        return sum((parcel.hectares for parcel in self.parcels.all()), Decimal(0))


class CertificationStep(models.Model):
    """One step of a farmer's CETARA-NF certification, append-only."""

    farmer = models.ForeignKey(Farmer, on_delete=models.PROTECT, related_name="steps")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, choices=CertificationStatus.choices)
    on = models.DateField(_("date"))
    # Certification is for a season or a year; the certificate says until when.
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.farmer_id} {self.from_status or '-'} -> {self.to_status}"


class AreaUnit(models.TextChoices):
    HECTARE = "hectare", _("hectare")
    BIGHA = "bigha", _("bigha (Himachal: 0.08 hectare)")


class LandParcel(models.Model):
    """A parcel farmed naturally, as the revenue record names it (village and khasra number)."""

    farmer = models.ForeignKey(Farmer, on_delete=models.PROTECT, related_name="parcels")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    # Khasra numbers are text: "123/45", "12 min", "4-A" are all real.
    khasra = models.CharField(_("khasra number"), max_length=40)
    area = models.DecimalField(_("area"), max_digits=9, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=8, choices=AreaUnit.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["village", "khasra"], name="one_farmer_per_khasra"),
            models.CheckConstraint(name="parcel_area_positive", condition=Q(area__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.khasra}"

    @property
    def hectares(self) -> Decimal:
        return self.area * HECTARES_PER_BIGHA if self.unit == AreaUnit.BIGHA else self.area


class CollectionCentre(models.Model):
    code = models.SlugField(_("code"), max_length=40, db_index=False)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_hi = models.CharField(_("name (Hindi)"), max_length=120)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    # A closed centre weighs nothing, whatever windows it has.
    active = models.BooleanField(_("open"), default=True)

    class Meta:
        ordering = ["district_id", "name_en"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="natural_farming_collectioncentre_code_uniq"),
        ]

    def __str__(self) -> str:
        return self.name_en

    def name_in(self, language: str) -> str:
        return self.name_hi if language.startswith("hi") and self.name_hi else self.name_en


class CentreOperatorQuerySet(models.QuerySet["CentreOperator"]):
    def current(self) -> CentreOperatorQuerySet:
        return self.filter(ended_at__isnull=True)


class CentreOperator(models.Model):
    """An official who weighs at one centre; ending the assignment is setting ``ended_at``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey(CollectionCentre, on_delete=models.PROTECT, related_name="operators")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = CentreOperatorQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "centre"], condition=Q(ended_at__isnull=True), name="one_current_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.centre_id}"


class ProcurementTermsQuerySet(models.QuerySet["ProcurementTerms"]):
    def in_force(self, crop: str, on: date) -> ProcurementTerms | None:
        return self.filter(crop=crop, valid_from__lte=on).order_by("-valid_from").first()


class ProcurementTerms(models.Model):
    """The support price, freight subsidy and per-farmer cap of a crop from a date, with their source."""

    crop = models.CharField(_("crop"), max_length=16, choices=Crop.choices)
    valid_from = models.DateField(_("valid from"))
    price_per_kg = models.DecimalField(_("support price (₹ per kg)"), max_digits=7, decimal_places=2)
    freight_subsidy_per_kg = models.DecimalField(
        _("freight subsidy (₹ per kg)"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    # Empty: no cap announced for the crop.
    cap_kg_per_season = models.DecimalField(
        _("most a farmer may sell in a season (kg)"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    source = models.TextField(_("source"))

    objects = ProcurementTermsQuerySet.as_manager()

    class Meta:
        ordering = ["crop", "-valid_from"]
        verbose_name_plural = "procurement terms"
        constraints = [
            models.UniqueConstraint(fields=["crop", "valid_from"], name="one_terms_per_crop_and_date"),
            models.CheckConstraint(name="terms_price_positive", condition=Q(price_per_kg__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.crop} from {self.valid_from}: {self.price_per_kg}"

    @property
    def cap_quintals(self) -> Decimal | None:
        return None if self.cap_kg_per_season is None else self.cap_kg_per_season / KG_PER_QUINTAL


class ProcurementWindow(models.Model):
    """When a centre buys a crop: dates, and the hours of each day (Indian time)."""

    centre = models.ForeignKey(CollectionCentre, on_delete=models.PROTECT, related_name="windows")
    crop = models.CharField(_("crop"), max_length=16, choices=Crop.choices)
    # The cap counts every weighment of the crop in the season, at any centre.
    season = models.CharField(_("season"), max_length=20)
    opens_on = models.DateField(_("first day"))
    closes_on = models.DateField(_("last day"))
    daily_from = models.TimeField(_("daily from"), default=time(10, 0))
    daily_until = models.TimeField(_("daily until"), default=time(16, 0))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "centre_id", "crop"]
        constraints = [
            models.CheckConstraint(
                name="window_dates_in_order", condition=Q(opens_on__lte=models.F("closes_on"))
            ),
            models.CheckConstraint(
                name="window_hours_in_order", condition=Q(daily_from__lt=models.F("daily_until"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.crop} {self.opens_on}..{self.closes_on}"

    def is_open_at(self, moment: datetime) -> bool:
        local = timezone.localtime(moment)
        return (
            self.centre.active
            and self.opens_on <= local.date() <= self.closes_on
            and self.daily_from <= local.time() < self.daily_until
        )


class WeighmentQuerySet(models.QuerySet["Weighment"]):
    def sold_in_season(self, farmer: Farmer, crop: str, season: str) -> Decimal:
        total = self.filter(farmer=farmer, window__crop=crop, window__season=season).aggregate(kg=Sum("kg"))[
            "kg"
        ]
        return total or Decimal(0)

    def unpaid(self) -> WeighmentQuerySet:
        return self.filter(payment__isnull=True)


class Weighment(models.Model):
    """One delivery weighed at a centre, priced by the terms in force on the day."""

    reference = models.CharField(max_length=14)
    farmer = models.ForeignKey(Farmer, on_delete=models.PROTECT, related_name="weighments")
    window = models.ForeignKey(ProcurementWindow, on_delete=models.PROTECT, related_name="weighments")
    kg = models.DecimalField(_("weight (kg)"), max_digits=7, decimal_places=1)
    moisture_percent = models.DecimalField(
        _("moisture (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    quality_note = models.CharField(_("quality note"), max_length=200, blank=True)
    terms = models.ForeignKey(ProcurementTerms, on_delete=models.PROTECT, related_name="+")
    price_amount = models.DecimalField(_("price (₹)"), max_digits=12, decimal_places=2)
    freight_amount = models.DecimalField(_("freight subsidy (₹)"), max_digits=12, decimal_places=2)
    weighed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    weighed_at = models.DateTimeField(_("weighed at"), default=timezone.now)
    payment = models.ForeignKey(
        "Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="weighments"
    )

    objects = WeighmentQuerySet.as_manager()

    class Meta:
        ordering = ["-weighed_at", "-id"]
        indexes = [models.Index(fields=["farmer", "window"]), models.Index(fields=["weighed_at"])]
        constraints = [
            models.CheckConstraint(name="weighment_kg_positive", condition=Q(kg__gt=0)),
            models.UniqueConstraint(fields=["reference"], name="natural_farming_weighment_reference_uniq"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def amount(self) -> Decimal:
        return self.price_amount + self.freight_amount

    @staticmethod
    def priced(kg: Decimal, per_kg: Decimal) -> Decimal:
        return (kg * per_kg).quantize(PAISE, rounding=ROUND_HALF_UP)


class Payment(models.Model):
    """A transfer of a farmer's unpaid weighments to the bank account on the register."""

    reference = models.CharField(max_length=14)
    farmer = models.ForeignKey(Farmer, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount (₹)"), max_digits=12, decimal_places=2)
    # The account as it was on the register when paid: a later change does not rewrite history.
    bank_account = models.CharField(_("bank account number"), max_length=18)
    bank_ifsc = models.CharField(_("IFSC"), max_length=11)
    paid_on = models.DateField(_("paid on"))
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The benefit-ledger row this payment is counted in (one per member, scheme and month).
    ledger_period = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0)),
            models.UniqueConstraint(fields=["reference"], name="natural_farming_payment_reference_uniq"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def masked_bank_account(self) -> str:
        return f"XXXX{self.bank_account[-4:]}" if self.bank_account else ""
