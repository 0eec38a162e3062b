"""What projects contributes to hub pages: the number of public partnerships."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from hub.registry import Stat, register_stat


def _count_partnerships() -> int:
    from projects.selectors import partnerships_public

    return partnerships_public().count()


def register() -> None:
    register_stat(
        Stat("partnerships", _("partnerships"), 40, _count_partnerships, url=reverse_lazy("partnership_list"))
    )
