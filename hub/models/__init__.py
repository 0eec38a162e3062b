"""Site-wide models: pages, site settings and the shared vocabularies."""

from hub.search.models import SearchEntry, SearchFacet

from .demo import DemoContent
from .mail import SentEmail
from .pages import HomePage, StandardPage
from .settings import SiteSettings
from .tasks import UnsentTask
from .vocabularies import (
    Country,
    GroupAtRisk,
    Instrument,
    Language,
    Method,
    SDGGoal,
    SDGIndicator,
    SDGTarget,
    Theme,
    ThemeArticle,
)

__all__ = [
    "Country",
    "DemoContent",
    "GroupAtRisk",
    "HomePage",
    "Instrument",
    "Language",
    "Method",
    "SDGGoal",
    "SDGIndicator",
    "SDGTarget",
    "SearchEntry",
    "SearchFacet",
    "SentEmail",
    "SiteSettings",
    "UnsentTask",
    "StandardPage",
    "Theme",
    "ThemeArticle",
]
