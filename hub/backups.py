"""Backups: the database (SQLite online backup, or pg_dump in custom format) and the uploaded files.

A backup is a directory holding ``database.sqlite3`` or ``database.dump``, ``files.tar.gz``
(``media/`` and ``private-media/``) and ``manifest.json``: the row count of every table, read from
the same snapshot as the dump, and the SHA-256 of every file. ``restore`` loads it into a fresh
database and directories, then checks the counts and checksums against the manifest.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

MANIFEST = "manifest.json"
FILES = "files.tar.gz"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
ROOTS = ("media", "private-media")


class BackupError(Exception):
    """The backup or restore cannot go on, or what was restored differs from the manifest."""


@dataclass(frozen=True)
class Database:
    """Where a database is, from a database URL (only what backups need)."""

    engine: str
    name: str
    url: str

    @classmethod
    def from_url(cls, url: str) -> "Database":
        config = dj_database_url.parse(url)
        engine = "sqlite" if config["ENGINE"].endswith("sqlite3") else "postgresql"
        if engine == "postgresql" and not config["ENGINE"].endswith(("postgresql", "postgis")):
            raise BackupError(f"Unsupported database engine {config['ENGINE']}")
        return cls(engine=engine, name=str(config["NAME"]), url=url)

    @property
    def libpq_url(self) -> str:
        """The URL as libpq tools accept it (``postgresql://``; dj-database-url also takes ``postgres://``)."""
        return self.url.replace("postgis://", "postgresql://", 1)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {table: connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}


def _pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    return [row[0] for row in cursor.fetchall()]


def _pg_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in _pg_tables(cursor):
        cursor.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def row_counts(database: Database) -> dict[str, int]:
    """Rows per table of a database (every table of the public schema, or of the SQLite file)."""
    if database.engine == "sqlite":
        with sqlite3.connect(database.name) as connection:
            return _sqlite_counts(connection)
    with psycopg.connect(database.libpq_url) as connection, connection.cursor() as cursor:
        return _pg_counts(cursor)


def _dump_database(database: Database, target: Path) -> tuple[str, dict[str, int]]:
    """Dump the database into ``target``; the row counts come from the very snapshot that was dumped."""
    if database.engine == "sqlite":
        path = target / SQLITE_FILE
        source = sqlite3.connect(database.name)
        destination = sqlite3.connect(path)
        try:
            source.backup(destination)  # the online backup API: consistent while the site keeps writing
            destination.execute("PRAGMA journal_mode=DELETE")
            counts = _sqlite_counts(destination)
        finally:
            destination.close()
            source.close()
        return SQLITE_FILE, counts
    path = target / PG_FILE
    with psycopg.connect(database.libpq_url) as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with connection.transaction(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _pg_counts(cursor)
            # pg_dump reads the snapshot this transaction exported: counts and dump agree exactly.
            subprocess.run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={path}", database.libpq_url],
                check=True,
                capture_output=True,
                text=True,
            )
    return PG_FILE, counts


def _walk(root: Path):
    if not root.is_dir():
        return
    for directory, _dirs, files in os.walk(root):
        for filename in sorted(files):
            yield Path(directory) / filename


def backup(*, database: Database, media_root: Path, private_media_root: Path, output_dir: Path) -> Path:
    """Write a new backup directory under ``output_dir`` and return its path."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
    target = Path(output_dir) / f"bridges-{stamp}"
    target.mkdir(parents=True)
    try:
        database_file, counts = _dump_database(database, target)
        checksums: dict[str, str] = {}
        with tarfile.open(target / FILES, "w:gz") as archive:
            for prefix, root in zip(ROOTS, (Path(media_root), Path(private_media_root)), strict=True):
                for path in _walk(root):
                    name = f"{prefix}/{path.relative_to(root).as_posix()}"
                    checksums[name] = sha256(path)
                    archive.add(path, arcname=name, recursive=False)
        manifest = {
            "format": 1,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "engine": database.engine,
            "database_file": database_file,
            "tables": counts,
            "files": checksums,
        }
        (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # never leave a half backup that looks whole
        raise
    return target


def _is_empty(database: Database) -> bool:
    if database.engine == "sqlite":
        if not os.path.exists(database.name) or os.path.getsize(database.name) == 0:
            return True
        with sqlite3.connect(database.name) as connection:
            return not _sqlite_counts(connection)
    with psycopg.connect(database.libpq_url) as connection, connection.cursor() as cursor:
        return not _pg_tables(cursor)


def _restore_database(manifest: dict, source: Path, database: Database, *, replace: bool) -> None:
    if manifest["engine"] != database.engine:
        raise BackupError(f"This backup is of {manifest['engine']}; the target database is {database.engine}.")
    dump = source / manifest["database_file"]
    if database.engine == "sqlite":
        Path(database.name).parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(dump) as backup_copy, sqlite3.connect(database.name) as destination:
            backup_copy.backup(destination)
        return
    result = subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            *(["--clean", "--if-exists"] if replace else []),
            f"--dbname={database.libpq_url}",
            str(dump),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _extract(archive_path: Path, roots: dict[str, Path]) -> None:
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive.getmembers():
            prefix, _sep, rest = member.name.partition("/")
            if prefix not in roots or not member.isfile() or not rest:
                raise BackupError(f"Unexpected entry in {FILES}: {member.name}")
            # The data filter refuses absolute paths, links and "..": a tampered archive cannot write elsewhere.
            archive.extract(
                member, path=roots[prefix], filter=lambda m, path, r=rest: tarfile.data_filter(m.replace(name=r), path)
            )


def verify(manifest: dict, database: Database, roots: dict[str, Path]) -> list[str]:
    """What differs between the restored database and files and the manifest (empty when all agree)."""
    problems = []
    counts = row_counts(database)
    for table, expected in sorted(manifest["tables"].items()):
        found = counts.get(table)
        if found != expected:
            problems.append(f"table {table}: {found} rows, the backup has {expected}")
    for table in sorted(set(counts) - set(manifest["tables"])):
        problems.append(f"table {table} is not in the backup")
    for name, expected in sorted(manifest["files"].items()):
        prefix, _sep, rest = name.partition("/")
        path = roots[prefix] / rest
        if not path.is_file():
            problems.append(f"file {name} is missing")
        elif sha256(path) != expected:
            problems.append(f"file {name} differs from the backup (sha256)")
    return problems


def restore(
    *, source: Path, database: Database, media_root: Path, private_media_root: Path, force: bool = False
) -> dict:
    """Load a backup into an empty database and the media directories, then verify it; returns the manifest."""
    source = Path(source)
    manifest = json.loads((source / MANIFEST).read_text())
    if not force and not _is_empty(database):
        raise BackupError("The target database is not empty; restore into a fresh database (or pass --force).")
    if not force and (any(_walk(Path(media_root))) or any(_walk(Path(private_media_root)))):
        raise BackupError("The media directories are not empty; restore into fresh ones (or pass --force).")
    roots = {"media": Path(media_root), "private-media": Path(private_media_root)}
    _restore_database(manifest, source, database, replace=force)
    _extract(source / FILES, roots)
    problems = verify(manifest, database, roots)
    if problems:
        raise BackupError("The restored data differ from the backup:\n  " + "\n  ".join(problems))
    return manifest
