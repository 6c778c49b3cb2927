"""The first login after `make run`: every demo account sees something to do, and the demo
facilitator plans a Gesprekstafel 1 in the demo project on their own."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

SCRIPT_TITLE = "Gesprekstafel 1: De start van het onderzoek"


@pytest.fixture
def demo(e2e_library):
    """What `make run` seeds (the command refuses with DEBUG off, as pytest-django runs)."""
    from kader.models import ResearchProject
    from sessies.management.commands.seed_demo import DEMO_PROJECT_TITLE

    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())
    return ResearchProject.objects.get(title=DEMO_PROJECT_TITLE)


def log_in(browser, browser_context_args, username, password):
    """A fresh browser that logs in through the login page, as a new user does."""
    context = browser.new_context(**browser_context_args)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button").click()
    expect(page).to_have_url(re.compile(r"/$"))
    return page


def test_every_demo_account_sees_something_to_do(browser, browser_context_args, demo):
    from sessies.management.commands.seed_demo import DEMO_ACCOUNTS

    for username, password, *_rest in DEMO_ACCOUNTS:
        page = log_in(browser, browser_context_args, username, password)
        links = page.locator("a.next-step-link")
        expect(links.first).to_be_visible()
        assert links.count() >= 1, username
        screenshot(page, f"first-login-{username}")
        # The first step leads to a page that opens for this account.
        href = links.first.get_attribute("href")
        response = page.goto(href)
        assert response.status == 200, (username, href)
        page.context.close()


def test_the_demo_facilitator_plans_a_gesprekstafel_alone(browser, browser_context_args, demo):
    from django.contrib.auth import get_user_model

    from draaiboeken.models import Script
    from sessies.models import Session

    User = get_user_model()
    facilitator, secretary = User.objects.get(username="gespreksleider"), User.objects.get(username="secretaris")
    before = set(demo.sessions.values_list("pk", flat=True))

    page = log_in(browser, browser_context_args, "gespreksleider", "demo-gespreksleider")
    plan = page.locator("a.next-step-link.stage-plan")
    expect(plan).to_have_count(1)
    plan.click()
    expect(page).to_have_url(re.compile(rf"/sessies/nieuw/\?project={demo.pk}$"))

    script = Script.objects.get(title=SCRIPT_TITLE)
    starts_at = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0)
    page.select_option("#id_project", str(demo.pk))
    page.select_option("#id_script", str(script.pk))
    page.fill("#id_starts_at", starts_at.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_facilitator", str(facilitator.pk))
    page.select_option("#id_secretary", str(secretary.pk))
    screenshot(page, "first-login-plan")
    page.locator("main form button.btn-primary").last.click()

    expect(page).to_have_url(re.compile(r"/sessies/\d+/$"))
    (new,) = Session.objects.filter(project=demo).exclude(pk__in=before)
    assert page.url.endswith(new.get_absolute_url())
    assert (new.script_id, new.title, new.facilitator, new.secretary) == (
        script.pk,
        SCRIPT_TITLE,
        facilitator,
        secretary,
    )
    assert timezone.localtime(new.starts_at).replace(second=0) == starts_at.replace(second=0, microsecond=0)
    assert new.blocks.count() == script.blocks.count()

    # Back on the dashboard the new session waits with its next step: running it.
    page.goto("/")
    expect(page.locator(f'a.next-step-link[href="/sessies/{new.pk}/regie/"]')).to_be_visible()
    page.context.close()
