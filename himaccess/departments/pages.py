"""Department pages: what every department shows, and the sections its domain apps add.

``/departments/<code>/`` shows a department's catalogue services and schemes
(from the catalogue and schemes apps) for everyone, then the sections that
domain apps register here from their ``AppConfig.ready``. A section's
``context`` returns what its template needs for this request, or None to be
left out for this user; it decides on its own what each user may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from himaccess.departments.models import Department


@dataclass(frozen=True)
class Section:
    department: str  # Department.code
    key: str  # unique within the department
    template: str  # rendered inside the page with ``section`` (the context's dict)
    context: Callable[[HttpRequest, Department], dict[str, Any] | None]
    order: int = 100


_SECTIONS: dict[tuple[str, str], Section] = {}


def register(section: Section) -> None:
    """Add a section to a department's page (the same key again replaces it)."""
    _SECTIONS[(section.department, section.key)] = section


def sections_for(code: str) -> list[Section]:
    return sorted(
        (s for (department, _key), s in _SECTIONS.items() if department == code),
        key=lambda s: (s.order, s.key),
    )


def departments_with_sections() -> set[str]:
    return {department for department, _key in _SECTIONS}
