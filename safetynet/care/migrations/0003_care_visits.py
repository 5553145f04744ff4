"""The visiting rules of 特困 persons cared for at home (issue 14, item 5), seeded as the registry
seeds its own (registry 0008_visits): the city bureau edits them afterwards on the visiting-rules page.

- "tekun_dispersed" (seeded monthly by the registry, its group registered by care): also within 24
  hours of a cold wave — every 特困 person at home is looked in on after a major weather event; the
  row is changed only if the city bureau has not changed it since (changed_by is empty);
- "tekun_dispersed_high_risk": weekly, and within 24 hours of a cold wave."""

from django.db import migrations

HIGH_RISK = "tekun_dispersed_high_risk"
DISPERSED = "tekun_dispersed"


def seed_rules(apps, schema_editor):
    rule = apps.get_model("registry", "VisitRule")
    rule.objects.get_or_create(group=HIGH_RISK, defaults={"every_days": 7, "cold_wave_hours": 24})
    dispersed, _ = rule.objects.get_or_create(group=DISPERSED, defaults={"every_days": 30})
    if dispersed.changed_by_id is None and dispersed.cold_wave_hours is None:
        dispersed.cold_wave_hours = 24
        dispersed.save(update_fields=["cold_wave_hours"])


def unseed_rules(apps, schema_editor):
    rule = apps.get_model("registry", "VisitRule")
    rule.objects.filter(group=HIGH_RISK, changed_by__isnull=True).delete()
    rule.objects.filter(group=DISPERSED, changed_by__isnull=True, cold_wave_hours=24).update(
        cold_wave_hours=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0002_purchase"),
        ("registry", "0008_visits"),
    ]

    operations = [migrations.RunPython(seed_rules, unseed_rules)]
