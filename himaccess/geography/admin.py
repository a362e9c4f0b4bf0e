"""Reference geography in the admin: searchable, read-only.

The rows come from LGD and the pincode directory through ``load_geography`` and
``import_lgd``; editing them by hand would be undone by the next load, so the
admin only lets staff look them up.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from himaccess.geography.models import Block, District, Panchayat, PostOffice, Tehsil, UrbanBody, Village


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(District)
class DistrictAdmin(ReadOnlyAdmin):
    list_display = ["lgd_code", "name_en", "name_hi", "census2011_code", "population_2011"]
    search_fields = ["name_en", "name_hi", "=lgd_code"]


@admin.register(Tehsil, Block)
class SubdivisionAdmin(ReadOnlyAdmin):
    list_display = ["lgd_code", "name_en", "name_hi", "district"]
    list_filter = ["district"]
    search_fields = ["name_en", "name_hi", "=lgd_code"]
    list_select_related = ["district"]


@admin.register(UrbanBody)
class UrbanBodyAdmin(ReadOnlyAdmin):
    list_display = ["lgd_code", "name_en", "name_hi", "kind", "district", "tehsil"]
    list_filter = ["kind", "district"]
    search_fields = ["name_en", "name_hi", "=lgd_code"]
    list_select_related = ["district", "tehsil"]


@admin.register(Panchayat)
class PanchayatAdmin(ReadOnlyAdmin):
    list_display = ["lgd_code", "name_en", "name_hi", "district", "block"]
    list_filter = ["district"]
    search_fields = ["name_en", "name_hi", "=lgd_code"]
    list_select_related = ["district", "block"]


@admin.register(Village)
class VillageAdmin(ReadOnlyAdmin):
    list_display = ["name_en", "name_hi", "lgd_code", "district", "tehsil", "pincode", "source", "superseded"]
    list_filter = ["source", "superseded", "district"]
    search_fields = ["name_en", "name_hi", "=lgd_code", "=pincode"]
    list_select_related = ["district", "tehsil"]


@admin.register(PostOffice)
class PostOfficeAdmin(ReadOnlyAdmin):
    list_display = ["name", "pincode", "office_type", "district"]
    list_filter = ["office_type", "district"]
    search_fields = ["name", "=pincode"]
    list_select_related = ["district"]
