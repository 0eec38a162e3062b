"""Per-client limits key on the address the trusted-proxy rule gives (``hub.client_address``), never on a header
the client wrote: a forged X-Forwarded-For neither buys a fresh quota nor spends another client's.

Each place that limits per client is attacked with TRUSTED_PROXY_COUNT = 0 (no proxy: X-Forwarded-For is the
client's own text) and = 1 (one proxy appends the address it saw, so only the rightmost entry is true).
"""

from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import RequestFactory

import pytest

from hub.client_address import client_address
from profiles.factories import DEMO_PASSWORD, ResearcherProfileFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.5"
VICTIM = "198.51.100.7"
PROXY = "10.0.0.1"
API = "/api/v1/calls/"


def _through(proxies: int, client_ip: str, forged: str | None = None) -> dict:
    """The WSGI environ a request from ``client_ip`` (with its own forged X-Forwarded-For) arrives with."""
    if proxies == 0:
        return {"REMOTE_ADDR": client_ip, **({"HTTP_X_FORWARDED_FOR": forged} if forged else {})}
    chain = [forged, client_ip] if forged else [client_ip]
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ", ".join(chain)}


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(params=[0, 1], ids=["no-proxy", "one-proxy"])
def proxies(request, settings):
    settings.TRUSTED_PROXY_COUNT = request.param
    settings.TRUSTED_CLIENT_IP_HEADER = None
    return request.param


# --- the rule itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "proxies_setting, meta, expected",
    [
        (0, {"REMOTE_ADDR": ATTACKER, "HTTP_X_FORWARDED_FOR": VICTIM}, ATTACKER),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{VICTIM}, {ATTACKER}"}, ATTACKER),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{ATTACKER}:4711"}, ATTACKER),
        (1, {"REMOTE_ADDR": PROXY}, PROXY),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "not-an-address"}, PROXY),
        (2, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{VICTIM}, {ATTACKER}, 10.0.0.2"}, ATTACKER),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "2001:0db8:0000::1"}, "2001:db8::1"),
    ],
)
def test_client_address_trusts_only_the_entries_our_proxies_wrote(settings, proxies_setting, meta, expected):
    settings.TRUSTED_PROXY_COUNT = proxies_setting
    settings.TRUSTED_CLIENT_IP_HEADER = None
    assert client_address(RequestFactory().get("/", **meta)) == expected


def test_a_configured_client_ip_header_is_the_only_one_read(settings):
    settings.TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=ATTACKER, HTTP_X_FORWARDED_FOR=VICTIM)
    assert client_address(request) == ATTACKER


# --- the open data API's anonymous rate limit ---------------------------------------------------


def test_a_new_forged_forwarded_for_on_each_request_does_not_escape_the_api_limit(client, settings, proxies):
    settings.API_ANON_RATE = "3/min"
    statuses = [client.get(API, **_through(proxies, ATTACKER, forged=f"192.0.2.{n}")).status_code for n in range(1, 6)]
    assert statuses == [200, 200, 200, 429, 429]


def test_forging_another_clients_address_does_not_spend_its_api_quota(client, settings, proxies):
    settings.API_ANON_RATE = "3/min"
    for _ in range(5):
        client.get(API, **_through(proxies, ATTACKER, forged=VICTIM))

    response = client.get(API, **_through(proxies, VICTIM))

    assert response.status_code == 200


def test_two_clients_behind_the_same_proxy_have_their_own_api_quota(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.API_ANON_RATE = "3/min"
    for _ in range(4):
        client.get(API, **_through(1, ATTACKER))

    assert client.get(API, **_through(1, ATTACKER)).status_code == 429
    assert client.get(API, **_through(1, VICTIM)).status_code == 200


def test_ninja_throttles_read_forwarded_for_by_the_same_rule(settings):
    from ninja.conf import settings as ninja_settings

    assert ninja_settings.NUM_PROXIES == settings.TRUSTED_PROXY_COUNT


# --- the sign-in rate limits (allauth) ----------------------------------------------------------


def _sign_in(client, email: str, password: str, meta: dict):
    return client.post("/accounts/login/", {"login": email, "password": password}, **meta)


def _refused(response) -> bool:
    return response.status_code == 429 or b"Too many failed login attempts" in response.content


def test_a_new_forged_forwarded_for_on_each_attempt_does_not_escape_the_sign_in_limit(client, proxies):
    ResearcherProfileFactory(user__email="ana.rivera@example.org")
    refused = [
        _refused(
            _sign_in(client, f"guess{n}@example.org", "Wrong-password-123", _through(proxies, ATTACKER, f"192.0.2.{n}"))
        )
        for n in range(1, 13)
    ]
    assert any(refused), "a forged X-Forwarded-For made every attempt count as a new client"

    _sign_in(client, "ana.rivera@example.org", DEMO_PASSWORD, _through(proxies, ATTACKER, forged="192.0.2.200"))
    assert client.session.get(SESSION_KEY) is None


def test_forging_another_clients_address_does_not_lock_it_out_of_signing_in(client, proxies):
    ResearcherProfileFactory(user__email="ana.rivera@example.org")
    for n in range(1, 13):
        _sign_in(client, f"guess{n}@example.org", "Wrong-password-123", _through(proxies, ATTACKER, forged=VICTIM))

    _sign_in(client, "ana.rivera@example.org", DEMO_PASSWORD, _through(proxies, VICTIM))

    assert client.session.get(SESSION_KEY) is not None
