"""The writes of the mixed run: researcher sessions saving shared drafts, saved searches and consultation comments.

Runs beside wrk's reads. ``prepare()`` (in process, on the bench's database: the one the site serves) picks the
accounts, the shared drafts and a call in consultation; ``WriteDriver`` signs each session in through allauth
(cookies and CSRF kept by ``requests``) and writes until the time is up, recording every acknowledged write,
every stale save refused with 409 and every error; ``read_back()`` reads what the database holds, and
``bench.checker`` compares the two.

Errors: any 5xx, socket error or timeout, and any 4xx but a 409 on a draft save.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import requests
import urllib3
from allauth.account.models import EmailAddress

from bench.checker import Ack, DraftState, make_token
from bench.seed import DOMAIN, RESEARCHER_EMAIL
from calls.alerts import MAX_SAVED_SEARCHES as LIMIT
from calls.deadlines import Status
from calls.filters import status_q
from calls.models import ConsultationComment, Proposal, ResearchCall, SavedSearch, TeamMember
from calls.services.proposals import proposal_start
from profiles.models import User

PASSWORD = "bench-only-password"  # bench.seed's, for every seeded account
TIMEOUT = 30  # seconds, as wrk's --timeout
MAX_SAVED_SEARCHES = 18  # calls.alerts.MAX_SAVED_SEARCHES is 20: the session signs in as its next account before
# Relative weights of a session's next write, and the pause between two actions (a person reading, typing).
WEIGHTS = {"draft": 6, "comment": 2, "saved_search": 1}
THINK_SECONDS = (1.0, 4.0)
TYPING_SECONDS = (0.0, 1.5)  # between opening the draft editor and saving: others save meanwhile


@dataclass
class Plan:
    """What ``prepare()`` chose: accounts per session, the shared drafts, the call in consultation."""

    run: str
    accounts: list[list[str]]  # per session: its emails; the session moves on when its saved searches fill up
    drafts: list[int]
    consultation_call: int
    start: dict[int, int]  # draft pk → edit_version before the run


# -- in process: prepare and read back -----------------------------------------------------------------------


def prepare(*, sessions: int, drafts: int = 3, accounts_per_session: int = 3, log=print) -> Plan:
    """Accounts (verified researchers with profiles), shared drafts with every account on their team, and a
    call in consultation open to all. Idempotent on a bench database; deletes the accounts' saved searches."""

    assert MAX_SAVED_SEARCHES < LIMIT
    wanted = sessions * accounts_per_session
    users = list(
        User.objects.filter(email__startswith="researcher", email__endswith=f"@{DOMAIN}")
        .exclude(email=RESEARCHER_EMAIL)
        .exclude(researcher_profile=None)
        .order_by("-email")[:wanted]
    )
    if len(users) < max(wanted, drafts):
        raise RuntimeError(f"the bench database has {len(users)} researchers; the write sessions need {wanted}")
    now = timezone.now()
    later = now + timezone.timedelta(hours=2)
    with transaction.atomic():
        for user in users:
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
        SavedSearch.objects.filter(user__in=users).delete()
        open_calls = list(
            ResearchCall.objects.live()
            .filter(status_q(Status.OPEN, now), closes_at__gt=later)
            .order_by("pk")
            .values_list("pk", flat=True)[:drafts]
        )
        if len(open_calls) < drafts:
            raise RuntimeError(f"only {len(open_calls)} calls stay open for two hours; {drafts} drafts wanted")
        draft_ids = []
        for lead, call_id in zip(users, open_calls, strict=False):
            proposal = proposal_start(
                call=ResearchCall.objects.get(pk=call_id), by=lead, title="Shared load-test draft"
            )
            if not proposal.is_editable:
                raise RuntimeError(f"proposal {proposal.pk} of {lead.email} is {proposal.status}, not a draft")
            for user in users:
                if user.pk != lead.pk:
                    TeamMember.objects.update_or_create(
                        proposal=proposal,
                        email=user.email,
                        defaults={
                            "user": user,
                            "name": user.get_full_name() or user.email,
                            "role": TeamMember.Role.CO_APPLICANT,
                            "status": TeamMember.Status.ACCEPTED,
                        },
                    )
            draft_ids.append(proposal.pk)
        consultation = (
            ResearchCall.objects.live()
            .filter(status_q(Status.CONSULTATION, now), opens_at__gt=later)
            .order_by("pk")
            .first()
        )
        if consultation is None:
            raise RuntimeError("no seeded call stays in public consultation for two hours")
        ResearchCall.objects.filter(pk=consultation.pk).update(consultation_open_to_all=True)
    emails = [user.email for user in users]
    plan = Plan(
        run=secrets.token_hex(3),
        accounts=[emails[i::sessions] for i in range(sessions)],
        drafts=draft_ids,
        consultation_call=consultation.pk,
        start=dict(Proposal.objects.filter(pk__in=draft_ids).values_list("pk", "edit_version")),
    )
    log(
        f"Writes: {sessions} researcher sessions, {len(users)} accounts, shared drafts {draft_ids}, "
        f"consultation on call {consultation.pk}, run token lt{plan.run}…"
    )
    return plan


