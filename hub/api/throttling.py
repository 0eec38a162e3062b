"""Anonymous rate limit of the API, read from ``settings.API_ANON_RATE`` on every request (tests override it)."""

from django.conf import settings
from django.http import HttpRequest

from ninja.throttling import AnonRateThrottle

from hub.client_address import client_address

DEFAULT_RATE = "120/min"


class SettingsAnonRateThrottle(AnonRateThrottle):
    """Per-IP limit for anonymous clients, e.g. ``API_ANON_RATE = "120/min"``; an empty rate switches it off."""

    def __init__(self):
        super().__init__(rate=DEFAULT_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        rate = getattr(settings, "API_ANON_RATE", DEFAULT_RATE)
        if not rate:
            return True
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)

    def get_ident(self, request: HttpRequest) -> str:
        # Ninja's own rule trusts a raw X-Forwarded-For: a forged one would buy a fresh quota or spend another's.
        return client_address(request)
