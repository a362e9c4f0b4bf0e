"""Departments of the Government of Himachal Pradesh.

Services, schemes, complaint categories and officials' postings name the
department that owns them. Loaded from ``data/departments.csv`` by a data
migration; state administrators add or rename departments in the admin.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    code = models.SlugField(max_length=48, primary_key=True)
    lgd_org_code = models.PositiveIntegerField(_("LGD organisation code"), null=True, blank=True, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=160)
    name_hi = models.CharField(_("name (Hindi)"), max_length=160)

    class Meta:
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en

    def name_in(self, language: str) -> str:
        return self.name_hi if language.startswith("hi") else self.name_en
