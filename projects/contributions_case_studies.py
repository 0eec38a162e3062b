"""What case studies and the methods library contribute to hub pages: featured case studies on the home page."""

from django.utils.translation import gettext_lazy as _

from hub.registry import LatestSection, Stat, register_latest, register_stat


def _featured(limit: int) -> list:
    from projects.selectors.case_studies import featured_case_studies

    return featured_case_studies(limit)


def _count_methods() -> int:
    from projects.selectors.methods import method_pages_public

    return method_pages_public().count()


def register() -> None:
    register_latest(LatestSection("case_studies", _("Featured case studies"), 5, _featured, url="/case-studies/"))
    register_stat(Stat("methods", _("methods in the library"), 60, _count_methods, url="/methods/"))
