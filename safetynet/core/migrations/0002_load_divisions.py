from django.db import migrations


def load(apps, schema_editor):
    from safetynet.core.divisions import load_divisions

    load_divisions(apps.get_model("core", "Division"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
