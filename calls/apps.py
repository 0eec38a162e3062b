from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = "Research calls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from calls import contributions, dashboard
        from calls.setup import ensure_pages

        contributions.register()
        dashboard.register()
        post_migrate.connect(ensure_pages, sender=self, dispatch_uid="calls_pages")
