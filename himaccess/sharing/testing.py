"""Department data clients for tests (and for other apps' tests that need one): made by the real actions."""

from __future__ import annotations

from himaccess.departments.models import Department
from himaccess.sharing import actions
from himaccess.sharing.models import DataClient, Purpose


def make_purpose(
    code: str = "pension-check",
    *,
    department_code: str = "social_justice",
    groups: tuple[str, ...] = ("identity", "family", "category"),
    legal_basis: str = "",
    consent_days: int = 90,
) -> Purpose:
    department = Department.objects.get(pk=department_code)
    return actions.define_purpose(
        code=code,
        department=department,
        name_en=f"Purpose {code}",
        name_hi=f"प्रयोजन {code}",
        field_groups=groups,
        legal_basis=legal_basis,
        consent_days=consent_days,
        acting_user=None,
    )


def make_data_client(
    name: str = "Pension DBT",
    *,
    department_code: str = "social_justice",
    purposes: list[Purpose] | None = None,
    groups: tuple[str, ...] = ("identity", "family", "category"),
    requests_per_minute: int = 600,
) -> tuple[DataClient, str]:
    """A registered client and its secret; without ``purposes``, one purpose of its department is made."""
    department = Department.objects.get(pk=department_code)
    if purposes is None:
        purposes = [
            make_purpose(f"{department_code.replace('_', '-')}-check", department_code=department_code)
        ]
    return actions.register_client(
        name=name,
        department=department,
        purposes=purposes,
        field_groups=groups,
        registered_by=None,
        requests_per_minute=requests_per_minute,
    )
