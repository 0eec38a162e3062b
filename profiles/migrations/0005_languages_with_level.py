"""Working languages gain a level: the plain many-to-many becomes one through ProfileLanguage."""

from django.db import migrations, models


def copy_languages(apps, schema_editor):
    ResearcherProfile = apps.get_model("profiles", "ResearcherProfile")
    ProfileLanguage = apps.get_model("profiles", "ProfileLanguage")
    Through = ResearcherProfile.old_languages.through
    ProfileLanguage.objects.bulk_create(
        [
            ProfileLanguage(profile_id=row.researcherprofile_id, language_id=row.language_id, level="working")
            for row in Through.objects.all()
        ],
        ignore_conflicts=True,
    )


def copy_back(apps, schema_editor):
    ResearcherProfile = apps.get_model("profiles", "ResearcherProfile")
    ProfileLanguage = apps.get_model("profiles", "ProfileLanguage")
    Through = ResearcherProfile.old_languages.through
    Through.objects.bulk_create(
        [
            Through(researcherprofile_id=row.profile_id, language_id=row.language_id)
            for row in ProfileLanguage.objects.all()
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("hub", "0003_cache_table"), ("profiles", "0004_profile_fields")]

    operations = [
        migrations.RenameField("researcherprofile", "languages", "old_languages"),
        migrations.RunPython(copy_languages, copy_back),
        migrations.RemoveField("researcherprofile", "old_languages"),
        migrations.AddField(
            model_name="researcherprofile",
            name="languages",
            field=models.ManyToManyField(
                blank=True, related_name="researchers", through="profiles.ProfileLanguage", to="hub.language"
            ),
        ),
    ]
