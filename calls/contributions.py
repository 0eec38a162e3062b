"""What calls contributes to hub and profiles pages: numbers, latest calls, city sections, dashboard panels."""


def register() -> None:
    pass
