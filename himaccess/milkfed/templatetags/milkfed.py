from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def hundredths(value: int | None) -> str:
    """A whole number of hundredths (litres x 100, paise, percent x 100) as a number with two decimals."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(int(value)), 100)
    return f"{sign}{whole}.{part:02d}"
