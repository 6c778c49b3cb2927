"""A facilitator plans a Gesprekstafel 1 for their project, ticking its contacts and adding a new person."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import ResearchProjectFactory

pytestmark = pytest.mark.e2e

SCRIPT_TITLE = "Gesprekstafel 1: De start van het onderzoek"


def test_a_facilitator_plans_with_the_projects_contacts(login, people, e2e_project):
    from draaiboeken.models import Script
    from kader.models import Contact, ContactRole
    from sessies.models import Session

    facilitator, secretary = people["facilitator"], people["secretary"]
    petra = Contact.objects.create(
        project=e2e_project, name="Petra Professional", email="petra@example.org", role=ContactRole.PROFESSIONAL
    )
    bram = Contact.objects.create(
        project=e2e_project, name="Bram Beleid", email="bram@example.org", role=ContactRole.POLICY
    )
    Contact.objects.create(project=e2e_project, name="Carla Cliënt", role=ContactRole.CLIENT)
    # A second project of theirs, so the project is chosen in the browser and its contacts follow.
    other = ResearchProjectFactory(title="Ander onderzoek", facilitators=[facilitator])
    Contact.objects.create(project=other, name="Xander Elders", email="xander@example.org")

    page = login(facilitator).new_page()
    page.goto("/sessies/nieuw/")
    contacts = page.locator("#project-contacts")
    expect(contacts.locator('input[name="contacts"]')).to_have_count(0)

    page.select_option("#id_project", str(other.pk))
    expect(contacts).to_contain_text("Xander Elders")
    page.select_option("#id_project", str(e2e_project.pk))
    expect(contacts.locator('input[name="contacts"]')).to_have_count(3)
    expect(contacts).not_to_contain_text("Xander Elders")

    page.locator(f"#contact-{petra.pk}").check()
    page.locator(f"#contact-{bram.pk}").check()
    page.select_option("#id_script", str(Script.objects.get(title=SCRIPT_TITLE).pk))
    page.fill("#id_starts_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "Wijkcentrum De Klop")
    page.select_option("#id_facilitator", str(facilitator.pk))
    page.select_option("#id_secretary", str(secretary.pk))
    page.fill("#id_deelnemers-0-name", "Nina Nieuw")
    page.fill("#id_deelnemers-0-email", "nina@example.org")
    page.select_option("#id_deelnemers-0-role", "client")
    screenshot(page, "plan-with-contacts")
    page.locator("main form button.btn-primary").last.click()

    expect(page).to_have_url(re.compile(r"/sessies/\d+/$"))
    listed = page.locator(".participant-list li")
    expect(listed).to_have_count(3)
    for name in ("Petra Professional", "Bram Beleid", "Nina Nieuw"):
        expect(listed.filter(has_text=name)).to_have_count(1)
    session = Session.objects.get()
    assert sorted(session.participants.values_list("name", "contact__name")) == [
        ("Bram Beleid", "Bram Beleid"),
        ("Nina Nieuw", "Nina Nieuw"),
        ("Petra Professional", "Petra Professional"),
    ]
    assert e2e_project.contacts.filter(name="Nina Nieuw", email="nina@example.org", role=ContactRole.CLIENT).exists()