def read_back(plan: Plan) -> tuple[dict[str, list[str]], dict[int, DraftState]]:
    """The rows the run may have written (by their token prefix) and each draft's version and text."""

    prefix = f"lt{plan.run}"
    rows = {
        "saved_search": list(SavedSearch.objects.filter(query__contains=prefix).values_list("query", flat=True)),
        "comment": list(
            ConsultationComment.objects.filter(call_id=plan.consultation_call, body__contains=prefix).values_list(
                "body", flat=True
            )
        ),
    }
    drafts = {
        pk: DraftState(start_version=plan.start[pk], final_version=version, final_text=summary)
        for pk, version, summary in Proposal.objects.filter(pk__in=plan.drafts).values_list(
            "pk", "edit_version", "summary"
        )
    }
    return rows, drafts


# -- over HTTP: the sessions ------------------------------------------------------------------------------------


class FormParser(HTMLParser):
    """The fields of every ``<form method="post">`` of a page: [(action, [(name, value), …]), …].

    Takes what a browser would send: text, hidden and number inputs, checked boxes and radios, textareas, the
    selected options of selects (or the first option of a single select), not buttons or files.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._multiple = False
        self._options: list[tuple[str, bool]] = []
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.forms.append((a.get("action", ""), []))
                self._fields = self.forms[-1][1]
            else:
                self._fields = None
        elif self._fields is None:
            return
        elif tag == "input" and "name" in a and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._fields.append((a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea" and "name" in a:
            self._textarea, self._text = a["name"], []
        elif tag == "select" and "name" in a:
            self._select, self._multiple, self._options = a["name"], "multiple" in a, []
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, []]

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        if self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "textarea" and self._textarea is not None and self._fields is not None:
            text = "".join(self._text)
            self._fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value, selected, text = self._option
            self._options.append((value if value is not None else "".join(text).strip(), selected))
            self._option = None
        elif tag == "select" and self._select is not None and self._fields is not None:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not self._multiple and self._options:
                chosen = [self._options[0][0]]
            self._fields += [(self._select, value) for value in chosen]
            self._select = None


def post_form(html: str, *, containing: str) -> tuple[str, list[tuple[str, str]]] | None:
    """The first POST form of the page with a field named ``containing``."""
    parser = FormParser()
    parser.feed(html)
    return next((form for form in parser.forms if any(name == containing for name, _ in form[1])), None)


@dataclass
class Record:
    acks: list[Ack] = field(default_factory=list)
    stale: Counter = field(default_factory=Counter)  # draft pk → refused stale saves (409)
    errors: list[str] = field(default_factory=list)
    requests: Counter = field(default_factory=Counter)  # "METHOD kind status" → count
    latencies: list[float] = field(default_factory=list)  # seconds, every write POST
    lock: threading.Lock = field(default_factory=threading.Lock)


class SessionError(Exception):
    pass


class Session:
    """One researcher in a browser: signs in through allauth and writes, one request at a time."""

    def __init__(self, *, number: int, base_url: str, plan: Plan, record: Record, verify: bool, rng: random.Random):
        self.number = number
        self.base_url = base_url.rstrip("/") + "/"
        self.plan = plan
        self.record = record
        self.rng = rng
        self.http = requests.Session()
        self.http.verify = verify
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.base_url))
        # Django checks the Origin (and, over HTTPS, the Referer) of every POST against the host.
        self.http.headers.update({"Origin": origin, "Referer": self.base_url, "User-Agent": "bridges-bench-writes"})
        self.sequence = 0
        self.account = -1
        self.saved_searches = 0

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path.lstrip("/"))

    def token(self) -> str:
        self.sequence += 1
        return make_token(run=self.plan.run, session=self.number, sequence=self.sequence)

    def request(self, method: str, path: str, *, kind: str, data=None, allowed: tuple[int, ...] = ()):
        """One request, no redirects followed; errors are recorded and raised as ``SessionError``."""

        started = time.monotonic()
        try:
            response = self.http.request(
                method,
                self.url(path),
                data=data,
                allow_redirects=False,
                timeout=TIMEOUT,
                verify=self.http.verify,  # per request: a CA bundle named in the environment would override the session's
                headers={"Referer": self.url(path)},
            )
        except requests.RequestException as error:
            with self.record.lock:
                self.record.requests[f"{method} {kind} {type(error).__name__}"] += 1
                self.record.errors.append(f"{method} {path} ({kind}): {type(error).__name__}: {error}")
            raise SessionError from error
        elapsed = time.monotonic() - started
        with self.record.lock:
            self.record.requests[f"{method} {kind} {response.status_code}"] += 1
            if method == "POST":
                self.record.latencies.append(elapsed)
        if response.status_code >= 500 or (response.status_code >= 400 and response.status_code not in allowed):
            with self.record.lock:
                self.record.errors.append(f"{method} {path} ({kind}): {response.status_code}")
            raise SessionError(response.status_code)
        return response

    def csrf(self) -> str:
        return self.http.cookies.get(settings.CSRF_COOKIE_NAME, "")

    def sign_in(self) -> None:
        self.account = (self.account + 1) % len(self.plan.accounts[self.number])
        email = self.plan.accounts[self.number][self.account]
        self.http.cookies.clear()
        page = self.request("GET", "/accounts/login/", kind="sign-in page")
        form = post_form(page.text, containing="password")
        if form is None:
            raise SessionError("no sign-in form")
        data = dict(form[1]) | {"login": email, "password": PASSWORD}
        answer = self.request("POST", form[0] or "/accounts/login/", kind="sign-in", data=data)
        if answer.status_code != 302 or "/accounts/" in answer.headers.get("Location", ""):
            with self.record.lock:
                self.record.errors.append(
                    f"sign-in of {email}: {answer.status_code} → {answer.headers.get('Location')}"
                )
            raise SessionError("sign-in refused")
        self.saved_searches = 0

    def save_draft(self) -> None:
        pk = self.rng.choice(self.plan.drafts)
        path = f"/proposals/{pk}/edit/"
        page = self.request("GET", path, kind="draft editor")
        form = post_form(page.text, containing="summary")
        if form is None:
            raise SessionError(f"no draft form on {path}")
        fields = form[1]
        versions = [value for name, value in fields if name == "edit_version"]
        version = int(versions[0]) if versions and versions[0].isdigit() else None
        if version is None:
            fields.append(("edit_version", "1"))  # until the editor has versions: sent anyway, ignored
        token = self.token()
        text = f"Load test: the summary as saved by session {self.number}, {token}."
        fields = [(name, text if name == "summary" else value) for name, value in fields]
        time.sleep(self.rng.uniform(*TYPING_SECONDS))
        answer = self.request("POST", form[0] or path, kind="draft save", data=fields, allowed=(409,))
        if answer.status_code == 409:
            with self.record.lock:
                self.record.stale[pk] += 1
            return
        location = answer.headers.get("Location", "")
        if answer.status_code == 302 and urlsplit(location).path == path:
            self._ack(Ack(kind="draft", token=token, target=pk, version=version, finished=time.monotonic()))
            return
        with self.record.lock:
            self.record.errors.append(f"POST {path} (draft save): {answer.status_code} → {location or 'no redirect'}")
        raise SessionError("draft not saved")

    def save_search(self) -> None:
        if self.saved_searches >= MAX_SAVED_SEARCHES:
            self.sign_in()
        token = self.token()
        data = {
            "csrfmiddlewaretoken": self.csrf(),
            "source": "calls",
            "query": f"q={token}",
            "name": f"Load test {token}",
            "frequency": "weekly",
        }
        answer = self.request("POST", "/dashboard/alerts/new/", kind="saved search", data=data)
        if answer.status_code == 302 and urlsplit(answer.headers.get("Location", "")).path == "/dashboard/alerts/":
            self.saved_searches += 1
            self._ack(Ack(kind="saved_search", token=token, finished=time.monotonic()))
            return
        with self.record.lock:
            self.record.errors.append(f"saved search: {answer.status_code} → {answer.headers.get('Location')}")
        raise SessionError("saved search not saved")

    def comment(self) -> None:
        token = self.token()
        data = {
            "csrfmiddlewaretoken": self.csrf(),
            "body": f"Load test comment on the draft questions from session {self.number}: {token}.",
        }
        path = f"/calls/{self.plan.consultation_call}/consultation/comment/"
        answer = self.request("POST", path, kind="comment", data=data)
        # Saved or refused, the answer is a redirect to the call; a refusal would show up as a lost write.
        if answer.status_code == 302:
            self._ack(Ack(kind="comment", token=token, finished=time.monotonic()))
            return
        with self.record.lock:
            self.record.errors.append(f"comment: {answer.status_code}")
        raise SessionError("comment not saved")

    def _ack(self, ack: Ack) -> None:
        with self.record.lock:
            self.record.acks.append(ack)

    def run(self, *, until: float, stop: threading.Event) -> None:
        actions = {"draft": self.save_draft, "comment": self.comment, "saved_search": self.save_search}
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        signed_in = False
        while time.monotonic() < until and not stop.is_set():
            try:
                if not signed_in:
                    self.sign_in()
                    signed_in = True
                actions[self.rng.choices(kinds, weights)[0]]()
            except SessionError:
                signed_in = False  # start again from the sign-in page, as a person would
            # A person reading for seconds: the next action opens a new connection, as a browser's would after
            # the server closed the idle one (gunicorn keeps idle connections 5 s); a reused connection that the
            # server is closing at that moment would fail without the request having been sent.
            for adapter in self.http.adapters.values():
                adapter.close()
            stop.wait(self.rng.uniform(*THINK_SECONDS))


class WriteDriver:
    """``sessions`` threads writing for ``seconds``; ``start()``, then ``join()`` returns the record."""

    def __init__(self, *, base_url: str, plan: Plan, seconds: float, verify: bool = True, seed: int = 15):
        self.plan = plan
        self.record = Record()
        self.stop = threading.Event()
        self.seconds = seconds
        rng = random.Random(seed)
        self.sessions = [
            Session(
                number=i,
                base_url=base_url,
                plan=plan,
                record=self.record,
                verify=verify,
                rng=random.Random(rng.random()),
            )
            for i in range(len(plan.accounts))
        ]
        self.threads: list[threading.Thread] = []
        if not verify:  # --insecure: a self-signed certificate, said once in the command rather than per request
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def start(self) -> None:
        until = time.monotonic() + self.seconds
        for session in self.sessions:
            thread = threading.Thread(
                target=self._run, args=(session, until), daemon=True, name=f"writes-{session.number}"
            )
            self.threads.append(thread)
            thread.start()
            time.sleep(0.5)  # sign-ins spread out (allauth allows 30 a minute per address)

    def _run(self, session: Session, until: float) -> None:
        try:
            session.run(until=until, stop=self.stop)
        except Exception as error:  # noqa: BLE001 - a crash of the driver is an error of the run, not silence
            with self.record.lock:
                self.record.errors.append(f"session {session.number} crashed: {type(error).__name__}: {error}")

    def join(self) -> Record:
        for thread in self.threads:
            thread.join(timeout=self.seconds + 2 * TIMEOUT + 60)
        return self.record
