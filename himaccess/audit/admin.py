from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from himaccess.audit.models import AuditEntry, DataAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    """The audit trail is written only by the application: no add, change or delete here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "chain",
        "seq",
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "source",
        "client_address",
    )
    list_filter = ("action", "source")
    search_fields = ("=object_id", "=action", "=seq")
    list_select_related = ("actor",)
    show_full_result_count = False


@admin.register(DataAccess)
class DataAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "family", "member", "user", "client", "purpose", "client_address")
    search_fields = ("=family__family_id", "=member__member_id")
    list_select_related = ("family", "member", "user", "client")
    raw_id_fields = ("family", "member", "user", "client")
    show_full_result_count = False
