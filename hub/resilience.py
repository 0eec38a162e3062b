"""When the database connection dies mid-request: a retryable 503, never a 500 with a traceback.

A killed connection (a failover, ``pg_terminate_backend``, a restart of PostgreSQL) surfaces as
``OperationalError`` or ``InterfaceError``. The transaction of the request has already rolled back,
so nothing was saved: the reader is told to try again (with ``Retry-After``), the broken connection
is closed here, and the next request opens a fresh one (``CONN_HEALTH_CHECKS`` checks reused ones),
so the service resumes without restarting the app. Replayed submissions are made safe by the
idempotency key of the submit form (``calls.services.proposals.proposal_submit``).
"""

import errno
import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger("hub.resilience")
RETRY_AFTER_SECONDS = 5
CONNECTION_ERRORS = (OperationalError, InterfaceError)
# The disk (or the user's quota) is full: whatever upload raised it was not stored.
STORAGE_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


def database_unavailable(request=None) -> HttpResponse:
    """The 503 page: rendered without context processors, since the database is what failed."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def storage_full(request=None) -> HttpResponse:
    """The 507 page for a full disk: the storage removed its partial file, the transaction rolled back."""
    response = HttpResponse(loader.render_to_string("507.html"), status=507)
    response["Retry-After"] = "600"
    response["Cache-Control"] = "no-store"
    return response


def drop_broken_connections() -> None:
    """Close connections that no longer work, so that the next query reconnects."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection during a view into a 503 "try again, nothing was saved".

    And a full disk during an upload anywhere (datasets, results, workspace documents …) into a 507
    that says the file was not stored; services with their own message (proposal attachments) answer
    before this is reached.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OSError) and exception.errno in STORAGE_FULL_ERRNOS:
            logger.error("Storage full during %s %s; answered 507", request.method, request.path, exc_info=exception)
            return storage_full(request)
        if not isinstance(exception, CONNECTION_ERRORS):
            return None
        logger.error(
            "Database unavailable during %s %s; answered 503", request.method, request.path, exc_info=exception
        )
        drop_broken_connections()
        return database_unavailable(request)
