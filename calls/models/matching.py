"""Precomputed matching vectors (bitsets of vocabulary ids) and the invitations a city sends from them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProfileVector(models.Model):
    """A researcher's themes, methods, places and languages as bitsets, with who may see what.

    Rebuilt whenever the profile or one of its lists changes (``calls.matching.vectors``) and by
    ``manage.py rebuild_match_vectors``; ranking reads only these rows.
    """

    profile = models.OneToOneField(
        "profiles.ResearcherProfile", on_delete=models.CASCADE, primary_key=True, related_name="match_vector"
    )
    themes = models.BinaryField(default=b"")
    sdg_targets = models.BinaryField(default=b"")
    methods = models.BinaryField(default=b"")
    groups = models.BinaryField(default=b"")
    countries = models.BinaryField(default=b"")
    languages = models.BinaryField(default=b"")
    early_career = models.BooleanField(default=False)
    is_available = models.BooleanField(default=True)
    available_from = models.DateField(null=True, blank=True)
    listed = models.BooleanField(default=True, help_text=_("A public profile of an active user."))
    countries_visibility = models.CharField(max_length=8, default="public")
    languages_visibility = models.CharField(max_length=8, default="public")
    career_stage_visibility = models.CharField(max_length=8, default="public")
    availability_visibility = models.CharField(max_length=8, default="members")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("profile match vector")

    def __str__(self) -> str:
        return f"match vector of profile {self.profile_id}"


class CallVector(models.Model):
    """A call's themes, methods, groups and required languages as bitsets, with the rules that filter it."""

    call = models.OneToOneField(
        "calls.ResearchCall", on_delete=models.CASCADE, primary_key=True, related_name="match_vector"
    )
    themes = models.BinaryField(default=b"")
    sdg_targets = models.BinaryField(default=b"")
    methods = models.BinaryField(default=b"")
    groups = models.BinaryField(default=b"")
    required_languages = models.BinaryField(default=b"")
    organisation_id = models.IntegerField(null=True, blank=True)
    country_id = models.IntegerField(null=True, blank=True)
    early_career = models.CharField(max_length=16, default="open")
    cross_border = models.CharField(max_length=16, default="allowed")
    closes_at = models.DateTimeField(null=True, blank=True)
    live = models.BooleanField(default=True)
    current = models.BooleanField(default=True, help_text=_("Live, neither cancelled nor awarded."))
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("call match vector")

    def __str__(self) -> str:
        return f"match vector of call {self.call_id}"


class MatchInvitation(models.Model):
    """A city official invited a researcher who fits to apply to a call: once per researcher and call."""

    call = models.ForeignKey("calls.ResearchCall", on_delete=models.CASCADE, related_name="match_invitations")
    profile = models.ForeignKey(
        "profiles.ResearcherProfile", on_delete=models.CASCADE, related_name="match_invitations"
    )
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    score = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["call", "profile"], name="one_match_invitation_per_call")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.profile} → {self.call}"
