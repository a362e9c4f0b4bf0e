"""Time limits as people say them: "60 working days", not "1440 working hours".

The Act's clock runs 24 hours on each working day (catalog.working_time), so
whole multiples of 24 hours are whole working days.
"""

from __future__ import annotations

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def working_duration(hours: int | None) -> str:
    if hours is None:
        return ""
    days, rest = divmod(max(int(hours), 0), 24)
    parts = []
    if days:
        parts.append(ngettext("%(count)d working day", "%(count)d working days", days) % {"count": days})
    if rest or not days:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", rest) % {"count": rest})
    return " ".join(parts)
