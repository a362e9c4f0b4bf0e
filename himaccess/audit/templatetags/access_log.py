"""``{% read_groups entries as groups %}``: the family's access log grouped for reading."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import QuerySet
from django.utils.translation import get_language

from himaccess.audit.reading import ReadGroup, grouped

register = template.Library()

# Enough rows for a year of ordinary attention to one family; grouping makes them a short list.
ROWS_READ = 1000


@register.simple_tag
def read_groups(entries: Any) -> list[ReadGroup]:
    if isinstance(entries, QuerySet):
        entries = entries.prefetch_related(
            "user__postings__district",
            "user__postings__tehsil",
            "user__postings__block",
            "user__postings__panchayat",
            "user__postings__urban_body",
        )[:ROWS_READ]
    return grouped(entries, get_language() or "en")
