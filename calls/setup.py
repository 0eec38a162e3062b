"""Pages calls needs in every database (idempotent; runs after migrate)."""

from calls.models import CallsIndexPage
from hub.models import HomePage


def ensure_pages(**kwargs) -> None:
    """The /calls/ index page."""
    home = HomePage.objects.first()
    if home is None or CallsIndexPage.objects.exists():
        return
    home.add_child(
        instance=CallsIndexPage(
            title="Research calls",
            slug="calls",
            intro="Cities commission human-rights research here. Filter by theme, SDG, method or deadline, "
            "and subscribe to new calls by feed or calendar.",
        )
    )
