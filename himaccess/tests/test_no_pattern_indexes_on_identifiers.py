"""Identifiers are looked up whole: no second (``varchar_pattern_ops``) index beside their unique one.

Django gives every ``unique=True`` or ``db_index=True`` text column on PostgreSQL a
second index for ``LIKE 'prefix%'``; nothing in the product searches an identifier by
prefix, so on the register that is about 300 MB of index kept up to date on every insert
for no query. The product's identifiers are unique through ``Meta.constraints`` instead
(docs/decisions/1222); this test lists what PostgreSQL really built.
"""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Tables of other projects (Django, django-oauth-toolkit) are left as their migrations make them.
OTHER_PROJECTS = ("auth_", "django_", "oauth2_provider_")
# Small tables keyed by a short code (departments, services, purposes, ID counters) keep
# Django's default on their key and on the foreign keys to it: dozens of rows, not millions.
CODE_KEYS = {"code", "kind", "department_id", "service_id", "purpose_id"}
# AbstractUser's own field, kept as Django defines it.
DJANGOS_OWN = {("accounts_user", "username")}


# The first column of each index, with its table: what the tests below select from.
INDEXED_COLUMNS = """
    SELECT t.relname, a.attname
    FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
    JOIN pg_opclass o ON o.oid = i.indclass[0]
    WHERE t.relnamespace = 'public'::regnamespace AND {condition}
"""


def indexed_columns(condition: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(INDEXED_COLUMNS.format(condition=condition))
        return {(table, column) for table, column in cursor.fetchall()}


def pattern_indexes() -> list[tuple[str, str]]:
    found = indexed_columns("o.opcname IN ('varchar_pattern_ops', 'text_pattern_ops')")
    return sorted((table, column) for table, column in found if not table.startswith(OTHER_PROJECTS))


def primary_keys() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, a.attname
            FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'p' AND t.relnamespace = 'public'::regnamespace
            """
        )
        return set(cursor.fetchall())


def test_no_identifier_has_a_pattern_index() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pattern indexes are PostgreSQL's")
    keys = primary_keys()
    extra = [
        (table, column)
        for table, column in pattern_indexes()
        if (table, column) not in DJANGOS_OWN
        and not (column in CODE_KEYS and ((table, column) in keys or column.endswith("_id")))
    ]
    assert extra == []


def test_identifiers_stay_unique() -> None:
    """What the LIKE index went with is kept: one row per identifier, refused by the database."""
    if connection.vendor != "postgresql":
        pytest.skip("read from PostgreSQL's catalogue")
    unique = indexed_columns("i.indisunique AND i.indnatts = 1 AND i.indpred IS NULL")
    expected = {
        ("registry_family", "family_id"),
        ("registry_member", "member_id"),
        ("registry_changerequest", "reference"),
        ("applications_application", "number"),
        ("applications_certificate", "number"),
        ("cards_card", "credential_id"),
        ("schemes_enrolment", "reference"),
        ("vault_vaultentry", "reference"),
        ("grievances_complaint", "reference"),
    }
    assert expected <= unique
