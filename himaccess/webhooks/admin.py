"""The state administrator's view of webhooks: allowances, subscriptions and every delivery."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaccess.audit import log as audit
from himaccess.webhooks.models import Allowance, Delivery, Subscription


@admin.register(Allowance)
class AllowanceAdmin(admin.ModelAdmin):
    list_display = ["application", "department", "granted_at"]
    filter_horizontal = ["districts"]
    raw_id_fields = ["application"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["application", "url", "active", "failures", "paused_until", "created_at"]
    list_filter = ["active"]
    # The secret is never shown: the client received it once.
    readonly_fields = [
        "public_id",
        "application",
        "failures",
        "paused_until",
        "previous_secret_until",
        "created_at",
    ]
    fields = ["public_id", "application", "url", "event_types", "districts", "active", *readonly_fields[2:]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Subscriptions are made through the client's API, where the address and the allowance are checked.
        return False


DELIVERY_FIELDS = (
    "delivery_id",
    "subscription",
    "event",
    "status",
    "attempts",
    "response_code",
    "next_attempt_at",
    "last_error",
    "replay",
    "created_at",
)


@admin.action(description=_("Deliver again now"))
def deliver_again(modeladmin: DeliveryAdmin, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
    with transaction.atomic():
        count = queryset.exclude(status=Delivery.Status.DELIVERED).update(
            status=Delivery.Status.PENDING, next_attempt_at=timezone.now(), attempts=0
        )
        audit.record(request.user, "webhooks.delivered_again", None, after={"deliveries": count})  # type: ignore[arg-type]
    modeladmin.message_user(request, _("%(count)s deliveries will be sent again.") % {"count": count})


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = DELIVERY_FIELDS
    list_filter = ["status", "replay", "subscription__application"]
    search_fields = ["=delivery_id"]
    list_select_related = ["subscription__application", "event"]
    readonly_fields = DELIVERY_FIELDS
    actions = [deliver_again]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False
