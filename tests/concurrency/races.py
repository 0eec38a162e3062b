"""Thread races for the concurrency tests: many requests at the same moment, each on its own connection."""

import threading

from django.db import connection, connections

import pytest

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises whole write transactions, so requests never overlap; the thread races need PostgreSQL.",
)
race_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def race(clients, send) -> list:
    """Send one request per client at the same moment; return the responses (a 500 fails the test)."""
    barrier = threading.Barrier(len(clients), timeout=30)
    responses, errors = [None] * len(clients), []

    def run(index, client):
        try:
            barrier.wait()
            responses[index] = send(index, client)
        except Exception as error:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert all(r is not None and r.status_code < 500 for r in responses), [
        getattr(r, "status_code", r) for r in responses
    ]
    return responses
