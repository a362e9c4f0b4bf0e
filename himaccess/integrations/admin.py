"""Registering departmental applications, and seeing (not editing) citizens' consents.

OAuth client rows (django-oauth-toolkit's ``Application``) are made only by
``actions.register_client``, through the departmental application form here
or ``himaccess register_client``; the toolkit's own admin may show and rename
them but not add one or change its grant or client type.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from oauth2_provider.admin import ApplicationAdmin
from oauth2_provider.models import Application

from himaccess.authenticated import authenticated
from himaccess.integrations import actions
from himaccess.integrations.models import SCOPE_CLAIMS, Consent, DepartmentApp
from himaccess.lib.forms import CleanTextModelForm


class RegisterClientForm(CleanTextModelForm):
    name = forms.CharField(label=_("name (English)"), max_length=255)
    redirect_uris = forms.CharField(
        label=_("redirect addresses"),
        widget=forms.Textarea,
        help_text=_("One per line, exactly as the application sends it."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("allowed scopes"),
        choices=[(scope, scope) for scope in SCOPE_CLAIMS],
        widget=forms.CheckboxSelectMultiple,
    )
    confidential = forms.BooleanField(
        label=_("confidential (the application keeps a secret on its server)"), required=False, initial=True
    )
    post_logout_redirect_uris = forms.CharField(
        label=_("addresses to return to after logout"),
        widget=forms.Textarea,
        required=False,
        help_text=_("One per line, exactly as the application sends it."),
    )

    class Meta:
        model = DepartmentApp
        fields = [
            "name",
            "name_hi",
            "department",
            "purpose",
            "purpose_hi",
            "launch_url",
            "listed",
            "subject_type",
            "public_subject_reason",
            "sector_identifier",
        ]


@admin.register(DepartmentApp)
class DepartmentAppAdmin(admin.ModelAdmin):
    list_display = ("application", "department", "allowed_scopes", "subject_type", "listed", "registered_at")
    list_filter = ("department", "listed", "subject_type")
    # The sub a department knows its users by is settled at registration: changing it would
    # orphan every account the department holds (docs/decisions/1122).
    readonly_fields = (
        "application",
        "allowed_scopes",
        "subject_type",
        "public_subject_reason",
        "sector_identifier",
        "registered_by",
        "registered_at",
    )
    fields = (
        "application",
        "name_hi",
        "department",
        "allowed_scopes",
        "purpose",
        "purpose_hi",
        "launch_url",
        "listed",
        "subject_type",
        "public_subject_reason",
        "sector_identifier",
        "registered_by",
        "registered_at",
    )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = RegisterClientForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [
                "name",
                "name_hi",
                "department",
                "purpose",
                "purpose_hi",
                "redirect_uris",
                "post_logout_redirect_uris",
                "scopes",
                "confidential",
                "subject_type",
                "public_subject_reason",
                "sector_identifier",
                "launch_url",
                "listed",
            ]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: DepartmentApp, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        try:
            registered = actions.register_client(
                name=data["name"],
                name_hi=data["name_hi"],
                department=data["department"],
                redirect_uris=data["redirect_uris"].split(),
                allowed_scopes=list(data["scopes"]),
                purpose=data["purpose"],
                purpose_hi=data["purpose_hi"],
                launch_url=data["launch_url"],
                listed=data["listed"],
                confidential=data["confidential"],
                post_logout_redirect_uris=data["post_logout_redirect_uris"].split(),
                subject_type=data["subject_type"],
                public_subject_reason=data["public_subject_reason"],
                sector_identifier=data["sector_identifier"],
                acting_user=authenticated(request).user,
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        obj.pk = registered.app.pk
        # The admin's log line names the object: give it the application register_client made.
        obj.application = registered.app.application
        self._registered = registered

    def response_add(
        self, request: HttpRequest, obj: DepartmentApp, post_url_continue: Any = None
    ) -> HttpResponse:
        registered = getattr(self, "_registered", None)
        if registered is None:
            return super().response_add(request, obj, post_url_continue)
        return TemplateResponse(
            request,
            "integrations/admin_registered.html",
            {
                **self.admin_site.each_context(request),
                "registered": registered,
                "title": _("Application registered"),
            },
        )


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("user", "application", "scopes", "granted_at", "revoked_at")
    list_filter = ("application",)
    raw_id_fields = ("user", "application")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RegisteredApplicationAdmin(ApplicationAdmin):
    readonly_fields = (*ApplicationAdmin.readonly_fields, "client_type", "authorization_grant_type")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


admin.site.unregister(Application)
admin.site.register(Application, RegisteredApplicationAdmin)
