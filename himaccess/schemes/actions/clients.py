"""Department clients: the keys a department's systems use to call the scheme API."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from himaccess.accounts.models import User
from himaccess.audit import log as audit
from himaccess.departments.models import Department
from himaccess.schemes.models import (
    DepartmentClient,
)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_department_client(
    name: str, department: Department, *, acting_user: User | None
) -> tuple[DepartmentClient, str]:
    """A new ledger client; returns it with its bearer token, which is never stored or shown again."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    client = DepartmentClient.objects.create(
        name=name, department=department, key_id=key_id, secret_hash=hash_secret(secret)
    )
    audit.record(acting_user, "scheme.client_created", client, after={"department": department.pk})
    return client, f"{key_id}.{secret}"


def authenticate_client(token: str) -> DepartmentClient | None:
    key_id, _dot, secret = token.partition(".")
    if not key_id or not secret:
        return None
    client = DepartmentClient.objects.filter(key_id=key_id, active=True).select_related("department").first()
    if client is None or not secrets.compare_digest(client.secret_hash, hash_secret(secret)):
        return None
    return client
