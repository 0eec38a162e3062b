from django.apps import AppConfig
from django.db.models.signals import post_migrate

from hub.upload_handlers import temp_dir


class HubConfig(AppConfig):
    """Hub asks the apps above it through Wagtail hooks (hub/hooks.py); here only signals and checks are wired."""

    name = "hub"
    verbose_name = "Bridges hub"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # task_queue is imported for the deploy check it registers.
        from hub import bulk, page_cache, site_setup, task_queue  # noqa: F401 # cycle: models load after apps.py
        from hub.search import registry, signals  # cycle: these import models, which load after apps.py

        # Before Django's system checks, which refuse a FILE_UPLOAD_TEMP_DIR that does not exist yet (fresh checkout).
        try:
            temp_dir()
        except OSError:
            pass  # an unwritable media root: the upload middleware logs it and answers 507 on the first upload
        post_migrate.connect(site_setup.ensure_site_structure, sender=self, dispatch_uid="hub_site_structure")
        registry.autodiscover()
        signals.connect()
        page_cache.connect()
        bulk.connect_change_signals()
