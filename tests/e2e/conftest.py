"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM calls
from the test body unless async-unsafe access is allowed.
"""

import os

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

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
def base_url(live_server):
    """Playwright's `page` and `context` fixtures resolve relative URLs against the live server.

    (Defined here also because pytest-playwright's own fallback fixture is a method, which
    pytest 9 warns about.)
    """
    return live_server.url


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
