from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Profiles and organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from profiles import contributions, exports
        from profiles.mfa import check_at_sign_in
        from profiles.setup import ensure_roles_and_pages

        contributions.register()
        exports.register()
        post_migrate.connect(ensure_roles_and_pages, sender=self, dispatch_uid="profiles_roles_pages")
        user_logged_in.connect(check_at_sign_in, dispatch_uid="profiles_mfa_check_at_sign_in")
