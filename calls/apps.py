from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = "Research calls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from calls import alerts, contributions, dashboard, exports, personal_data
        from calls.matching import contributions as matching_contributions
        from calls.matching import signals as matching_signals
        from calls.setup import ensure_pages

        contributions.register()
        dashboard.register()
        personal_data.register()
        alerts.register()
        exports.register()
        matching_contributions.register()
        matching_signals.connect()
        post_migrate.connect(ensure_pages, sender=self, dispatch_uid="calls_pages")
