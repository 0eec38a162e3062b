from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Partnerships and results"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from calls.hooks import register_award_handler
        from projects import alerts, contributions
        from projects.handlers import create_partnership_from_award

        register_award_handler(create_partnership_from_award)
        contributions.register()
        alerts.register()
