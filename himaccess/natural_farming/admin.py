from __future__ import annotations

from django.contrib import admin

from himaccess.natural_farming.models import CollectionCentre, ProcurementTerms


@admin.register(ProcurementTerms)
class ProcurementTermsAdmin(admin.ModelAdmin):
    list_display = ["crop", "valid_from", "price_per_kg", "freight_subsidy_per_kg", "cap_kg_per_season"]
    list_filter = ["crop"]

    # A rate that priced weighments is history: a new rate is a new row.
    def has_change_permission(self, request: object, obj: ProcurementTerms | None = None) -> bool:
        return obj is None

    def has_delete_permission(self, request: object, obj: ProcurementTerms | None = None) -> bool:
        return False


@admin.register(CollectionCentre)
class CollectionCentreAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "district", "active"]
    list_filter = ["district", "active"]
