from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CallsConfig(AppConfig):
    """What calls answers to lower layers is registered as Wagtail hooks in calls/wagtail_hooks.py (hub/hooks.py)."""

    name = "calls"
    verbose_name = "Research calls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from calls import (  # cycle: these import models, which are not loaded when apps.py is
            alerts,
            review_numbers,
            setup,
        )
        from calls.matching import signals as matching_signals  # cycle: as above

        alerts.connect()
        matching_signals.connect()
        review_numbers.connect()
        post_migrate.connect(setup.ensure_pages, sender=self, dispatch_uid="calls_pages")
