from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Partnerships and results"
    default_auto_field = "django.db.models.BigAutoField"
