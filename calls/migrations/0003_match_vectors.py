import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0002_reminders"),
        ("profiles", "0005_languages_with_level"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CallVector",
            fields=[
                (
                    "call",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="match_vector",
                        serialize=False,
                        to="calls.researchcall",
                    ),
                ),
                ("themes", models.BinaryField(default=b"")),
                ("sdg_targets", models.BinaryField(default=b"")),
                ("methods", models.BinaryField(default=b"")),
                ("groups", models.BinaryField(default=b"")),
                ("required_languages", models.BinaryField(default=b"")),
                ("organisation_id", models.IntegerField(blank=True, null=True)),
                ("country_id", models.IntegerField(blank=True, null=True)),
                ("early_career", models.CharField(default="open", max_length=16)),
                ("cross_border", models.CharField(default="allowed", max_length=16)),
                ("closes_at", models.DateTimeField(blank=True, null=True)),
                ("live", models.BooleanField(default=True)),
                ("current", models.BooleanField(default=True, help_text="Live, neither cancelled nor awarded.")),
                ("updated_at", models.DateTimeField(auto_now=True, db_index=True)),
            ],
            options={"verbose_name": "call match vector"},
        ),
        migrations.CreateModel(
            name="ProfileVector",
            fields=[
                (
                    "profile",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="match_vector",
                        serialize=False,
                        to="profiles.researcherprofile",
                    ),
                ),
                ("themes", models.BinaryField(default=b"")),
                ("sdg_targets", models.BinaryField(default=b"")),
                ("methods", models.BinaryField(default=b"")),
                ("groups", models.BinaryField(default=b"")),
                ("countries", models.BinaryField(default=b"")),
                ("languages", models.BinaryField(default=b"")),
                ("early_career", models.BooleanField(default=False)),
                ("is_available", models.BooleanField(default=True)),
                ("available_from", models.DateField(blank=True, null=True)),
                ("listed", models.BooleanField(default=True, help_text="A public profile of an active user.")),
                ("countries_visibility", models.CharField(default="public", max_length=8)),
                ("languages_visibility", models.CharField(default="public", max_length=8)),
                ("career_stage_visibility", models.CharField(default="public", max_length=8)),
                ("availability_visibility", models.CharField(default="members", max_length=8)),
                ("updated_at", models.DateTimeField(auto_now=True, db_index=True)),
            ],
            options={"verbose_name": "profile match vector"},
        ),
        migrations.CreateModel(
            name="MatchInvitation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("score", models.PositiveSmallIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "call",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="match_invitations",
                        to="calls.researchcall",
                    ),
                ),
                (
                    "invited_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "profile",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="match_invitations",
                        to="profiles.researcherprofile",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(fields=("call", "profile"), name="one_match_invitation_per_call")
                ],
            },
        ),
    ]
