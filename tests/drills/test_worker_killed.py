"""Drill: the application worker is killed (SIGKILL) in the middle of an upload.

A real gunicorn serves a copy of the test database; a slow multipart upload is cut by killing
the worker mid-body, and again after the file is written but before the row is committed. No
row without its file, no half-saved attachment; the only possible leftover, a file without a row,
is found and removed by ``private_media_sweep``; the master starts a new worker that serves on.
"""

import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from calls.models import Attachment
from calls.services import proposals as services
from tests.drills.conftest import ON_POSTGRESQL, PDF, big_pdf, free_port, private_files

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
BOUNDARY = "drill-boundary-7c1d"
CSRF = "drillcsrftoken0123456789abcdefgh"  # 32 characters: an unmasked CSRF secret


class Server:
    """gunicorn with one worker against the drill's database, in its own process group."""

    def __init__(self, tmp_path: Path, database_url: str, storage_faults: dict | None = None):
        self.port = free_port()
        self.log = open(tmp_path / f"gunicorn-{self.port}.log", "w")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.drills.server_settings",
            "DATABASE_URL": database_url,
            "BRIDGES_DRILL_PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "BRIDGES_DRILL_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "BRIDGES_DRILL_STORAGE": json.dumps(storage_faults),
            "TMPDIR": str(tmp_path),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "hub.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                "--workers=1",
                "--timeout=120",
                "--graceful-timeout=1",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_until_serving()

    def request(self, method: str, path: str, **kwargs) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, **kwargs)
        return conn.getresponse()

    def wait_until_serving(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/robots.txt").status < 500:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not start: " + Path(self.log.name).read_text()[-2000:])

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill_worker(self) -> None:
        (worker,) = self.worker_pids()
        os.kill(worker, signal.SIGKILL)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()


def attachment_rows(database_url: str, proposal_id: int) -> list[str]:
    """The attachment file names stored for a proposal, read from the server's database."""
    if ON_POSTGRESQL:
        return list(Attachment.objects.filter(proposal_id=proposal_id).values_list("file", flat=True))
    path = database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT file FROM calls_attachment WHERE proposal_id = ?", [proposal_id])]


def start_upload(
    server: Server, session: str, proposal_id: int, content: bytes
) -> tuple[http.client.HTTPConnection, bytes, bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{CSRF}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="plan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    body = head + content + tail
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    conn.putrequest("POST", f"/proposals/{proposal_id}/attachments/")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    conn.putheader("Content-Length", str(len(body)))
    conn.putheader("Cookie", f"sessionid={session}; csrftoken={CSRF}")
    conn.endheaders()
    return conn, body, tail


def sweep(server: Server) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "private_media_sweep", "--older-than=0"],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def logged_in_lead(client, draft, lead):
    """A committed attachment already on the draft, and the lead's session cookie."""
    services.attachment_add(proposal=draft, by=lead, upload=SimpleUploadedFile("earlier.pdf", PDF))
    client.force_login(lead)
    return client.cookies["sessionid"].value


def test_worker_killed_mid_body_stores_nothing_and_a_new_worker_serves(
    tmp_path, server_database, draft, logged_in_lead
):
    before = private_files()
    database_url = server_database()
    server = Server(tmp_path, database_url)
    try:
        conn, body, _tail = start_upload(server, logged_in_lead, draft.pk, big_pdf(3 * 1024 * 1024))
        for offset in range(0, len(body) // 2, 64 * 1024):  # a slow client: half the body, in pieces
            conn.send(body[offset : offset + 64 * 1024])
            time.sleep(0.01)
        time.sleep(0.3)
        killed = server.worker_pids()
        server.kill_worker()

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not server.worker_pids() or server.worker_pids() == killed):
            time.sleep(0.2)
        server.wait_until_serving()
        assert server.worker_pids() and server.worker_pids() != killed, "no new worker after the kill"
        response = server.request(
            "GET", f"/proposals/{draft.pk}/edit/", headers={"Cookie": f"sessionid={logged_in_lead}"}
        )
        assert response.status == 200, "the restarted worker does not serve the lead"
    finally:
        server.stop()

    assert len(attachment_rows(database_url, draft.pk)) == 1, "a half-received upload was stored"
    # The killed worker could not remove the upload it was spooling; the sweep does (here: at any age).
    spooled = sorted(set(private_files()) - set(before))
    assert all(name.startswith("upload-tmp/") for name in spooled), f"a partial file was left: {spooled}"
    sweep(server)
    assert private_files() == before, "the sweep left a partial upload"


def test_worker_killed_after_writing_the_file_leaves_no_row_and_the_sweep_removes_the_orphan(
    tmp_path, server_database, draft, logged_in_lead
):
    before = private_files()
    database_url = server_database()
    # The storage pauses after writing the file, before the row commits: the drill kills the worker there.
    server = Server(tmp_path, database_url, storage_faults={"pause_after_save": 60})
    try:
        conn, body, _tail = start_upload(server, logged_in_lead, draft.pk, big_pdf(200 * 1024))
        conn.send(body)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(private_files()) == len(before):
            time.sleep(0.1)
        assert len(private_files()) == len(before) + 1, "the upload was never written"
        server.kill_worker()
        time.sleep(0.5)
    finally:
        server.stop()

    rows = attachment_rows(database_url, draft.pk)
    assert len(rows) == 1, "the killed request committed its row"
    orphans = sorted(set(private_files()) - set(before))
    assert len(orphans) == 1

    output = sweep(server)

    assert orphans[0].replace(os.sep, "/") in output
    assert private_files() == before, "the sweep did not remove the orphan, or removed a file a row points at"
    assert all(Path(settings.PRIVATE_MEDIA_ROOT, name).is_file() for name in rows)
