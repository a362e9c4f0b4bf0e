from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from himaccess.notifications.models import SmsMessage, SmsTemplate

MESSAGE_FIELDS: tuple[str, ...] = (
    "template",
    "masked_to",
    "language",
    "params",
    "status",
    "attempts",
    "provider_id",
    "error",
    "created_at",
    "sent_at",
    "delivered_at",
)


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "description", "dlt_template_id_en", "dlt_template_id_hi", "updated_at"]
    search_fields = ["key", "description"]


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "template", "masked_to", "language", "status", "attempts", "provider_id"]
    list_filter = ["status", "template"]
    # The full number is kept for delivery; the list shows it masked and the page shows no secret.
    fields = MESSAGE_FIELDS
    readonly_fields = MESSAGE_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False
