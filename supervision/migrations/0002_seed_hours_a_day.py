from django.db import migrations


def seed_hours_a_day(apps, schema_editor):
    """Tenants created before the code existed get its default (stations.policy)."""
    from stations.policy import seed_defaults

    seed_defaults(
        apps,
        "supervision_hours_per_day_max",
        "默认值（平台默认：一名督导一天超过 12 小时提示审核人）",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0004_policy_values"),
        ("supervision", "0001_sessions_and_submissions"),
    ]

    operations = [migrations.RunPython(seed_hours_a_day, migrations.RunPython.noop)]
