"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM calls
from the test body unless async-unsafe access is allowed.
"""

import os
import socket
import threading
import time
from urllib.parse import urlsplit

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from pathlib import Path

import pytest
import uvicorn
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.management import call_command
from django.test import Client, override_settings

from tests.conftest import make_user
from tests.factories import ResearchProjectFactory, SessionFactory, table_participants

E2E_DIR = Path(__file__).parent
AXE_JS = E2E_DIR / "vendor" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
# "Within 2 s" (the poll interval) checked with some slack for the request itself.
POLL_TIMEOUT_MS = settings.LIVE_POLL_INTERVAL_MS + 1000


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def base_url(push_server_url):
    """Playwright's `page` and `context` fixtures resolve relative URLs against the ASGI server.

    So every browser test meets the app as `make run` and production serve it, pushed changes
    included (tests/e2e/test_push.py checks the WSGI live server's polling fallback). Defined
    here also because pytest-playwright's own fallback fixture is a method, which pytest 9 warns about.
    """
    return push_server_url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The server renders times in Europe/Amsterdam; the countdown script uses the browser's zone.
    return {
        **browser_context_args,
        "locale": "nl-NL",
        "timezone_id": settings.TIME_ZONE,
        "viewport": {"width": 1400, "height": 1000},
    }


@pytest.fixture
def e2e_library(transactional_db):
    """Framework, scripts and role groups (a transactional flush may have removed them)."""
    from sessies.roles import ensure_role_groups

    ensure_role_groups()
    call_command("loaddata", "fixtures/kader.json", "fixtures/draaiboeken.json", verbosity=0)


@pytest.fixture
def people(e2e_library, django_user_model):
    from sessies import roles

    return {
        "facilitator": make_user(django_user_model, "gijs", roles.FACILITATORS),
        "secretary": make_user(django_user_model, "sanne", roles.SECRETARIES),
    }


@pytest.fixture
def e2e_project(people):
    # The facilitator plans the session as a member of the project, in their own role.
    return ResearchProjectFactory(facilitators=[people["facilitator"]])


@pytest.fixture
def e2e_session(e2e_project, people):
    """A planned Gesprekstafel 1 with three participants."""
    return SessionFactory(
        project=e2e_project,
        place="Stadskantoor, zaal 3",
        facilitator=people["facilitator"],
        secretary=people["secretary"],
        participants=table_participants(),
    )


@pytest.fixture
def login(browser, browser_context_args, live_server):
    """login(user) -> a new browser context signed in as the user (its own server-side session)."""
    contexts = []

    def _login(user):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context = browser.new_context(**browser_context_args)
        context.set_default_timeout(10_000)
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        contexts.append(context)
        return context

    yield _login
    for context in contexts:
        context.close()


def accept_dialogs(page):
    """Accept confirm() and beforeunload prompts (Playwright dismisses them by default)."""
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session")
def push_server_url(live_server, django_db_setup, django_db_blocker):
    """The app under uvicorn (ASGI) in a thread: pushed changes, as `make run` and production serve them.

    pytest-django's live_server is WSGI, where the stream answers 204 and pages poll; the tests
    of push use this server instead. Static files come from the finders, as in development.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        application = get_asgi_application()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, log_level="warning", lifespan="off", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    # The live server's host name, so the login cookies set for it are sent here too.
    yield f"http://{urlsplit(live_server.url).hostname}:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    with django_db_blocker.unblock():
        _drop_server_connections()


def _drop_server_connections():
    """The server's render threads keep their PostgreSQL connections; drop them so the test database can go."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def push_server(push_server_url, transactional_db):
    """The ASGI server's URL, for a test whose data its threads can read (committed)."""
    return push_server_url


class CuttableProxy:
    """A TCP relay in front of a server whose connections a test can cut, like venue wifi dropping.

    `cut()` drops every open connection and refuses new ones until `restore()`. With
    `hold_streams` it behaves like a proxy that buffers responses: a stream's bytes never arrive.
    """

    def __init__(self, target_port, *, hold_streams=False):
        self.target_port = target_port
        self.hold_streams = hold_streams
        self.down = False
        self.sockets = set()
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client):
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
        except OSError:
            client.close()
            return
        with self.lock:
            self.sockets.update((client, upstream))
        # Browsers reuse connections: once a stream is asked for on this one, hold what comes back.
        held = threading.Event()
        threading.Thread(target=self._pump, args=(client, upstream, held, None), daemon=True).start()
        self._pump(upstream, client, None, held)

    def _pump(self, source, sink, mark_held, held):
        try:
            while data := source.recv(65536):
                if mark_held is not None and self.hold_streams and b"/stroom/" in data:
                    mark_held.set()
                if held is None or not held.is_set():
                    sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        self.down = True
        with self.lock:
            sockets, self.sockets = self.sockets, set()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass

    def restore(self):
        self.down = False

    def close(self):
        self.cut()
        self.listener.close()


@pytest.fixture
def cuttable_push_server(push_server):
    """(URL, proxy): the ASGI server behind a relay whose connections the test can cut."""
    parts = urlsplit(push_server)
    proxy = CuttableProxy(parts.port)
    yield f"http://{parts.hostname}:{proxy.port}", proxy
    proxy.close()


@pytest.fixture
def buffering_proxy(push_server):
    """The ASGI server behind a proxy that holds back streamed responses (buffering on)."""
    parts = urlsplit(push_server)
    proxy = CuttableProxy(parts.port, hold_streams=True)
    yield f"http://{parts.hostname}:{proxy.port}"
    proxy.close()
