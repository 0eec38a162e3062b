from django.conf import settings


def site(request):
    """Values every template needs: the site name and whether demo hints may show."""
    show_demo = getattr(settings, "SHOW_DEMO_PASSWORDS", False) and settings.DEBUG
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "SHOW_DEMO_PASSWORDS": show_demo,
        "DEMO_PASSWORD": settings.DEMO_PASSWORD if show_demo else "",
    }
