from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = "Research calls"
    default_auto_field = "django.db.models.BigAutoField"
