"""A copy of the migrated test database, taken once per test process and put back in milliseconds.

Browser tests and the other transactional tests commit for real (the live server runs in another thread), so each
needs the database as migrations left it: Django's serialized rollback rebuilds it object by object from JSON
(seconds per test). Instead:

- in-memory SQLite: SQLite's backup API copies the pages of a snapshot connection back;
- PostgreSQL: a schema of the same tables holds the migrated rows; after the flush, one ``INSERT … SELECT`` per
  table puts them back, foreign-key triggers off for the duration (the rows were consistent when copied). The flush
  itself deletes the rows of the tables that have any, instead of a ``TRUNCATE`` of all of them (about 190 tables:
  seconds, as each gets new files).

Any other database, or a snapshot that cannot be taken, keeps Django's serialized rollback.
"""

import sqlite3

from django.db import DatabaseError, connections, transaction
from django.db.backends.postgresql.creation import DatabaseCreation as PostgresCreation
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.db.backends.sqlite3.creation import DatabaseCreation as SqliteCreation

SCHEMA = "bridges_test_snapshot"

_sqlite: dict[str, sqlite3.Connection] = {}
_postgres: dict[str, dict[str, str]] = {}  # alias → {table that had rows after migrations: its columns}
_deserialize = {cls: cls.deserialize_db_from_string for cls in (SqliteCreation, PostgresCreation)}


def _restore_sqlite(creation, data):
    """Serialized rollback's "load the migrated data": the snapshot is that data, put back at once."""
    copy = _sqlite.get(creation.connection.alias)
    if copy is None:
        return _deserialize[SqliteCreation](creation, data)
    creation.connection.ensure_connection()
    copy.backup(creation.connection.connection)


def _restore_postgres(creation, data):
    connection = creation.connection
    tables = _postgres.get(connection.alias)
    if tables is None:
        return _deserialize[PostgresCreation](creation, data)
    quote = connection.ops.quote_name
    everything = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for sql in _deleting(connection, everything):  # the first test of a process finds the migrated rows there
            cursor.execute(sql)
        for table, columns in tables.items():
            cursor.execute(f"INSERT INTO {quote(table)} ({columns}) SELECT {columns} FROM {SCHEMA}.{quote(table)}")


_sql_flush = PostgresOperations.sql_flush


def _deleting(connection, tables) -> list[str]:
    """DELETE statements for those of ``tables`` that have rows (one query finds them)."""
    quote = connection.ops.quote_name
    tables = list(tables)
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f"SELECT {n} WHERE EXISTS (SELECT 1 FROM {quote(t)})" for n, t in enumerate(tables))
        )
        return [f"DELETE FROM {quote(tables[row[0]])}" for row in cursor.fetchall()]


def _sql_flush_deleting(ops, style, tables, *, reset_sequences=False, allow_cascade=False):
    """The flush between transactional tests: DELETE from the tables that have rows, constraints unchecked (every
    table is emptied). A flush that resets sequences keeps Django's TRUNCATE … RESTART IDENTITY."""
    if reset_sequences or not tables:
        return _sql_flush(ops, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    return ["SET LOCAL session_replication_role = replica", *_deleting(ops.connection, tables)]


def _take_postgres(connection) -> None:
    quote = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            cursor.execute(f"CREATE SCHEMA {SCHEMA}")
            # Generated columns (the search vector) cannot be inserted into: they are left out and computed again.
            cursor.execute(
                "SELECT table_name, string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) "
                "FROM information_schema.columns WHERE table_schema = current_schema() AND is_generated = 'NEVER' "
                "GROUP BY table_name"
            )
            columns = dict(cursor.fetchall())
            copies = {}
            for table in sorted(tables):
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")
                if cursor.fetchone()[0]:
                    cursor.execute(
                        f"CREATE TABLE {SCHEMA}.{quote(table)} AS SELECT {columns[table]} FROM {quote(table)}"
                    )
                    copies[table] = columns[table]
    except DatabaseError:
        return
    _postgres[connection.alias] = copies


def take() -> None:
    """Copy every in-memory SQLite or PostgreSQL test database as it is now (right after migrations), and let
    serialized rollback restore the copy."""
    for alias in connections:
        connection = connections[alias]
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            connection.ensure_connection()
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(copy)
            _sqlite[alias] = copy
        elif connection.vendor == "postgresql":
            _take_postgres(connection)
    if _sqlite:
        SqliteCreation.deserialize_db_from_string = _restore_sqlite
    if _postgres:
        PostgresCreation.deserialize_db_from_string = _restore_postgres
        PostgresOperations.sql_flush = _sql_flush_deleting
