"""A PostgreSQL sequence per ID kind, starting where its counter row stopped.

From here on ``IdCounter.reserve`` draws from the sequence on PostgreSQL, so
the row's value is where the sequence starts: no number is handed out twice.
Kinds first used later get their sequence on demand, likewise. SQLite keeps
counting in the rows.
"""

from django.db import migrations


def create_sequences(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    IdCounter = apps.get_model("registry", "IdCounter")
    with connection.cursor() as cursor:
        for kind, next_value in IdCounter.objects.using(connection.alias).values_list("kind", "next_value"):
            name = connection.ops.quote_name(f"registry_id_{ord(kind):x}")
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} AS bigint MINVALUE 0 START WITH {int(next_value)}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_member_aadhaar_last4")]

    # Dropping the sequences would lose the numbers drawn since: going back keeps them.
    operations = [migrations.RunPython(create_sequences, migrations.RunPython.noop)]
