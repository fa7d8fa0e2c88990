from django.db import migrations


def seed_hours_a_day(apps, schema_editor):
    """Tenants created before the code existed get its default (stations.policy)."""
    from stations.policy import DEFINITIONS

    definition = DEFINITIONS["supervision_hours_per_day_max"]
    Tenant = apps.get_model("stations", "Tenant")
    PolicyValue = apps.get_model("stations", "PolicyValue")
    for tenant in Tenant.objects.exclude(policy_values__code=definition.code):
        PolicyValue.objects.bulk_create(
            PolicyValue(
                tenant=tenant,
                code=definition.code,
                value=default.value,
                unit=str(definition.unit),
                clause=definition.clause,
                effective_from=default.effective_from,
                effective_to=default.effective_to,
                note="默认值（平台默认：一名督导一天超过 12 小时提示审核人）",
            )
            for default in definition.defaults
        )


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0004_policy_values"),
        ("supervision", "0001_sessions_and_submissions"),
    ]

    operations = [migrations.RunPython(seed_hours_a_day, migrations.RunPython.noop)]
