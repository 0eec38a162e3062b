from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Profiles and organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from profiles import contributions, exports
        from profiles.setup import ensure_roles_and_pages

        contributions.register()
        exports.register()
        post_migrate.connect(ensure_roles_and_pages, sender=self, dispatch_uid="profiles_roles_pages")
