from django.conf import settings


def site(request):
    """Values every template needs: the site name and whether demo hints may show."""
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "SHOW_DEMO_PASSWORDS": getattr(settings, "SHOW_DEMO_PASSWORDS", False) and settings.DEBUG,
    }
