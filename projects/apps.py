from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProjectsConfig(AppConfig):
    """What projects answers to lower layers (the partnership created when a call is awarded, home page numbers, city
    page sections, exports, the partnerships alert source …) is registered as Wagtail hooks in
    projects/wagtail_hooks.py (every hook: hub/hooks.py)."""

    name = "projects"
    verbose_name = "Partnerships and results"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from projects import exports, setup  # cycle: these import models, which are not loaded when apps.py is

        exports.connect_signals()
        post_migrate.connect(setup.ensure_pages, sender=self, dispatch_uid="projects_pages")
