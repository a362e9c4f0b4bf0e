"""Officials, postings and lockouts in the admin; every change goes through ``accounts.actions``."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from himaccess.accounts import actions
from himaccess.accounts.models import Lockout, LoginFailure, Posting, User

POSTING_FIELDS: tuple[str, ...] = (
    "role",
    "level",
    "district",
    "tehsil",
    "block",
    "panchayat",
    "urban_body",
    "department",
    "started_at",
    "ended_at",
    "suspended",
)

USER_FIELDS: tuple[str, ...] = (
    "username",
    "kind",
    "first_name",
    "last_name",
    "email",
    "preferred_language",
    "is_active",
    "is_staff",
    "last_login",
    "date_joined",
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


class PostingInline(admin.TabularInline):
    model = Posting
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = POSTING_FIELDS
    readonly_fields = POSTING_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["username", "kind", "first_name", "last_name", "is_active", "is_staff"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name"]
    fields = USER_FIELDS
    readonly_fields = USER_FIELDS
    inlines = [PostingInline]
    actions = ["suspend", "reinstate", "unlock", "reset_second_factor"]

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        # Admin actions need the change permission; the fields themselves stay read-only.
        return bool(request.user.has_perm("accounts.change_user"))

    def _apply(self, request: HttpRequest, queryset: QuerySet[User], verb: str) -> None:
        acting_user = request.user
        assert isinstance(acting_user, User)
        done = 0
        for official in queryset.filter(kind=User.Kind.OFFICIAL):
            try:
                if verb == "suspend":
                    actions.suspend_official(
                        official, reason="admin", acting_user=acting_user, request=request
                    )
                elif verb == "reinstate":
                    actions.reinstate_official(official, acting_user=acting_user, request=request)
                elif verb == "unlock":
                    actions.unlock_official(official, acting_user=acting_user, request=request)
                else:
                    actions.reset_second_factor(official, acting_user=acting_user, request=request)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, f"{official}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR
                )
        self.message_user(
            request,
            ngettext("%(count)d official changed.", "%(count)d officials changed.", done) % {"count": done},
        )

    @admin.action(description=_("Suspend (ends their sessions at once)"))
    def suspend(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._apply(request, queryset, "suspend")

    @admin.action(description=_("Reinstate"))
    def reinstate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._apply(request, queryset, "reinstate")

    @admin.action(description=_("Unlock login"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._apply(request, queryset, "unlock")

    @admin.action(description=_("Reset authenticator app"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._apply(request, queryset, "reset")


@admin.register(Lockout)
class LockoutAdmin(ReadOnlyAdmin):
    list_display = ["user", "started_at", "until", "unlocked_at", "unlocked_by"]


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    list_display = ["username", "stage", "address", "at"]
    list_filter = ["stage"]
    search_fields = ["username"]
