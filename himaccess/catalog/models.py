"""The Him Seva service catalogue: services defined as data, in immutable versions.

A ``Service`` is the stable entry citizens find (code, names, department,
search keys); what it asks for and how it is decided lives in its
``ServiceVersion`` rows, each holding one validated definition
(``catalog.definitions``). Publishing a change adds a version and moves the
service's pointer; an application keeps the version it was filed under.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from himaccess.departments.models import Department


class ServiceQuerySet(models.QuerySet["Service"]):
    def offered(self) -> ServiceQuerySet:
        return self.filter(is_active=True, current_version__isnull=False)


class Service(models.Model):
    code = models.CharField(_("code"), max_length=20, primary_key=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_hi = models.CharField(_("name (Hindi)"), max_length=200)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="services")
    category = models.CharField(_("category"), max_length=48)
    life_situations = models.JSONField(default=list, blank=True)
    # Phonetic keys of the names and keywords in both scripts (catalog.search).
    search_keys = models.TextField(blank=True, editable=False)
    is_active = models.BooleanField(_("offered to citizens"), default=True)
    current_version = models.ForeignKey(
        "ServiceVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"

    def name_in(self, language: str) -> str:
        return self.name_hi if language.startswith("hi") else self.name_en


class ServiceVersion(models.Model):
    """One published definition of a service; never edited once written."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="one_number_per_service_version")
        ]
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")

    def __str__(self) -> str:
        return f"{self.service_id} v{self.number}"

    # Readers of the definition, so callers do not dig through the dict.
    def text(self, key: str, language: str) -> str:
        value: str = self.definition.get(f"{key}_hi" if language.startswith("hi") else f"{key}_en", "")
        return value or str(self.definition.get(f"{key}_en", ""))

    @property
    def name_en(self) -> str:
        return str(self.definition["name_en"])

    @property
    def name_hi(self) -> str:
        return str(self.definition["name_hi"])

    @property
    def time_limit_hours(self) -> int:
        return int(self.definition["time_limit_hours"])

    @property
    def stages(self) -> list[dict[str, Any]]:
        stages: list[dict[str, Any]] = self.definition["workflow"]
        return stages

    @property
    def form_fields(self) -> list[dict[str, Any]]:
        fields: list[dict[str, Any]] = self.definition["form"]
        return fields

    @property
    def documents(self) -> list[dict[str, Any]]:
        documents: list[dict[str, Any]] = self.definition["documents"]
        return documents

    @property
    def output(self) -> dict[str, Any]:
        output: dict[str, Any] = self.definition["output"]
        return output

    @property
    def issues_certificate(self) -> bool:
        return self.output.get("kind") == "certificate"

    def appeal(self, level: int) -> dict[str, Any] | None:
        appeal: dict[str, Any] | None = self.definition.get("first_appeal" if level == 1 else "second_appeal")
        return appeal


HOLIDAYS_VERSION_KEY = "catalog:holidays:version"


class Holiday(models.Model):
    """A gazetted holiday: time limits do not run on it (nor on Sundays)."""

    date = models.DateField(_("date"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_hi = models.CharField(_("name (Hindi)"), max_length=120)

    class Meta:
        ordering = ["date"]
        verbose_name = _("gazetted holiday")
        verbose_name_plural = _("gazetted holidays")

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.name_en}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # Cached holiday sets of this process are dropped at once (other processes within minutes).
        cache.set(HOLIDAYS_VERSION_KEY, time.time_ns(), None)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        result = super().delete(*args, **kwargs)
        cache.set(HOLIDAYS_VERSION_KEY, time.time_ns(), None)
        return result
