"""Vocabulary names translatable in the admin (issue 16 §7): a ``translations`` field on themes, methods, groups
and instruments, filled from the catalogues' translations (the SDGs have theirs, in seven languages, since 0002)."""

from django.db import migrations, models

from hub.vocabulary_names import load_name_translations


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0007_sent_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="groupatrisk",
            name="translations",
            field=models.JSONField(
                blank=True, default=dict, help_text="Names in other languages, keyed by language code."
            ),
        ),
        migrations.AddField(
            model_name="instrument",
            name="translations",
            field=models.JSONField(
                blank=True, default=dict, help_text="Names in other languages, keyed by language code."
            ),
        ),
        migrations.AddField(
            model_name="method",
            name="translations",
            field=models.JSONField(
                blank=True, default=dict, help_text="Names in other languages, keyed by language code."
            ),
        ),
        migrations.AddField(
            model_name="theme",
            name="translations",
            field=models.JSONField(
                blank=True, default=dict, help_text="Names in other languages, keyed by language code."
            ),
        ),
        migrations.RunPython(load_name_translations, migrations.RunPython.noop),
    ]
