"""Drills through the production topology: nginx in front of two app nodes sharing PostgreSQL, Redis and the media.

Slow clients never reach a node; a visit that hops from one node to the other behaves as on one node (session, CSRF
token, upload, cache invalidation, matching vectors, rate limits); a node killed outright leaves the site serving;
private files leave through nginx (X-Accel-Redirect) only after the permission check, and /media/ never serves one.
"""

import os
import re
import signal
import socket
import ssl
import threading
import time
import uuid
from html import unescape
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from hub.cache import RETRY_SECONDS
from tests.calls.test_proposal_services import PDF
from tests.drills.topology.conftest import Client, Form, topology_command, unique

pytestmark = [pytest.mark.drill, pytest.mark.topology]


def _main_text(page: str) -> str:
    """The page's main content as text (no tags, no tokens): what a reader sees."""
    match = re.search(r"<main\b.*?</main>", page, re.S)
    body = match.group(0) if match else page
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _signed_in(client: Client, email: str, *, via: str) -> None:
    response = client.sign_in(email, via=via)
    assert response.status_code == 302, f"{email} could not sign in via {via} ({response.status_code})"


# --- slow clients --------------------------------------------------------------------------------------------------


def _slow_header_client(host: str, port: int, stop: threading.Event, opened: list) -> None:
    """Open a TLS connection and send a request's headers a few bytes at a time, forever (reconnect when cut)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    while not stop.is_set():
        try:
            with socket.create_connection((host, port), timeout=5) as raw:
                with context.wrap_socket(raw, server_hostname=host) as sock:
                    opened.append(1)
                    sock.sendall(f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\n".encode())
                    while not stop.is_set():
                        sock.sendall(b"X-Slow: a\r\n")
                        stop.wait(2)
        except OSError:
            stop.wait(0.5)


def test_slow_header_clients_do_not_starve_normal_requests(topology, client_factory):
    """64 connections trickling their headers for 25 s; every normal request meanwhile is answered within 5 s."""
    url = urlsplit(topology["url"])
    stop, opened = threading.Event(), []
    threads = [
        threading.Thread(target=_slow_header_client, args=(url.hostname, url.port, stop, opened), daemon=True)
        for _ in range(64)
    ]
    for thread in threads:
        thread.start()
    client = client_factory()
    timings, failures = [], []
    try:
        time.sleep(2)
        deadline = time.monotonic() + 23
        paths = ["/cities/", "/robots.txt", "/calls/", "/researchers/"]
        index = 0
        while time.monotonic() < deadline:
            path = paths[index % len(paths)]
            index += 1
            started = time.monotonic()
            try:
                response = client.get(path, timeout=5)
                ok = response.status_code == 200
            except OSError as error:  # requests' timeouts and connection errors
                ok, response = False, error
            timings.append(time.monotonic() - started)
            if not ok:
                failures.append((path, getattr(response, "status_code", response)))
            time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert len(opened) >= 64, "the slow clients did not all get a connection"
    assert len(timings) >= 20
    assert failures == [], f"normal requests failed while slow clients were connected: {failures[:5]}"
    assert max(timings) < 5, f"a normal request took {max(timings):.1f} s"


# --- one visit, two nodes ------------------------------------------------------------------------------------------


def test_a_session_begun_on_one_node_continues_on_the_other(client_factory, researchers):
    client = client_factory()
    _signed_in(client, researchers[1], via="1")

    dashboard = client.get("/dashboard/", via="2")

    assert dashboard.status_code == 200, "node 2 does not know node 1's session"
    assert researchers[1].split("@")[0].split(".")[0] in dashboard.text.lower()
    anonymous = client_factory().get("/dashboard/", via="2")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.headers["Location"]


def test_a_form_token_from_one_node_is_accepted_by_the_other(client_factory, researchers):
    client = client_factory()
    _signed_in(client, researchers[2], via="2")
    page = client.get("/dashboard/", via="1")
    sign_out = Form.first(page.text, action="/accounts/logout/", page="/dashboard/")
    assert sign_out.fields.get("csrfmiddlewaretoken"), "the sign-out form carries no CSRF token"

    forged = client.post("/accounts/logout/", via="2", data={"csrfmiddlewaretoken": "x" * 64})
    assert forged.status_code == 403, "a made-up CSRF token was accepted"
    response = client.post("/accounts/logout/", via="2", data=sign_out.data())

    assert response.status_code == 302, f"node 2 refused node 1's CSRF token ({response.status_code})"
    assert client.get("/dashboard/", via="1").status_code == 302, "still signed in after signing out"


def _outsider(topology_db, proposal_id: int, researchers: list[str]) -> str:
    team = {row[0] for row in topology_db("SELECT email FROM calls_teammember WHERE proposal_id = %s", proposal_id)}
    return next(email for email in reversed(researchers) if email not in team)


@pytest.fixture(scope="module")
def uploaded(topology, draft):
    """A PDF attached to a draft: the form shown by node 1, the file posted through node 2."""
    proposal_id, lead = draft
    client = Client(topology)
    _signed_in(client, lead, via="1")
    edit = f"/proposals/{proposal_id}/edit/"
    action = f"/proposals/{proposal_id}/attachments/"
    form = client.form(edit, via="1", action=action)
    content = PDF + f"% {uuid.uuid4().hex}\n".encode()
    name = f"Évaluation {uuid.uuid4().hex[:6]}.pdf"
    response = client.post(action, via="2", data=form.data(), files={"file": (name, content, "application/pdf")})
    assert response.status_code == 302, f"node 2 refused the upload begun on node 1 ({response.status_code})"
    page = client.get(edit, via="1").text
    links = re.findall(rf'href="(/proposals/{proposal_id}/attachments/(\d+)/)"[^>]*>([^<]*)<', page)
    (link,) = [href for href, _id, text in links if unescape(text).strip() == name]
    return {"client": client, "link": link, "content": content, "name": name, "proposal": proposal_id, "lead": lead}


def test_an_upload_begun_on_one_node_is_stored_for_both(uploaded):
    client = uploaded["client"]
    page = client.get(f"/proposals/{uploaded['proposal']}/edit/", via="2").text
    assert uploaded["link"] in page, "node 2 does not list the file posted through it"
    response = client.get(uploaded["link"])
    assert response.status_code == 200 and response.content == uploaded["content"]


def test_a_private_file_leaves_through_nginx_only_for_those_allowed(topology, topology_db, researchers, uploaded):
    client, link = uploaded["client"], uploaded["link"]

    direct = client.get(link, via="2")
    assert direct.status_code == 200
    target = direct.headers.get("X-Accel-Redirect", "")
    assert target.startswith("/_private/"), "the node sent the file itself instead of handing it to nginx"
    assert direct.content == b""

    response = client.get(link)
    assert response.status_code == 200 and response.content == uploaded["content"]
    assert response.headers["Content-Type"] == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert quote(uploaded["name"]) in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    assert "X-Accel-Redirect" not in response.headers
    assert response.headers.get("X-Content-Type-Options") == "nosniff"

    outsider = Client(topology)
    _signed_in(outsider, _outsider(topology_db, uploaded["proposal"], researchers), via="nginx")
    assert outsider.get(link).status_code == 404
    anonymous = Client(topology).get(link)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.headers["Location"]

    # The internal location and the public media never give the file out, by whatever path.
    stored = unquote(target.removeprefix("/_private/"))
    assert (Path(topology["env"]["PRIVATE_MEDIA_ROOT"]) / stored).read_bytes() == uploaded["content"]
    for path in (
        target,
        f"/media/{quote(stored)}",
        f"/media/../private-media/{quote(stored)}",
        f"/media/%2e%2e/private-media/{quote(stored)}",
        f"/private-media/{quote(stored)}",
    ):
        leaked = anonymous_get(topology, path)
        assert leaked.status_code in (301, 302, 400, 403, 404), f"{path}: {leaked.status_code}"
        assert uploaded["content"] not in leaked.content, f"{path} gave out the private file"


def anonymous_get(topology: dict, path: str):
    import requests

    request = requests.Request("GET", topology["url"].rstrip("/") + "/x").prepare()
    request.url = topology["url"].rstrip("/") + path  # as typed: no normalisation of "..", "%2e"
    with requests.Session() as session:
        return session.send(request, verify=topology["certificate"], allow_redirects=False, timeout=10)


def test_public_media_is_served_by_nginx_and_private_photos_never(topology):
    media = Path(topology["env"]["MEDIA_ROOT"])
    (media / "original_images").mkdir(parents=True, exist_ok=True)
    (media / "original_images" / "drill-public.txt").write_text("public")
    (media / "original_images" / "pvt-abcd1234-drill.jpg").write_text("must stay private")
    assert anonymous_get(topology, "/media/original_images/drill-public.txt").text == "public"
    assert anonymous_get(topology, "/media/original_images/pvt-abcd1234-drill.jpg").status_code == 404


def _edit_profile(client: Client, *, via: str, change) -> None:
    form = client.form("/dashboard/profile/", via=via, action="/dashboard/profile/")
    change(form)
    response = client.post("/dashboard/profile/", via=via, data=form.data())
    assert response.status_code == 302, f"the profile was not saved via {via} ({response.status_code})"


def _profile_id(topology_db, email: str) -> int:
    ((pk,),) = topology_db(
        "SELECT p.id FROM profiles_researcherprofile p JOIN profiles_user u ON u.id = p.user_id WHERE u.email = %s",
        email,
    )
    return pk


def test_a_change_saved_on_one_node_is_seen_on_the_other_at_once(client_factory, topology_db, researchers):
    """The anonymous page cache (Redis) is invalidated for every node, not just the one that saved."""
    email = researchers[3]
    page = f"/researchers/{_profile_id(topology_db, email)}/"
    visitor = client_factory()
    before = visitor.get(page, via="2")
    assert before.status_code == 200
    visitor.get(page, via="2")  # cached now
    headline = unique("Housing rights drill")
    author = client_factory()
    _signed_in(author, email, via="1")

    _edit_profile(author, via="1", change=lambda form: form.fields.__setitem__("headline", [headline]))

    assert headline in visitor.get(page, via="2").text, "node 2 still serves the page as it was before the change"
    assert headline in visitor.get(page).text


def test_matching_vectors_written_on_one_node_are_used_on_the_other(client_factory, researchers):
    """Calls for a researcher, ranked on node 2 after their profile changed on node 1, as node 1 ranks them."""
    email = researchers[4]
    client = client_factory()
    _signed_in(client, email, via="1")
    before = _main_text(client.get("/calls/for-you/", via="2").text)  # node 2 has the vectors in memory now

    def swap_interests(form):
        # Every interest the profile lacks, none of those it has: a different ranking whatever it was before.
        for name in ("themes", "methods", "groups"):
            form.fields[name] = [value for value in form.choices[name] if value not in form.fields[name]]

    _edit_profile(client, via="1", change=swap_interests)
    on_one = _main_text(client.get("/calls/for-you/", via="1").text)
    on_two = _main_text(client.get("/calls/for-you/", via="2").text)

    assert on_one != before, "the change made no difference to the ranking: the drill proves nothing"
    assert on_two == on_one, "node 2 ranks with the profile as it was before the change"


def test_failed_sign_ins_are_counted_across_both_nodes(client_factory, researchers):
    """allauth's limit (5 failures per address in 5 minutes) holds when the failures are spread over the nodes."""
    email = researchers[5]
    for attempt in range(5):
        client = client_factory()
        response = client.sign_in(email, "not-the-password", via="1" if attempt % 2 else "2")
        assert response.status_code == 200, "a wrong password was accepted"

    right = client_factory().sign_in(email, via="1")

    assert right.status_code != 302, "the sixth attempt went through: the nodes count failures separately"
    assert "too many" in right.text.lower()


