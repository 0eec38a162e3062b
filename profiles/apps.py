from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class ProfilesConfig(AppConfig):
    """What profiles answers to hub is registered as Wagtail hooks in profiles/wagtail_hooks.py (hub/hooks.py)."""

    name = "profiles"
    verbose_name = "Profiles and organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from profiles import mfa, setup  # cycle: these import models, which are not loaded when apps.py is

        post_migrate.connect(setup.ensure_roles_and_pages, sender=self, dispatch_uid="profiles_roles_pages")
        user_logged_in.connect(mfa.check_at_sign_in, dispatch_uid="profiles_mfa_check_at_sign_in")
