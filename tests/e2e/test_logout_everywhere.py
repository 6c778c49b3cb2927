"""Log out on all devices, from the menu, ends the session of a second browser too."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_log_out_on_all_devices_from_the_menu(login, people, e2e_session):
    laptop = login(people["facilitator"]).new_page()
    projector = login(people["facilitator"]).new_page()
    projector.goto(f"/sessies/{e2e_session.pk}/projectie/")
    laptop.goto("/")

    laptop.locator(".navbar .dropdown-toggle-split").click()
    item = laptop.get_by_role("button", name=re.compile("alle apparaten|all devices"))
    expect(item).to_be_visible()
    screenshot(laptop, "log-out-options")
    item.click()

    expect(laptop).to_have_url(re.compile(r"/accounts/login/$"))
    projector.reload()
    expect(projector).to_have_url(re.compile(r"/accounts/login/\?next="))
