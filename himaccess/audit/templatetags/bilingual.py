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


@register.filter
def text_lang(text: Any, page_language: str = "") -> str:
    """The language of free text people typed (a complaint, a note, an answer), for its ``lang``
    attribute: Hindi when it has Devanagari letters, English when it has only Latin ones, else the
    page's. Screen readers then read it in the right voice, and nobody mistakes it for a label
    the page forgot to translate."""
    value = str(text or "")
    if any("\u0900" <= ch <= "\u097f" for ch in value):
        return "hi"
    if any("a" <= ch.lower() <= "z" for ch in value):
        return "en"
    return page_language or "en"
