"""Drill: back up a database with content and files, restore it into a fresh database, compare.

``backup`` then ``restore`` (the commands behind ``make backup`` / ``make restore``): identical row
counts in every table and identical file checksums; a restore that does not match its manifest,
or that would overwrite a database in use, exits non-zero.
"""

import hashlib
import io
import json
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from wagtail.documents.models import Document

import pytest

from calls.services import proposals as services
from hub.backups import Database, row_counts
from tests.drills.conftest import ON_POSTGRESQL, PDF, big_pdf

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def checksums(root) -> dict[str, str]:
    root = Path(root)
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


@pytest.fixture
def fresh_database(tmp_path):
    """URLs of new, empty databases (created on PostgreSQL, dropped afterwards)."""
    created = []

    def make(name: str) -> str:
        if not ON_POSTGRESQL:
            return f"sqlite:///{tmp_path / (name + '.sqlite3')}"
        import psycopg

        s = connection.settings_dict
        database = f"{s['NAME']}_{name}"[:63]
        credentials = f"{s['USER']}:{s['PASSWORD'] or ''}@" if s["USER"] else ""
        server = f"postgresql://{credentials}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
            admin.execute(f'CREATE DATABASE "{database}"')
        created.append((server, database))
        return f"{server}/{database}"

    yield make
    if created:
        import psycopg

        for server, database in created:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def content(filled, lead):
    """A submitted proposal with two attachments (private files) and a public document (media)."""
    services.attachment_add(proposal=filled, by=lead, upload=SimpleUploadedFile("plan.pdf", PDF))
    services.attachment_add(proposal=filled, by=lead, upload=SimpleUploadedFile("budget.pdf", big_pdf(300_000)))
    services.proposal_submit(proposal=filled, by=lead)
    Document.objects.create(
        title="Annual report", file=ContentFile(b"Bridges annual report\n" * 500, name="report.txt")
    )
    return filled


def backup(source_url: str, tmp_path: Path) -> Path:
    out = io.StringIO()
    call_command("backup", output_dir=str(tmp_path / "backups"), database_url=source_url, stdout=out)
    return Path(out.getvalue().strip().splitlines()[-1])


def restore(path: Path, target_url: str, tmp_path: Path, label: str, **options) -> tuple[Path, Path]:
    media, private = tmp_path / f"{label}-media", tmp_path / f"{label}-private-media"
    call_command(
        "restore",
        str(path),
        database_url=target_url,
        media_root=str(media),
        private_media_root=str(private),
        stdout=io.StringIO(),
        **options,
    )
    return media, private


def test_restore_into_a_fresh_database_has_identical_rows_and_files(tmp_path, content, server_database, fresh_database):
    source_url = server_database()
    path = backup(source_url, tmp_path)
    target_url = fresh_database("restored")

    media, private = restore(path, target_url, tmp_path, "restored")

    assert row_counts(Database.from_url(target_url)) == row_counts(Database.from_url(source_url))
    assert checksums(media) == checksums(settings.MEDIA_ROOT) != {}
    assert checksums(private) == checksums(settings.PRIVATE_MEDIA_ROOT) != {}
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["tables"]["calls_attachment"] == 2 and manifest["tables"]["calls_proposalversion"] == 1


def test_restore_refuses_a_used_database_and_fails_when_the_data_differ_from_the_manifest(
    tmp_path, content, server_database, fresh_database
):
    path = backup(server_database(), tmp_path)
    target_url = fresh_database("twice")
    restore(path, target_url, tmp_path, "first")

    with pytest.raises(CommandError, match="not empty"):
        restore(path, target_url, tmp_path, "second")

    manifest = json.loads((path / "manifest.json").read_text())
    name = next(n for n in manifest["files"] if n.startswith("private-media/"))
    manifest["files"][name] = "0" * 64  # as if the archive had been damaged
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="differs from the backup"):
        restore(path, fresh_database("damaged"), tmp_path, "damaged")
