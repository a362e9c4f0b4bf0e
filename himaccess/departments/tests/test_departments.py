import pytest

from himaccess.departments.models import Department

pytestmark = pytest.mark.django_db


def test_departments_ship_with_both_names() -> None:
    revenue = Department.objects.get(code="revenue")
    assert revenue.lgd_org_code == 1152
    assert revenue.name_in("hi") == "राजस्व विभाग"
    assert Department.objects.filter(name_hi="").count() == 0
    assert Department.objects.count() >= 40
