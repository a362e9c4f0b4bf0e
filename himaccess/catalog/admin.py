"""State administrators define services here, without a deploy.

A service's definition is edited as YAML (or imported from a YAML or JSON
file); saving validates it and publishes it as a new version, listing every
problem if it is refused. Versions are read-only: an application stays on
the version it was filed under. Each version can be exported.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from himaccess.authenticated import authenticated
from himaccess.catalog import actions
from himaccess.catalog.definitions import DefinitionError
from himaccess.catalog.models import Holiday, Service, ServiceVersion
from himaccess.lib.forms import CleanTextForm

MAX_FILE_BYTES = 512 * 1024


class ImportForm(CleanTextForm):
    file = forms.FileField(label=_("Definition file (YAML or JSON)"), required=False)
    text = forms.CharField(
        label=_("or paste the definition"),
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100}),
        required=False,
    )
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_FILE_BYTES:
                raise forms.ValidationError(_("The file is larger than 512 KB."))
            cleaned["content"], cleaned["filename"] = upload.read(), upload.name
        elif cleaned.get("text"):
            cleaned["content"], cleaned["filename"] = cleaned["text"].encode(), "pasted.yaml"
        else:
            raise forms.ValidationError(_("Choose a file or paste a definition."))
        return cleaned


class VersionInline(admin.TabularInline):
    model = ServiceVersion
    fields = ("number", "note", "published_by", "published_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "department", "category", "is_active", "current_version")
    list_filter = ("department", "category", "is_active")
    search_fields = ("code", "name_en", "name_hi")
    fields = ("code", "name_en", "name_hi", "department", "category", "is_active")
    readonly_fields = ("code", "name_en", "name_hi", "department", "category")
    inlines = [VersionInline]
    change_list_template = "catalog/admin_service_changelist.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # services are added by importing a definition

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path("import/", self.admin_site.admin_view(self.import_view), name="catalog_service_import"),
            path(
                "<str:code>/edit-definition/",
                self.admin_site.admin_view(self.import_view),
                name="catalog_service_edit",
            ),
            path(
                "<str:code>/export.<str:fmt>",
                self.admin_site.admin_view(self.export_view),
                name="catalog_service_export",
            ),
        ]
        return extra + super().get_urls()

    def import_view(self, request: HttpRequest, code: str | None = None) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        initial = {}
        if code is not None:
            service = Service.objects.filter(code=code).select_related("current_version").first()
            if service is None or service.current_version is None:
                raise Http404
            initial["text"] = actions.export(service.current_version)
        form = ImportForm(request.POST or None, request.FILES or None, initial=initial)
        problems: list[str] = []
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                data = actions.parse_file(form.cleaned_data["content"], form.cleaned_data["filename"])
                version = actions.publish(
                    data,
                    acting_user=authenticated(request).user,
                    note=form.cleaned_data.get("note", ""),
                )
            except DefinitionError as exc:
                problems = exc.problems
                status = 400
            else:
                messages.success(
                    request,
                    _("Published %(service)s version %(number)s.")
                    % {"service": version.service_id, "number": version.number},
                )
                return redirect("admin:catalog_service_change", version.service_id)
        elif request.method == "POST":
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "problems": problems,
            "title": _("Import or edit a service definition"),
            "opts": self.model._meta,
        }
        return render(request, "catalog/admin_import.html", context, status=status)

    def export_view(self, request: HttpRequest, code: str, fmt: str) -> HttpResponse:
        if not self.has_view_permission(request) or fmt not in ("yaml", "json"):
            raise Http404
        service = Service.objects.filter(code=code).select_related("current_version").first()
        if service is None or service.current_version is None:
            raise Http404
        content_type = "application/json" if fmt == "json" else "application/yaml"
        response = HttpResponse(
            actions.export(service.current_version, fmt), content_type=f"{content_type}; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{service.code}-v{service.current_version.number}.{fmt}"'
        )
        return response


@admin.register(ServiceVersion)
class ServiceVersionAdmin(admin.ModelAdmin):
    list_display = ("service", "number", "note", "published_by", "published_at")
    list_filter = ("service__department",)
    readonly_fields = ("service", "number", "definition", "note", "published_by", "published_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name_en", "name_hi")
    date_hierarchy = "date"
