"""Site-wide models: pages, site settings and the shared vocabularies."""

from .pages import HomePage, StandardPage
from .settings import SiteSettings
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
    "GroupAtRisk",
    "HomePage",
    "Instrument",
    "Language",
    "Method",
    "SDGGoal",
    "SDGIndicator",
    "SDGTarget",
    "SiteSettings",
    "StandardPage",
    "Theme",
    "ThemeArticle",
]
