"""What projects does when calls awards a proposal (registered in ProjectsConfig.ready)."""

from projects.services.partnerships import partnership_create_from_award


def create_partnership_from_award(*, proposal, by):
    """Award handler: the awarded proposal becomes a partnership."""
    return partnership_create_from_award(proposal=proposal, by=by)
