"""Panels calls adds to /dashboard/: proposals, invitations and reviews to do; a city's calls."""


def register() -> None:
    pass
