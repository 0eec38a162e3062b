"""Public views of calls: the /calls/ listing, feeds and the iCalendar file."""


def calls_index_context(request) -> dict:
    return {}
