"""Milkfed: village milk societies, dairy farmers of the family register, daily collections and pay.

- A ``Society`` is a village milk producers' cooperative (code, name, LGD
  village/panchayat, district, open or closed). Its ``Secretary`` rows say
  who records for it, with dates.
- A ``DairyFarmer`` is a Member of a Family in the register; ``Membership``
  rows (with dates) say which society they deliver to, one at a time.
- A ``Collection`` is one delivery (date, shift, animal, litres, fat, SNF).
  Quantities are whole hundredths (litres x 100, percent x 100) so sums and
  prices are exact integer arithmetic in SQLite and PostgreSQL alike.
- Prices are rows, never constants: ``PriceRate`` (the state's support price
  per litre by animal), ``QualityRule`` (the standard fat/SNF and the
  addition/deduction per 0.1 point) and ``SubsidyRate`` (transport subsidy
  per litre), each valid from a date with its source. The row in force on a
  collection's date prices it.
- A ``Statement`` is a farmer's month: days, litres and amounts by animal,
  quality adjustment, subsidy, total (in paise) and the rupees paid, posted
  to the benefit ledger (``schemes.ledger``).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from himaccess.geography.models import District
from himaccess.registry.models import Member
from himaccess.schemes.models import Enrolment

# The scheme under which monthly milk payments go to the ledger (made by a migration).
MILK_SCHEME_ID = "milkfed-milk-payment"
DEPARTMENT = "milkfed"


class Animal(models.TextChoices):
    COW = "cow", _("Cow")
    BUFFALO = "buffalo", _("Buffalo")
    GOAT = "goat", _("Goat")


class Shift(models.TextChoices):
    MORNING = "morning", _("Morning")
    EVENING = "evening", _("Evening")


class SocietyQuerySet(models.QuerySet["Society"]):
    def open(self) -> SocietyQuerySet:
        return self.filter(status=Society.Status.OPEN)


class Society(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    code = models.CharField(_("society code"), max_length=20)
    name_en = models.CharField(_("name (English)"), max_length=160)
    name_hi = models.CharField(_("name (Hindi)"), max_length=160)
    village_lgd = models.PositiveIntegerField(_("village (LGD code)"), null=True, blank=True)
    panchayat_lgd = models.PositiveIntegerField(_("gram panchayat (LGD code)"), null=True, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="milk_societies")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SocietyQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("milk society")
        verbose_name_plural = _("milk societies")
        constraints = [
            models.UniqueConstraint(fields=["code"], name="milkfed_society_code_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"

    def name_in(self, language: str) -> str:
        return self.name_hi if language.startswith("hi") and self.name_hi else self.name_en

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Secretary(models.Model):
    """Who records for a society; a new secretary is a new row, the old one ended."""

    society = models.ForeignKey(Society, on_delete=models.PROTECT, related_name="secretaries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(ended_on__isnull=True), name="milk_secretary_one_society"
            )
        ]

    def __str__(self) -> str:
        return f"secretary of {self.society_id}"


class DairyFarmer(models.Model):
    class Channel(models.TextChoices):
        SECRETARY = "secretary", _("Registered by the society secretary")
        OFFICIAL = "official", _("Registered by a Milkfed official")
        CITIZEN = "citizen", _("Applied from the family page")

    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="dairy_farmer")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dairy farmer")
        verbose_name_plural = _("dairy farmers")

    def __str__(self) -> str:
        return f"farmer {self.member_id}"


class Membership(models.Model):
    farmer = models.ForeignKey(DairyFarmer, on_delete=models.PROTECT, related_name="memberships")
    society = models.ForeignKey(Society, on_delete=models.PROTECT, related_name="memberships")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-joined_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["farmer"], condition=Q(left_on__isnull=True), name="milk_one_open_membership"
            ),
            models.CheckConstraint(
                name="milk_membership_dates",
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
            ),
        ]
        indexes = [models.Index(fields=["society", "left_on"])]

    def __str__(self) -> str:
        return f"{self.farmer_id} in {self.society_id}"

    def covers(self, on: date) -> bool:
        return self.joined_on <= on and (self.left_on is None or on <= self.left_on)


class Rate(models.Model):
    """A versioned rate: valid from a date, with its source; the latest valid on a day applies."""

    valid_from = models.DateField(_("valid from"))
    source = models.TextField(_("source"))
    # An assumption the department has not confirmed is shown as such on every page that uses it.
    is_assumption = models.BooleanField(_("assumption, not a published order"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class PriceRate(Rate):
    animal = models.CharField(max_length=8, choices=Animal.choices)
    paise_per_litre = models.PositiveIntegerField(_("support price (paise per litre)"))

    class Meta:
        ordering = ["animal", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["animal", "valid_from"], name="milk_one_price_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.animal} Rs {self.paise_per_litre / 100:.2f} from {self.valid_from}"


class QualityRule(Rate):
    """The price applies at the standard fat and SNF; each full 0.1 point above or below adds or deducts."""

    animal = models.CharField(max_length=8, choices=Animal.choices)
    standard_fat = models.PositiveSmallIntegerField(_("standard fat (% x 100)"))
    standard_snf = models.PositiveSmallIntegerField(_("standard SNF (% x 100)"))
    fat_paise_per_step = models.PositiveSmallIntegerField(_("paise per litre per 0.1 point of fat"))
    snf_paise_per_step = models.PositiveSmallIntegerField(_("paise per litre per 0.1 point of SNF"))

    class Meta:
        ordering = ["animal", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["animal", "valid_from"], name="milk_one_quality_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.animal} quality from {self.valid_from}"


class SubsidyRate(Rate):
    paise_per_litre = models.PositiveIntegerField(_("transport subsidy (paise per litre)"))

    class Meta:
        ordering = ["-valid_from"]
        constraints = [models.UniqueConstraint(fields=["valid_from"], name="milk_one_subsidy_per_day")]

    def __str__(self) -> str:
        return f"subsidy Rs {self.paise_per_litre / 100:.2f} from {self.valid_from}"


class Upload(models.Model):
    """One posting of collection rows (an API call or a CSV file): all its rows, or none."""

    class Via(models.TextChoices):
        API = "api", _("API")
        CSV = "csv", _("CSV file")

    society = models.ForeignKey(Society, on_delete=models.PROTECT, related_name="uploads")
    via = models.CharField(max_length=4, choices=Via.choices)
    rows = models.PositiveIntegerField()
    written = models.PositiveIntegerField()
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"upload {self.pk} of {self.society_id}"


class Collection(models.Model):
    society = models.ForeignKey(Society, on_delete=models.PROTECT, related_name="collections")
    farmer = models.ForeignKey(DairyFarmer, on_delete=models.PROTECT, related_name="collections")
    date = models.DateField()
    shift = models.CharField(max_length=8, choices=Shift.choices)
    animal = models.CharField(max_length=8, choices=Animal.choices)
    litres_x100 = models.PositiveIntegerField()
    fat_x100 = models.PositiveSmallIntegerField()
    snf_x100 = models.PositiveSmallIntegerField()
    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            # The idempotency key of a row: posting it again changes nothing.
            models.UniqueConstraint(
                fields=["society", "date", "shift", "farmer", "animal"], name="milk_one_delivery_per_shift"
            )
        ]
        indexes = [models.Index(fields=["farmer", "date"]), models.Index(fields=["date", "society"])]

    def __str__(self) -> str:
        return f"{self.farmer_id} {self.date} {self.shift} {self.animal}"


class Statement(models.Model):
    """A farmer's month, computed from the collections and the rates in force on each day (paise)."""

    farmer = models.ForeignKey(DairyFarmer, on_delete=models.PROTECT, related_name="statements")
    month = models.DateField()  # the first day of the month
    # The society the farmer delivered to (one at a time; after a move within the month, the later one).
    society = models.ForeignKey(Society, on_delete=models.PROTECT, related_name="statements")
    days = models.PositiveSmallIntegerField()
    cow_litres_x100 = models.PositiveIntegerField(default=0)
    buffalo_litres_x100 = models.PositiveIntegerField(default=0)
    goat_litres_x100 = models.PositiveIntegerField(default=0)
    cow_paise = models.BigIntegerField(default=0)
    buffalo_paise = models.BigIntegerField(default=0)
    goat_paise = models.BigIntegerField(default=0)
    quality_paise = models.BigIntegerField(default=0)  # signed: additions less deductions
    subsidy_paise = models.BigIntegerField(default=0)
    total_paise = models.BigIntegerField()
    computed_at = models.DateTimeField()
    # Set once when the month's payment is posted to the ledger; a paid statement is never recomputed.
    paid_rupees = models.PositiveIntegerField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["farmer", "month"], name="milk_one_statement_per_month"),
            models.CheckConstraint(name="milk_statement_first_of_month", condition=Q(month__day=1)),
        ]
        indexes = [models.Index(fields=["month", "society"])]

    def __str__(self) -> str:
        return f"{self.farmer_id} {self.month:%Y-%m}"

    @property
    def litres(self) -> int:
        return self.cow_litres_x100 + self.buffalo_litres_x100 + self.goat_litres_x100

    @property
    def payable_rupees(self) -> int:
        """The total rounded to whole rupees (half up), as the ledger books rupees."""
        return max(0, (self.total_paise + 50) // 100)
