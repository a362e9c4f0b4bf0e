"""State administrators register department data clients, set purposes, and rotate secrets here.

A client is made only by ``actions.register_client`` (the add form here, or
``himaccess data_client register``); its secret is shown once on the page that
follows. The "rotate secret" action keeps the old secret working for a day.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from himaccess.authenticated import authenticated
from himaccess.lib.forms import CleanTextModelForm
from himaccess.sharing import actions
from himaccess.sharing.fields import FIELD_GROUPS, GROUP_LABELS
from himaccess.sharing.models import ClientSecret, ConsentRequest, DataClient, Purpose

GROUP_CHOICES = [(group, f"{group}: {GROUP_LABELS[group]}") for group in FIELD_GROUPS]


class PurposeForm(CleanTextModelForm):
    groups = forms.MultipleChoiceField(
        label=_("field groups"), choices=GROUP_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Purpose
        fields = ["code", "department", "name_en", "name_hi", "legal_basis", "consent_days", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["groups"].initial = self.instance.groups()

    def save(self, commit: bool = True) -> Any:
        self.instance.field_groups = " ".join(self.cleaned_data["groups"])
        return super().save(commit)


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    form = PurposeForm
    list_display = ("code", "department", "name_en", "field_groups", "legal_basis", "consent_days", "active")
    list_filter = ("department", "active")


class RegisterDataClientForm(CleanTextModelForm):
    name = forms.CharField(label=_("name (English)"), max_length=255)
    groups = forms.MultipleChoiceField(
        label=_("field groups it may read"), choices=GROUP_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = DataClient
        fields = ["name", "name_hi", "department", "purposes", "groups", "requests_per_minute"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        department = data.get("department")
        foreign = [
            p.code for p in data.get("purposes", []) if department and p.department_id != department.pk
        ]
        if foreign:
            raise forms.ValidationError(
                _("These purposes belong to another department: %(codes)s") % {"codes": ", ".join(foreign)}
            )
        return data


class SecretInline(admin.TabularInline):
    model = ClientSecret
    fields = ("prefix", "created_at", "expires_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataClient)
class DataClientAdmin(admin.ModelAdmin):
    list_display = (
        "application",
        "department",
        "field_groups",
        "requests_per_minute",
        "active",
        "registered_at",
    )
    list_filter = ("department", "active")
    filter_horizontal = ("purposes",)
    readonly_fields = ("application", "department", "registered_by", "registered_at")
    fields = (
        "application",
        "department",
        "name_hi",
        "purposes",
        "field_groups",
        "requests_per_minute",
        "active",
        "registered_by",
        "registered_at",
    )
    inlines = [SecretInline]
    actions = ["rotate_secret"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = RegisterDataClientForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name", "name_hi", "department", "purposes", "groups", "requests_per_minute"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj is not None else []

    def save_model(self, request: HttpRequest, obj: DataClient, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        client, secret = actions.register_client(
            name=data["name"],
            name_hi=data["name_hi"],
            department=data["department"],
            purposes=list(data["purposes"]),
            field_groups=list(data["groups"]),
            requests_per_minute=data["requests_per_minute"],
            registered_by=authenticated(request).user,
        )
        obj.pk = client.pk
        obj.application = client.application
        self._shown = {"client_id": client.client_id, "client_secret": secret}

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)

    def response_add(
        self, request: HttpRequest, obj: DataClient, post_url_continue: Any = None
    ) -> HttpResponse:
        shown = getattr(self, "_shown", None)
        if shown is None:
            return super().response_add(request, obj, post_url_continue)
        return self._show_secret(request, shown, _("Department client registered"))

    def _show_secret(self, request: HttpRequest, shown: dict[str, str], title: Any) -> HttpResponse:
        return TemplateResponse(
            request,
            "sharing/admin_secret.html",
            {**self.admin_site.each_context(request), "shown": shown, "title": title},
        )

    @admin.action(description=_("Rotate the secret (the old one works for 24 more hours)"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[DataClient]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Rotate one client at a time."), level="error")
            return None
        client = queryset.select_related("application").get()
        secret = actions.rotate_secret(client, acting_user=authenticated(request).user)
        return self._show_secret(
            request, {"client_id": client.client_id, "client_secret": secret}, _("New secret issued")
        )


@admin.register(ConsentRequest)
class ConsentRequestAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "client",
        "purpose",
        "member",
        "channel",
        "decision",
        "expires_at",
        "withdrawn_at",
    )
    list_filter = ("purpose", "channel", "decision")
    raw_id_fields = ("member", "client", "decided_by", "withdrawn_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
