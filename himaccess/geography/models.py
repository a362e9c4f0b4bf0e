"""Himachal Pradesh's administrative geography, keyed by LGD codes.

Districts, tehsils (sub-districts), blocks and urban local bodies come from
the Local Government Directory snapshot shipped in ``data/``. Gram panchayats
and villages are imported from LGD's own CSVs when an operator has them; until
then the post-office localities of each district stand in as villages
(``Village.Source.POST_OFFICE``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Named(models.Model):
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_hi = models.CharField(_("name (Hindi)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name_en

    def name_in(self, language: str) -> str:
        return self.name_hi if language.startswith("hi") and self.name_hi else self.name_en


class District(Named):
    lgd_code = models.PositiveIntegerField(primary_key=True)
    census2011_code = models.CharField(max_length=8, blank=True)
    population_2011 = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name_en"]


class Tehsil(Named):
    lgd_code = models.PositiveIntegerField(primary_key=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="tehsils")

    class Meta:
        ordering = ["name_en"]


class Block(Named):
    lgd_code = models.PositiveIntegerField(primary_key=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="blocks")

    class Meta:
        ordering = ["name_en"]


class UrbanBody(Named):
    class Kind(models.TextChoices):
        MUNICIPAL_CORPORATION = "municipal_corporation", _("Municipal Corporation")
        MUNICIPAL_COUNCIL = "municipal_council", _("Municipal Council")
        NAGAR_PANCHAYAT = "nagar_panchayat", _("Nagar Panchayat")

    lgd_code = models.PositiveIntegerField(primary_key=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="urban_bodies")
    tehsil = models.ForeignKey(Tehsil, on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)

    class Meta:
        ordering = ["name_en"]


class Panchayat(Named):
    lgd_code = models.PositiveIntegerField(primary_key=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="panchayats")
    block = models.ForeignKey(
        Block, on_delete=models.PROTECT, null=True, blank=True, related_name="panchayats"
    )

    class Meta:
        ordering = ["name_en"]


class VillageQuerySet(models.QuerySet["Village"]):
    def current(self) -> VillageQuerySet:
        """Villages a form should offer: LGD villages, and stand-ins not yet replaced by them."""
        return self.filter(superseded=False)


class Village(Named):
    class Source(models.TextChoices):
        LGD = "lgd", _("LGD village directory")
        POST_OFFICE = "post_office", _("Post-office locality (stand-in)")

    lgd_code = models.PositiveIntegerField(null=True, blank=True, unique=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="villages")
    tehsil = models.ForeignKey(Tehsil, on_delete=models.PROTECT, null=True, blank=True)
    panchayat = models.ForeignKey(Panchayat, on_delete=models.PROTECT, null=True, blank=True)
    pincode = models.CharField(max_length=6, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    # A post-office stand-in stays after LGD villages arrive for its district, because
    # families may point at it; it is only hidden from new choices.
    superseded = models.BooleanField(_("superseded by LGD villages"), default=False)

    objects = VillageQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        indexes = [models.Index(fields=["district", "name_en"])]


class PostOfficeQuerySet(models.QuerySet["PostOffice"]):
    def pincodes_of(self, district: District | int) -> list[str]:
        """The distinct pincodes served by post offices in ``district``, sorted."""
        return list(
            self.filter(district=district).order_by("pincode").values_list("pincode", flat=True).distinct()
        )

    def districts_of_pincode(self, pincode: str) -> models.QuerySet[District]:
        return District.objects.filter(post_offices__pincode=pincode).distinct()


class PostOffice(models.Model):
    name = models.CharField(max_length=120)
    pincode = models.CharField(max_length=6)
    office_type = models.CharField(max_length=3)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="post_offices")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    objects = PostOfficeQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["pincode", "district"])]

    def __str__(self) -> str:
        return f"{self.name} {self.pincode}"
