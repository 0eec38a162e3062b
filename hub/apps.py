from django.apps import AppConfig
from django.db.models.signals import post_migrate


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Bridges hub"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from hub import bulk, page_cache, task_queue  # noqa: F401  (task_queue registers its deploy check)
        from hub.search import registry, signals
        from hub.site_setup import ensure_site_structure
        from hub.upload_handlers import temp_dir

        # Before Django's system checks, which refuse a FILE_UPLOAD_TEMP_DIR that does not exist yet (fresh checkout).
        try:
            temp_dir()
        except OSError:
            pass  # an unwritable media root: the upload middleware logs it and answers 507 on the first upload
        post_migrate.connect(ensure_site_structure, sender=self, dispatch_uid="hub_site_structure")
        registry.autodiscover()
        signals.connect()
        page_cache.connect()
        bulk.connect_change_signals()
