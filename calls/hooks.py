"""Contribution points for apps above ``calls``: ``projects`` creates a Partnership when a call is awarded.

``calls`` must not import ``projects``; projects registers its handler from ``AppConfig.ready``.
Handlers run inside the award's transaction, so a failing handler leaves nothing half-done.
"""

from collections.abc import Callable
from typing import Any

_award_handlers: list[Callable[..., Any]] = []


def register_award_handler(handler: Callable[..., Any]) -> None:
    """``handler(*, proposal, by)`` runs once for every awarded proposal."""
    if handler not in _award_handlers:
        _award_handlers.append(handler)


def run_award_handlers(*, proposal, by) -> list[Any]:
    return [handler(proposal=proposal, by=by) for handler in _award_handlers]
