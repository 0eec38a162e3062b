"""Issue 20's "bulk shortlist of 500": the desk's real bulk action on a seeded desk call, timed, checked, undone.

As an official does it on the call's desk: the top ``count`` proposals still to decide by mean score
(``status=submitted&status=under_review&sort=-score``, scope "top") are shortlisted —

1. POST ``/calls/<id>/desk/bulk/`` (the confirmation page, which counts what the action touches): ``confirm_ms``;
2. POST it again confirmed (``confirm``, ``expected``): the view records the run (``DeskBulkRun``) and enqueues
   ``calls.tasks.run_desk_bulk_action`` on the task backend, then redirects to the run's progress page: ``start_ms``;
3. the task: with a queue (RQ on the bench's Redis, or the database queue) the bench runs the enqueued task's body in
   its own process as a worker would (``run_desk_bulk_action.call``; the queued copy then finds the run started and
   does nothing) while a thread polls the progress page (``/desk/runs/<id>/``, its ``<progress>``): ``task_s``.
   With the immediate backend (tests) the task ran inside step 2.

The row says whether all ``count`` proposals were shortlisted and nothing skipped (decisions are all or nothing),
then everything is put back as it was: each proposal's status, ``updated_at``, outcome message and decision time,
the events and the run the action recorded, and the emails it queued on the database queue (on RQ they stay in the
bench's own Redis, which nobody works off and which goes with the run). The next bench run measures the same.
"""

import re
import threading
import time
from dataclasses import dataclass

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

import requests
from django_tasks_db.models import DBTaskResult

from bench.desk import desk_slug
from bench.seed import OFFICIAL_EMAIL
from calls.filters_desk import ProposalDeskFilter
from calls.models import DeskBulkRun, Proposal, ProposalActivity, ResearchCall
from calls.tasks import run_desk_bulk_action
from hub import page_cache
from hub.tasks import send_email
from profiles.models import User

SHORTLIST_QUERY = "status=submitted&status=under_review&sort=-score"
RESTORED_FIELDS = ["status", "updated_at", "outcome_message", "decided_at", "stage"]
PROGRESS = re.compile(r'<progress max="(\d+)" value="(\d+)"')
RUN_PATH = re.compile(r"/desk/runs/(\d+)/")
POLL_SECONDS = 0.25


@dataclass
class Answer:
    status: int
    location: str
    text: str


class HttpClient:
    """The official's session against the bench's gunicorn: cookies, the bench's CSRF token, no redirects followed."""

    def __init__(self, *, base_url: str, session_cookie: str, csrf_cookie_name: str, csrf_token: str):
        self.base_url = base_url.rstrip("/")
        self.cookie = f"{session_cookie}; {csrf_cookie_name}={csrf_token}"
        self.csrf_token = csrf_token

    def get(self, path: str) -> Answer:
        response = requests.get(
            self.base_url + path, headers={"Cookie": self.cookie}, allow_redirects=False, timeout=120
        )
        return Answer(response.status_code, response.headers.get("Location", ""), response.text)

    def post(self, path: str, data: dict) -> Answer:
        response = requests.post(
            self.base_url + path,
            data={**data, "csrfmiddlewaretoken": self.csrf_token},
            headers={"Cookie": self.cookie},
            allow_redirects=False,
            timeout=600,
        )
        return Answer(response.status_code, response.headers.get("Location", ""), response.text)


class ProgressPoller(threading.Thread):
    """Reads the run's progress page until stopped: (seconds since start, status, done) per request."""

    def __init__(self, client, path: str):
        super().__init__(daemon=True)
        self.client, self.path = client, path
        self.samples: list[tuple[float, int, int | None]] = []
        self.stopped = threading.Event()
        self.started_at = time.perf_counter()

    def run(self) -> None:
        while not self.stopped.wait(POLL_SECONDS):
            try:
                answer = self.client.get(self.path)
            except requests.RequestException:
                self.samples.append((time.perf_counter() - self.started_at, 0, None))
                continue
            match = PROGRESS.search(answer.text)
            done = int(match[2]) if match else None
            self.samples.append((time.perf_counter() - self.started_at, answer.status, done))

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=130)


def selection(call: ResearchCall, official: User, count: int) -> list[int]:
    """The ids the desk's "top ``count``" of ``SHORTLIST_QUERY`` names (what ``calls.views.desk._resolve`` reads)."""
    filterset = ProposalDeskFilter(QueryDict(SHORTLIST_QUERY), user=official, call=call)
    return list(filterset.ordered().values_list("pk", flat=True)[:count])


