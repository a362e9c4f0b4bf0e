"""The ledger's idempotency answers move to the shared store (the idempotency app).

Each kept answer becomes a record of caller "client:<pk>" on the endpoint
"schemes.benefit", with the same body hash and the same JSON, and is kept a
full key lifetime from now (keys had no expiry before). Reversible: going back
moves the ledger's answers back to its own table.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone

ENDPOINT = "schemes.benefit"


def to_shared_store(apps, schema_editor):
    Old = apps.get_model("schemes", "IdempotencyRecord")
    New = apps.get_model("idempotency", "IdempotencyRecord")
    expires_at = timezone.now() + timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    batch = []
    for old in Old.objects.order_by("pk").iterator(chunk_size=2000):
        batch.append(
            New(
                caller=f"client:{old.client_id}",
                key=old.key,
                endpoint=ENDPOINT,
                request_hash=old.request_hash,
                status_code=old.status_code,
                response_body=json.dumps(old.response),
                created_at=old.created_at,
                expires_at=expires_at,
            )
        )
        if len(batch) >= 2000:
            New.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    New.objects.bulk_create(batch, ignore_conflicts=True)


def back_to_the_ledger(apps, schema_editor):
    Old = apps.get_model("schemes", "IdempotencyRecord")
    New = apps.get_model("idempotency", "IdempotencyRecord")
    Client = apps.get_model("schemes", "DepartmentClient")
    clients = set(Client.objects.values_list("pk", flat=True))
    moved = New.objects.filter(endpoint=ENDPOINT, caller__startswith="client:")
    for new in moved.iterator(chunk_size=2000):
        client_id = int(new.caller.split(":", 1)[1])
        if client_id in clients:
            old = Old.objects.create(
                client_id=client_id,
                key=new.key,
                request_hash=new.request_hash,
                status_code=new.status_code,
                response=json.loads(new.response_body),
            )
            Old.objects.filter(pk=old.pk).update(created_at=new.created_at)
    moved.delete()  # the ledger's answers live in one place again


class Migration(migrations.Migration):
    dependencies = [
        ("idempotency", "0001_initial"),
        ("schemes", "0002_shipped_schemes_and_sms"),
    ]

    operations = [
        migrations.RunPython(to_shared_store, back_to_the_ledger),
        migrations.DeleteModel(name="IdempotencyRecord"),
    ]
