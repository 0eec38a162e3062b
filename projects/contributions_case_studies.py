"""What case studies and the methods library answer to the home page's hooks (registered in
projects/wagtail_hooks.py): featured case studies, the number of methods."""

from django.utils.translation import gettext_lazy as _

from hub.registry import LatestSection, Stat
from projects.selectors.case_studies import featured_case_studies
from projects.selectors.methods import method_pages_public


def featured(limit: int) -> LatestSection:
    return LatestSection("case_studies", _("Featured case studies"), featured_case_studies(limit), url="/case-studies/")


def methods_stat() -> Stat:
    return Stat("methods", _("methods in the library"), method_pages_public().count(), url="/methods/")
