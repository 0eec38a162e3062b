"""Drills against the production topology (deploy/topology): nginx in front of two app nodes, workers, scheduler.

They are HTTP clients of a running topology, named by ``TOPOLOGY_STATE`` (the directory ``deploy/topology start``
made; ``make topology`` and .ci/run start one on a fresh PostgreSQL database with the demo content). Without one
they skip with the reason; with ``REQUIRE_TOPOLOGY=1`` (CI) skipping is a failure. The topology's database is read
directly (psycopg) only to find demo people and drafts, never to check an answer.
"""

import html.parser
import ipaddress
import json
import os
import random
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[3]
DEMO_PASSWORD = "bridges-demo-2026"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "topology: needs a running production topology (TOPOLOGY_STATE; nginx); REQUIRE_TOPOLOGY=1: no skip"
    )


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_TOPOLOGY") == "1":
        pytest.fail(f"REQUIRE_TOPOLOGY=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def topology() -> dict:
    """The running topology's description (topology.json) plus its directory under ``state``."""
    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        _unavailable("nginx is not installed (Debian: apt-get install nginx); `make topology` runs these drills")
    state = os.environ.get("TOPOLOGY_STATE")
    if not state:
        _unavailable("no running topology: `make topology` starts one and runs these drills (or set TOPOLOGY_STATE)")
    path = Path(state) / "topology.json"
    if not path.exists():
        _unavailable(f"TOPOLOGY_STATE={state} holds no topology.json")
    info = json.loads(path.read_text())
    info["state"] = Path(state)
    return info


class Client:
    """One browser: the same cookies whether it talks to nginx or straight to an app node (as nginx would)."""

    def __init__(self, topology: dict):
        self.topology = topology
        self.base = topology["url"]
        self.host = urlsplit(self.base).netloc
        self.session = requests.Session()
        self.session.verify = topology["certificate"]
        # A client address of its own: the per-IP limits of one drill never spend another's.
        self.address = str(ipaddress.ip_address("198.18.0.0") + random.randrange(1, 130_000))

    def url(self, via: str, path: str) -> str:
        if via == "nginx":
            return urljoin(self.base, path)
        return urljoin(self.topology["nodes"][via], path)

    def request(self, method: str, path: str, *, via: str = "nginx", **kwargs) -> requests.Response:
        headers = {"Referer": urljoin(self.base, path), **kwargs.pop("headers", {})}
        if via != "nginx":
            # What nginx sends an app node (deploy/nginx/bridges.conf).
            headers.update({"Host": self.host, "X-Forwarded-Proto": "https", "X-Forwarded-For": self.address})
            # The browser's cookies, Secure ones included (nginx reaches the nodes over plain HTTP).
            headers["Cookie"] = "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.session.cookies)
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("verify", self.topology["certificate"])  # a CA bundle of the environment would win
        return self.session.request(method, self.url(via, path), headers=headers, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def form(self, path: str, *, via: str = "nginx", action: str | None = None) -> "Form":
        page = self.get(path, via=via)
        assert page.status_code == 200, f"{path} via {via}: {page.status_code}"
        return Form.first(page.text, action=action, page=path)

    def sign_in(self, email: str, password: str = DEMO_PASSWORD, *, via: str = "nginx") -> requests.Response:
        form = self.form("/accounts/login/", via=via, action="/accounts/login/")
        form.fields.update({"login": [email], "password": [password]})
        return self.post("/accounts/login/", via=via, data=form.data())


class Form(html.parser.HTMLParser):
    """The fields a browser would submit from a page's form (inputs, checked boxes, selected options, textareas)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self.fields: dict[str, list[str]] = {}
        self.choices: dict[str, list[str]] = {}  # every value a checkbox or radio group offers
        self.action = ""

    @classmethod
    def first(cls, text: str, *, action: str | None = None, page: str = "") -> "Form":
        """The first form of the page that posts to ``action`` (a path; a form without action posts to ``page``)."""
        parser = cls()
        parser.feed(text)
        for form in parser.forms:
            target = urlsplit(form["action"]).path or page
            if action is None or target == action:
                found = cls()
                found.fields, found.choices, found.action = form["fields"], form["choices"], target
                return found
        raise AssertionError(f"no form posting to {action} on {page}")

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}, "choices": {}})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                fields.setdefault(name, [])
                self.forms[-1]["choices"].setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    fields[name].append(a.get("value", "on"))
            elif kind not in ("file", "submit", "button", "image", "reset"):
                fields.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            values = self.forms[-1]["fields"][self._textarea]
            values[-1] += data.removeprefix("\n") if not values[-1] else data

    def data(self) -> dict[str, list[str]]:
        return {name: values for name, values in self.fields.items() if values}


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "the page carries no CSRF token"
    return match.group(1)


@pytest.fixture(scope="session")
def topology_db(topology):
    """Read-only look-ups in the topology's database (who is who in the demo content)."""
    import psycopg

    with psycopg.connect(topology["env"]["DATABASE_URL"], autocommit=True) as connection:

        def query(sql: str, *params):
            return connection.execute(sql, params).fetchall()

        yield query


@pytest.fixture
def client_factory(topology):
    return lambda: Client(topology)


@pytest.fixture(scope="session")
def draft(topology_db) -> tuple[int, str]:
    """A draft proposal of the demo content and its lead's address."""
    rows = topology_db(
        "SELECT p.id, u.email FROM calls_proposal p JOIN profiles_user u ON u.id = p.lead_id "
        "WHERE p.status = 'draft' ORDER BY p.id LIMIT 1"
    )
    assert rows, "the topology has no draft proposal (start it with --demo)"
    return rows[0]


@pytest.fixture(scope="session")
def researchers(topology_db, draft) -> list[str]:
    """Demo researchers (password sign-in, no second factor), not on the team of ``draft``: each drill signs in
    as a different one, so that one drill's failed sign-ins never lock another's account."""
    team = {row[0] for row in topology_db("SELECT email FROM calls_teammember WHERE proposal_id = %s", draft[0])}
    rows = topology_db(
        "SELECT u.email FROM profiles_user u JOIN profiles_researcherprofile p ON p.user_id = u.id "
        "WHERE u.email LIKE %s AND u.is_active ORDER BY u.email",
        "%@researchers.example",
    )
    emails = [row[0] for row in rows if row[0] not in team]
    assert len(emails) >= 10, "the topology has no demo content (start it with --demo)"
    return emails


def topology_command(topology: dict, *args: str) -> None:
    subprocess.run(
        [str(ROOT / "deploy" / "topology"), *args, "--state", str(topology["state"])], check=True, timeout=120
    )


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"
