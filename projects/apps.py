from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Partnerships and results"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from calls.hooks import register_award_handler
        from projects import (
            alerts,
            contributions,
            contributions_case_studies,
            contributions_datasets,
            contributions_indicators,
            contributions_results,
            contributions_uptake,
            exports,
        )
        from projects.handlers import create_partnership_from_award
        from projects.setup import ensure_pages

        register_award_handler(create_partnership_from_award)
        for module in (
            contributions,
            contributions_results,
            contributions_datasets,
            contributions_indicators,
            contributions_uptake,
            contributions_case_studies,
        ):
            module.register()
        alerts.register()
        exports.register()
        exports.connect_signals()
        post_migrate.connect(ensure_pages, sender=self, dispatch_uid="projects_pages")
