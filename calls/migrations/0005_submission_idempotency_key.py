from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0004_merge_alerts_matching"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposalversion",
            name="idempotency_key",
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
    ]
