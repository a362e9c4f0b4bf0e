"""Name search within an official's area reads indexes only.

The member key indexes also carry the family and the member's own key, and
each area an official is posted to (district, tehsil, block, urban body) has
an index from the area to its family ids: a search in a tehsil then matches
the namesakes of the state against the tehsil's families inside the indexes
instead of reading every namesake's row and family (``registry.search``).

On PostgreSQL the indexes are built and dropped ``CONCURRENTLY``: the register
keeps taking writes while they build (the member indexes take about half a
minute each on a whole state). A build that fails leaves an invalid index
behind, to be dropped by hand before the migration is run again. Elsewhere
(SQLite) they are plain indexes; SQLite ignores ``INCLUDE``.
"""

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexConcurrentlyOnPostgres(RemoveIndexConcurrently):
    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.RemoveIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.RemoveIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("registry", "0007_identifiers_without_like_index"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="family",
            index=models.Index(fields=["district", "id"], name="registry_family_district_ids"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="family",
            index=models.Index(fields=["tehsil", "id"], name="registry_family_tehsil_ids"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="family",
            index=models.Index(fields=["block", "id"], name="registry_family_block_ids"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="family",
            # Most families are rural: the index holds only those of an urban body.
            index=models.Index(
                fields=["urban_body", "id"],
                condition=models.Q(urban_body__isnull=False),
                name="registry_family_urban_body_ids",
            ),
        ),
        # Each new key index is built before the one it replaces is dropped: searches
        # always have one.
        AddIndexConcurrentlyOnPostgres(
            model_name="member",
            index=models.Index(
                fields=["surname_key", "given_key", "family"],
                include=["id"],
                name="registry_member_surname_keys",
            ),
        ),
        RemoveIndexConcurrentlyOnPostgres(
            model_name="member",
            name="registry_me_surname_c83ff5_idx",
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="member",
            index=models.Index(
                fields=["given_key", "surname_key", "family"],
                include=["id"],
                name="registry_member_given_keys",
            ),
        ),
        RemoveIndexConcurrentlyOnPostgres(
            model_name="member",
            name="registry_me_given_k_ec9915_idx",
        ),
    ]
