"""Fault drills: shared fixtures and the invariant every drill ends with.

The invariant: every acknowledged request is stored exactly once, nothing unacknowledged is half
stored (no row without its file, no file without its row), no 500 shows a traceback, and the
database, the files and the search index agree.
"""

import datetime as dt
import re
import socket
import sqlite3
import threading
from pathlib import Path

from django.conf import settings
from django.db import connection

import pytest

from calls.models import Attachment, Proposal, ProposalVersion
from calls.storage import orphaned_files
from hub.search import registry
from hub.search.models import SearchEntry
from tests.calls.test_proposal_services import FILLED, PDF, colleague, draft, filled, lead  # noqa: F401

ON_POSTGRESQL = connection.vendor == "postgresql"
KEY = re.compile(r'name="idempotency_key" value="([0-9a-f-]{36})"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def submit_key(client, proposal: Proposal) -> str:
    """The one-time key of the submit form, as the proposal page renders it."""
    page = client.get(f"/proposals/{proposal.pk}/")
    match = KEY.search(page.content.decode())
    assert match, "the submit form carries no idempotency key"
    return match.group(1)


def private_files(root: str | Path | None = None) -> list[str]:
    root = Path(root or settings.PRIVATE_MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def assert_no_traceback(response) -> None:
    body = response.content.decode(errors="replace")
    assert "Traceback" not in body and 'File "' not in body, "an error page shows a traceback"
    assert response.status_code != 500, "a fault became a 500"


def assert_invariant() -> None:
    """Rows, files and the search index agree (run at the end of every drill)."""
    for attachment in Attachment.objects.all():
        assert attachment.file.storage.exists(attachment.file.name), f"row {attachment.pk} points at a missing file"
    assert orphaned_files(older_than=dt.timedelta(0)) == [], "a file has no row"
    for proposal in Proposal.objects.all():
        versions = ProposalVersion.objects.filter(proposal=proposal).count()
        if proposal.status == Proposal.Status.DRAFT:
            assert versions == 0, f"draft {proposal.pk} has a submitted version (half-stored submission)"
        if proposal.status == Proposal.Status.SUBMITTED:
            assert versions >= 1 and proposal.submitted_at, f"proposal {proposal.pk} is submitted without a version"
    for search_type in registry.types():
        public = {str(pk) for pk in search_type.public().values_list("pk", flat=True)}
        indexed = set(SearchEntry.objects.filter(kind=search_type.kind).values_list("object_id", flat=True))
        assert indexed == public, f"search index of {search_type.kind} differs from the database"


class HangingServer:
    """A TCP server that accepts connections and never answers: a hung Elasticsearch."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                conn, _addr = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.held.append(conn)  # read nothing, answer nothing

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        self.stopped.set()
        self.thread.join(timeout=2)
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def hanging_server():
    server = HangingServer()
    yield server
    server.close()


@pytest.fixture
def server_database(tmp_path):
    """A URL of the test database for another process: the database itself (PostgreSQL; the test must be
    transactional so that its data are committed) or a file copy of the in-memory one (SQLite)."""

    def make() -> str:
        if ON_POSTGRESQL:
            s = connection.settings_dict
            credentials = f"{s['USER']}:{s['PASSWORD'] or ''}@" if s["USER"] else ""
            return f"postgres://{credentials}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        path = tmp_path / "drill.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"

    return make


def big_pdf(size: int) -> bytes:
    return PDF + b"%" + b"x" * max(0, size - len(PDF) - 2) + b"\n"
