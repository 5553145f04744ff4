from django.db import migrations, models


def mark_earlier_runs(apps, schema_editor):
    """Runs kept before the field: a result received without qualifying is what they listed as such."""
    result = apps.get_model("programmes", "EligibilityResult")
    result.objects.filter(qualifies=False, enrolled=True).update(no_longer=True)


class Migration(migrations.Migration):

    dependencies = [
        ("programmes", "0006_enrolment_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="eligibilityresult",
            name="no_longer",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_earlier_runs, migrations.RunPython.noop),
    ]
