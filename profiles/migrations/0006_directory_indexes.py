"""Indexes for listings at scale: the directory's order (by the user's name) and the newest researchers."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0005_languages_with_level"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="researcherprofile",
            index=models.Index(fields=["created_at"], name="researcher_created_idx"),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["last_name", "first_name"], name="user_name_idx"),
        ),
    ]