# --- a node dies ---------------------------------------------------------------------------------------------------


def test_the_site_keeps_serving_when_an_app_node_is_killed(topology, client_factory, researchers):
    state = topology["state"]
    victim = int((state / "node-2.pid").read_text())
    client = client_factory()
    try:
        os.killpg(victim, signal.SIGKILL)
        failures, count = [], 0
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            for path in ("/cities/", "/robots.txt", "/calls/"):
                response = client.get(path, timeout=10)
                count += 1
                if response.status_code != 200:
                    failures.append((path, response.status_code))
        signed = client_factory()
        assert signed.sign_in(researchers[6]).status_code == 302, "signing in failed with one node down"
        assert failures == [], f"{len(failures)} of {count} requests failed with node 2 down: {failures[:3]}"
    finally:
        topology_command(topology, "start-node", "2")
    assert client.get("/robots.txt", via="2").status_code == 200, "node 2 did not come back"


# --- Redis goes away -----------------------------------------------------------------------------------------------


def _unsent_tasks(topology_db) -> int:
    ((count,),) = topology_db("SELECT count(*) FROM hub_unsenttask")
    return count


def _eventually(condition, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(1)
    return condition()


def test_pages_and_saves_go_on_while_redis_is_down_and_nothing_is_lost_or_stale_after(
    topology, client_factory, topology_db, researchers
):
    """Redis (cache, rate limits, queue) stopped: every node answers pages and saves; sign-in is refused with the
    site's page; the tasks of the saves wait in PostgreSQL. Started again (from its append-only file, with the pages
    cached before the outage): the scheduler pushes the kept tasks, the workers run them, and no node serves the page
    as it was before the change."""
    if not topology.get("redis", {}).get("own"):
        pytest.fail("this topology uses a shared Redis (TOPOLOGY_REDIS=shared): the drill would stop everyone's")
    email = researchers[7]
    page = f"/researchers/{_profile_id(topology_db, email)}/"
    visitor = client_factory()
    for via in ("1", "2", "1", "2"):
        assert visitor.get(page, via=via).status_code == 200  # cached now, in Redis
    author = client_factory()
    _signed_in(author, email, via="1")  # before the outage: sign-in needs the rate limits' store
    kept_before = _unsent_tasks(topology_db)
    headline = unique("Redis outage drill")

    topology_command(topology, "stop-redis")
    try:
        failures = []
        for path in ("/", "/calls/", "/researchers/", page):
            for via in ("nginx", "1", "2"):
                started = time.monotonic()
                response = client_factory().get(path, via=via, timeout=20)
                if response.status_code != 200 or time.monotonic() - started > 10:
                    failures.append((path, via, response.status_code, round(time.monotonic() - started, 1)))
        assert failures == [], f"pages failed or crawled with Redis down: {failures}"

        _edit_profile(author, via="1", change=lambda form: form.fields.__setitem__("headline", [headline]))
        assert headline in visitor.get(page, via="2").text, "node 2 served a page from before the change"
        assert _unsent_tasks(topology_db) > kept_before, "the save's tasks were lost instead of kept"

        refused = client_factory().sign_in(researchers[8])
        assert refused.status_code == 429, f"sign-in with Redis down answered {refused.status_code}"
        assert "attempts cannot be counted for a moment" in unescape(refused.text)
    finally:
        topology_command(topology, "start-redis")

    assert _eventually(lambda: _unsent_tasks(topology_db) == 0, timeout=60), "the kept tasks were never pushed"
    assert _eventually(
        lambda: headline in visitor.get(page, via="2").text and headline in visitor.get(page, via="1").text,
        timeout=60,
    ), "a node serves the page cached before the outage, past the change made during it"
    # The rate limits count again: at once on a process that has asked Redis since it came back, and within the
    # cache's retry interval (hub.cache.RETRY_SECONDS) on one that saw it down just before.
    assert _eventually(
        lambda: client_factory().sign_in(researchers[8], via="nginx").status_code == 302,
        timeout=RETRY_SECONDS * 4,
    ), "sign-in still refused after Redis came back"
