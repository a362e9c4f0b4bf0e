"""Read-only views of applications for state administrators: their state changes only through actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from himaccess.applications.models import Appeal, Application, Certificate, Step


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StepInline(admin.TabularInline):
    model = Step
    fields = ("at", "action", "from_status", "to_status", "to_stage", "actor", "actor_role", "reason", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnly):
    list_display = ("number", "service", "status", "stage_role", "submitted_at", "due_at", "overdue_at")
    list_filter = ("status", "service__department", "stage_role")
    search_fields = ("number",)
    exclude = ("answers", "prefilled")
    inlines = [StepInline]


@admin.register(Appeal)
class AppealAdmin(ReadOnly):
    list_display = ("application", "level", "authority_role", "status", "filed_at", "due_at")
    list_filter = ("status", "level")


@admin.register(Certificate)
class CertificateAdmin(ReadOnly):
    list_display = ("number", "application", "issued_at", "valid_until", "revoked_at")
    search_fields = ("number",)
    exclude = ("token",)
