"""Browser tests: Playwright (sync API) driving the system Chromium against pytest-django's live server.

Every test here is marked ``e2e`` and uses a transactional database with serialized rollback: the live server runs
in another thread, so each test commits for real, and the flush after it would otherwise wipe what migrations loaded
(the Wagtail page tree, sites, collections and vocabularies); ``tests/db_snapshot.py`` puts that back in
milliseconds. Each pytest-xdist worker has its own database, live server and browser, so browser tests spread over
the workers like the others.
"""

import os
import re
import threading
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM in fixtures and asserts must still work.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
E2E_DIR = Path(__file__).parent
# CI's PostgreSQL run repeats only these browser tests (marker ``on_postgresql``): two people saving one object at
# once, where the database's locks and versions decide. The others run once, in ``make test``.
REPEATED_ON_POSTGRESQL = ("test_edit_conflict_",)
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)

# The live server's threads and the test thread use one in-memory SQLite connection. Two requests at once (a
# publish and the editor's background ping) or a request and the test's own query interleave their savepoints on
# it ("no such savepoint"). A request holds this lock from start to last byte; the test thread's queries take it too.
SHARED_CONNECTION = threading.RLock()


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server's WSGI server, answering one request at a time on the shared connection.

    Still threaded, so that a browser's idle keep-alive connection never blocks the next request.
    """

    def set_app(self, application):
        def serialised(environ, start_response):
            with SHARED_CONNECTION:
                result = application(environ, start_response)
                try:
                    body = b"".join(result)  # streamed responses query as they go: finish them under the lock
                finally:
                    if hasattr(result, "close"):
                        result.close()
            return [body]

        super().set_app(serialised)


LiveServerThread.server_class = OneRequestAtATime


def _one_query_at_a_time(execute, sql, params, many, context):
    with SHARED_CONNECTION:
        return execute(sql, params, many, context)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # Before pytest-django orders the tests and xdist reads the group.
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
            if Path(item.path).name.startswith(REPEATED_ON_POSTGRESQL):
                item.add_marker(pytest.mark.on_postgresql)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser(django_db_setup) -> Browser:
    if not os.path.exists(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    playwright = sync_playwright().start()
    # From here on an event loop is running in this thread, so asgiref hands the ORM new
    # connection objects; give them the migrated data that serialized rollback restores.
    for alias, contents in serialized.items():
        connections[alias]._test_serialized_contents = contents
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="module", autouse=True)
def _leave_the_database_as_migrated(django_db_blocker):
    """Restore the migrated data after the module, for tests that run after it in this process.

    Serialized rollback restores it before each test; the flush after the last test leaves
    the database empty (not even content types), which the next non-browser test would see.
    """
    yield
    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents and not ContentType.objects.using(alias).exists():
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def _queries_wait_for_requests():
    wrapped = [connections[alias] for alias in connections]
    for connection in wrapped:
        connection.execute_wrappers.append(_one_query_at_a_time)
    yield
    for connection in wrapped:
        if _one_query_at_a_time in connection.execute_wrappers:
            connection.execute_wrappers.remove(_one_query_at_a_time)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth counts sign-in attempts in the cache, which outlives each test's database.
    cache.clear()


@pytest.fixture
def new_page(browser, live_server, request, settings):
    """Open pages in fresh browser contexts (one per person); screenshots them if the test fails."""
    contexts: list[BrowserContext] = []
    # The site's public address is the live server's: every absolute link it gives out leads back to it.
    settings.SITE_BASE_URL = live_server.url

    def make() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="en-GB", accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        new = context.new_page()
        # Destructive forms may ask window.confirm(); a person would say yes to finish the flow.
        new.on("dialog", lambda dialog: dialog.accept())
        return new

    yield make
    report = getattr(request.node, "e2e_report_call", None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for n, context in enumerate(contexts):
            for m, open_page in enumerate(context.pages):
                try:
                    open_page.screenshot(path=str(RESULTS_DIR / f"{name}-{n}-{m}.png"), full_page=True)
                except Exception:  # a failed screenshot must not hide the test's own failure
                    pass
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()
