"""Numbers as the figures pages write them, and an official's area in brief for their work page."""

from __future__ import annotations

from typing import Any

from django import template

from himaccess.accounts.models import Posting
from himaccess.lib.charts import format_number
from himaccess.transparency import figures, pages
from himaccess.transparency.figures import Headline, Scope
from himaccess.transparency.views import cached

register = template.Library()


@register.filter
def figure(value: int | float | None) -> str:
    """A count with the page's separators (12,34,567); a dash for nothing to count."""
    return "—" if value is None else format_number(value)


@register.filter
def percent(value: float | None) -> str:
    return pages.percent(value)


@register.filter
def in_language(named: Any, language: str) -> str:
    """The name of anything with ``name_in`` (a district, a service, a complaint's category)."""
    return str(named.name_in(language)) if named is not None else ""


@register.simple_tag
def area_headline(posting: Posting) -> Headline:
    """The headline figures of a posting's area (cached a few minutes like the public pages)."""
    scope = Scope(posting=posting)
    found: Headline = cached("headline", scope, lambda: {"headline": figures.headline(scope)})["headline"]
    return found


@register.filter
def area_in(posting: Posting, language: str) -> str:
    """The name of a posting's area in the reader's language ("Himachal Pradesh" for the state)."""
    return posting.area_name(language)
