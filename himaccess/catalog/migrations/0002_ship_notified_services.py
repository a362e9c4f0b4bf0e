"""Publish the services that ship with the product as version 1 of each (catalog/shipped.py)."""

from django.db import migrations


def ship(apps, schema_editor):
    from himaccess.catalog import definitions, search, shipped

    Department = apps.get_model("departments", "Department")
    Service = apps.get_model("catalog", "Service")
    ServiceVersion = apps.get_model("catalog", "ServiceVersion")
    departments = {d.code: d for d in Department.objects.all()}
    for raw in shipped.definitions():
        definition = definitions.validate(raw, department_codes=set(departments))
        if Service.objects.filter(code=definition["code"]).exists():
            continue
        department = departments[definition["department"]]
        service = Service.objects.create(
            code=definition["code"],
            name_en=definition["name_en"],
            name_hi=definition["name_hi"],
            department=department,
            category=definition["category"],
            life_situations=definition["life_situations"],
            search_keys=search.search_keys(definition, (department.name_en, department.name_hi)),
        )
        version = ServiceVersion.objects.create(
            service=service, number=1, definition=definition, note="Shipped with Him-Access"
        )
        service.current_version = version
        service.save(update_fields=["current_version"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial"), ("departments", "0002_load_departments")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