def measure_shortlist(*, size: int, count: int, client, log, poll: bool = True) -> dict:
    """Shortlist the top ``count`` of the desk call of ``size`` through the desk, time it, check it, undo it."""
    call = ResearchCall.objects.get(slug=desk_slug(size))
    official = User.objects.get(email=OFFICIAL_EMAIL)
    ids = selection(call, official, count)
    row = {"size": size, "call_id": call.pk, "requested": count, "selected": len(ids)}
    if len(ids) < count:
        row["error"] = f"only {len(ids)} proposals to shortlist on this call"
    if not ids:
        return row
    before = {p["pk"]: p for p in Proposal.objects.filter(pk__in=ids).values("pk", *RESTORED_FIELDS)}
    activity_mark = ProposalActivity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    run_mark = DeskBulkRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started_at = timezone.now()
    path = f"/calls/{call.pk}/desk/bulk/"
    form = {"scope": "top", "top": str(len(ids)), "query": SHORTLIST_QUERY, "action": "shortlist", "message": ""}
    log(f"  desk {size:,}: bulk shortlist of {len(ids)} …")
    try:
        _run(row, client=client, path=path, form=form, ids=ids, poll=poll)
    finally:
        row["restored"] = restore(
            before, official=official, call=call, activity_mark=activity_mark, run_mark=run_mark, since=started_at
        )
    if not row["restored"]:
        row["error"] = "; ".join(filter(None, [row.get("error"), "the proposals could not be put back"]))
    log(
        f"  desk {size:,}: {row.get('changed', 0)} of {len(ids)} shortlisted, task {row.get('task_s') or 0:.1f} s, "
        f"total {row.get('total_s', 0):.1f} s{'; ' + row['error'] if row.get('error') else ''}; put back"
    )
    return row


def _run(row: dict, *, client, path: str, form: dict, ids: list[int], poll: bool) -> None:
    started = time.perf_counter()
    confirm = client.post(path, form)
    row["confirm_ms"] = (time.perf_counter() - started) * 1000
    row["confirm_status"] = confirm.status
    if confirm.status != 200:
        row["error"] = f"the confirmation answered {confirm.status}"
        return
    step = time.perf_counter()
    start = client.post(path, {**form, "confirm": "1", "expected": str(len(ids))})
    row["start_ms"] = (time.perf_counter() - step) * 1000
    match = RUN_PATH.search(start.location) if start.status == 302 else None
    if match is None:
        row["error"] = f"the confirmed action answered {start.status} {start.location}".strip()
        return
    run_id = int(match[1])
    row["run_id"] = run_id
    row["task_s"] = None
    if DeskBulkRun.objects.filter(pk=run_id, state=DeskBulkRun.State.QUEUED).exists():
        poller = ProgressPoller(client, f"/desk/runs/{run_id}/") if poll else None
        if poller:
            poller.start()
        step = time.perf_counter()
        try:
            run_desk_bulk_action.call(run_id)
        finally:
            row["task_s"] = time.perf_counter() - step
            if poller:
                poller.stop()
        row["ran_in"] = "bench process (the queued task's body, as a worker runs it)"
        if poller:
            seen = sorted({done for _t, status, done in poller.samples if status == 200 and done is not None})
            row["progress"] = {
                "polls": len(poller.samples),
                "answered_200": sum(1 for _t, status, _done in poller.samples if status == 200),
                "values_seen": seen,
            }
    else:
        row["ran_in"] = "the request (immediate task backend)"
    row["total_s"] = time.perf_counter() - started
    final = client.get(f"/desk/runs/{run_id}/")
    row["run_page_status"] = final.status
    run = DeskBulkRun.objects.get(pk=run_id)
    changed = Proposal.objects.filter(pk__in=ids, status=Proposal.Status.SHORTLISTED).count()
    row.update(
        state=run.state,
        total=run.total,
        done=run.done,
        skipped=len(run.skipped),
        changed=changed,
        same_selection=sorted(run.proposal_ids) == sorted(ids),
    )
    row["all_changed"] = (
        run.state == DeskBulkRun.State.DONE
        and not run.skipped
        and changed == len(ids) == run.total
        and row["same_selection"]
    )
    if not row["all_changed"]:
        row["error"] = f"run {run.state}: {changed} of {len(ids)} shortlisted, {len(run.skipped)} skipped" + (
            f" ({run.error})" if run.error else ""
        )


def restore(
    before: dict[int, dict], *, official: User, call: ResearchCall, activity_mark: int, run_mark: int, since
) -> bool:
    """Put the proposals back as they were; remove the events, runs and queued tasks the action added."""
    with transaction.atomic():
        proposals = list(Proposal.objects.select_for_update().filter(pk__in=list(before)).only("pk", *RESTORED_FIELDS))
        for proposal in proposals:
            for field in RESTORED_FIELDS:
                setattr(proposal, field, before[proposal.pk][field])
        # bulk_update writes the values as given: ``updated_at`` (auto_now) goes back to what it was too.
        Proposal.objects.bulk_update(proposals, RESTORED_FIELDS, batch_size=500)
        ProposalActivity.objects.filter(proposal_id__in=list(before), pk__gt=activity_mark).delete()
        DeskBulkRun.objects.filter(pk__gt=run_mark, by=official, call=call).delete()
        DBTaskResult.objects.filter(
            enqueued_at__gte=since, task_path__in=[run_desk_bulk_action.module_path, send_email.module_path]
        ).delete()
    page_cache.invalidate(page_cache.model_tags(Proposal) | page_cache.model_tags(ProposalActivity))
    now = {p["pk"]: p for p in Proposal.objects.filter(pk__in=list(before)).values("pk", *RESTORED_FIELDS)}
    return now == before
