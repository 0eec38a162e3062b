"""Small-cell suppression (recommendation 7): public tables, charts, downloads and the API hide small counts.

Pure functions plus one settings read; every public rendering of counts goes through here.
"""

from decimal import Decimal

SUPPRESSED = None  # what a suppressed cell becomes in JSON; CSV and HTML show SUPPRESSED_LABEL
SUPPRESSED_LABEL = "<5"  # replaced by f"<{threshold}" where the threshold is known


def site_minimum() -> int:
    """The site-wide minimum threshold (SiteSettings.small_cell_threshold, default 5)."""
    from wagtail.models import Site

    from hub.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return 5
    return max(1, SiteSettings.for_site(site).small_cell_threshold)


def effective_threshold(requested: int | None, *, minimum: int | None = None) -> int:
    """A dataset's threshold: what it asks for, but never lower than the site minimum."""
    floor = site_minimum() if minimum is None else minimum
    return max(floor, requested or 0)


def is_suppressed(value, threshold: int) -> bool:
    """True for a count in 1…threshold-1 (zero is not disclosive and stays visible)."""
    if value is None or value == "":
        return False
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return False
    return 0 < number < threshold


def suppress(value, threshold: int):
    """The value, or ``SUPPRESSED`` when it is a small count."""
    return SUPPRESSED if is_suppressed(value, threshold) else value


def label(threshold: int) -> str:
    """How a suppressed cell reads in HTML and CSV, e.g. ``<5``."""
    return f"<{threshold}"
