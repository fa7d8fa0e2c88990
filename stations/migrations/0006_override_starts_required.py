from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0005_dated_coverage_overrides"),
    ]

    operations = [
        migrations.AlterField(
            model_name="coverageoverride",
            name="effective_from",
            field=models.DateField(verbose_name="起始日期"),
        ),
        migrations.AlterField(
            model_name="coverageoverrideevent",
            name="effective_from",
            field=models.DateField(verbose_name="起始日期"),
        ),
    ]
