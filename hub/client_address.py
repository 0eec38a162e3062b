"""The client's IP address behind every per-IP limit (API throttling, sign-in rate limits, security emails).

One rule, from the settings: with ``TRUSTED_CLIENT_IP_HEADER`` set, the one header the proxy writes; with
``TRUSTED_PROXY_COUNT = n > 0``, the n-th address from the right of ``X-Forwarded-For`` (the entries further
left were written by the client and prove nothing); otherwise ``REMOTE_ADDR``. A forged header therefore
neither gives a client a fresh quota nor spends another client's.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "unknown"


def _without_port(value: str) -> str:
    """``203.0.113.5:4711`` → ``203.0.113.5``; ``[2001:db8::1]:443`` → ``2001:db8::1``; others unchanged."""
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def _clean(value: str | None) -> str | None:
    """The address in its canonical spelling (one client, one key), or None if it is not an IP address."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(_without_port(value.strip())))
    except ValueError:
        return None


def _from_forwarded_for(request: HttpRequest, trusted_proxies: int) -> str | None:
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    if not entries:
        return None
    # Fewer entries than proxies: the request skipped the outer ones; the leftmost was still written by ours.
    return entries[-min(trusted_proxies, len(entries))]


def client_address(request: HttpRequest) -> str:
    """The IP address of the client that sent ``request``, under the trusted-proxy settings."""
    header = getattr(settings, "TRUSTED_CLIENT_IP_HEADER", None)
    trusted_proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if header:
        candidate = request.headers.get(header)
    elif trusted_proxies > 0:
        candidate = _from_forwarded_for(request, trusted_proxies)
    else:
        candidate = None
    return _clean(candidate) or _clean(request.META.get("REMOTE_ADDR")) or UNKNOWN
