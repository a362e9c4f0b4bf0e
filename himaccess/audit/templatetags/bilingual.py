"""Filters that pick the Hindi or English form of a name or purpose for the page's language."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def name_in(obj: Any, language: str) -> str:
    return "" if obj is None else str(obj.name_in(language or "en"))


@register.filter
def purpose_in(obj: Any, language: str) -> str:
    return "" if obj is None else str(obj.purpose_in(language or "en"))
