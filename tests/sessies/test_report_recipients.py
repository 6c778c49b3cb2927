"""Report recipients come from the project, grouped by role, and the mail's wording fits each (issue 15 §3)."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kader.models import Contact, ContactRole
from sessies import reports
from sessies.models import Delivery, Participant
from tests.conftest import make_user
from tests.factories import ResearchProjectFactory, add_members

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TITLE = "Gesprekstafel 1 – Vroegsignalering"
THANKS = f"Thank you for taking part in {TITLE}."
FOR_INFORMATION = f"This is the report of {TITLE}, sent to you for your information."
# Login session, user, session, permissions (2), report, participants, contacts, researchers, deliveries,
# versions.
FEW_QUERIES = 11
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def contact(project, name, email, role=ContactRole.PROFESSIONAL, organisation=""):
    return Contact.objects.create(project=project, name=name, email=email, role=role, organisation=organisation)


@pytest.fixture
def people(harvested, django_user_model):
    """The harvested session's project with contacts of every role and some people in two places.

    Taking part: Petra (professional) and Bram (policy); Carla has no address. Researchers: Olga,
    Rik (who also took part, under his address in capitals) and an inactive one.
    """
    project = harvested.project
    rik = make_user(django_user_model, "rik")
    gone = make_user(django_user_model, "gerrit", is_active=False)
    add_members(project, [rik, gone], "onderzoeker")
    Participant.objects.create(session=harvested, name="Rik als deelnemer", email="RIK@example.org", role="onderzoeker")
    pim = contact(project, "Pim Professional", "pim@example.org", organisation="Buurtteam <Oost>")
    contact(project, "Petra als contact", "Petra@Example.org")  # took part: once, as taking part
    contact(project, "Olga als contact", "olga@example.org", ContactRole.POLICY)  # a researcher already
    contact(project, "Bea Beleid", "bea@example.org", ContactRole.POLICY)
    contact(project, "Cor Cliëntenraad", "cor@example.org", ContactRole.CLIENT)
    contact(project, "Ank <b>Anders</b>", "ank@example.org", ContactRole.OTHER)
    contact(project, "Zonder Adres", "", ContactRole.POLICY)
    # At the table under another address than the project keeps for her: she took part.
    linked = contact(project, "Lotte Linked", "lotte.werk@example.org", ContactRole.POLICY)
    Participant.objects.create(session=harvested, contact=linked, name="Lotte Linked", email="lotte@example.org")
    other_project = ResearchProjectFactory(title="Ander onderzoek")
    contact(other_project, "Vreemde", "vreemd@example.org", ContactRole.POLICY)
    return {"pim": pim}


@pytest.fixture
def approved(harvested, secretary):
    return reports.approve(reports.report_for(harvested), by=secretary)


def summary(groups):
    return [(g.slug, g.checked, [(c.name, c.email, c.took_part) for c in g.people]) for g in groups]


def test_it_proposes_the_projects_people_by_role_in_order_each_address_once(harvested, people):
    assert summary(reports.recipient_groups(harvested)) == [
        ("researchers", True, [("Olga", "olga@example.org", False)]),
        (
            "took_part",
            True,
            [
                ("Bram Beleid", "bram@example.org", True),
                ("Lotte Linked", "lotte@example.org", True),
                ("Petra Professional", "petra@example.org", True),
                ("Rik als deelnemer", "RIK@example.org", True),
            ],
        ),
        ("professionals", True, [("Pim Professional", "pim@example.org", False)]),
        ("policy", True, [("Bea Beleid", "bea@example.org", False)]),
        (
            "others",
            False,
            [("Ank <b>Anders</b>", "ank@example.org", False), ("Cor Cliëntenraad", "cor@example.org", False)],
        ),
    ]


def test_the_default_recipients_are_the_checked_groups(harvested, people):
    assert [r.email for r in reports.default_recipients(harvested)] == [
        "olga@example.org",
        "bram@example.org",
        "lotte@example.org",
        "petra@example.org",
        "RIK@example.org",
        "pim@example.org",
        "bea@example.org",
    ]


def test_the_send_page_shows_the_groups_with_names_roles_and_defaults_escaped(client, approved, people, secretary):
    client.force_login(secretary)
    page = client.get(reverse("sessions:report_send", args=[approved.session.pk])).content.decode()

    titles = ["Researchers", "Took part in the session", "Professionals who did not take part"]
    titles += ["Policy and management", "Other contacts"]
    positions = [page.index(f'<legend class="recipient-group-title">{title}') for title in titles]
    assert positions == sorted(positions)
    box = '<input class="form-check-input" type="checkbox" name="recipients" value="{}" id="recipient-{}"{}>'
    assert box.format("olga@example.org", "researchers-1", " checked") in page
    assert box.format("RIK@example.org", "took_part-4", " checked") in page
    assert box.format("pim@example.org", "professionals-1", " checked") in page
    assert box.format("bea@example.org", "policy-1", " checked") in page
    assert box.format("ank@example.org", "others-1", "") in page
    assert box.format("cor@example.org", "others-2", "") in page
    assert page.count('name="recipients"') == 9
    assert "vreemd@example.org" not in page and "lotte.werk@example.org" not in page
    # Names, roles and organisations, escaped.
    assert (
        'Pim Professional &lt;pim@example.org&gt; <span class="small text-muted">· professional, Buurtteam &lt;Oost&gt;</span>'
        in page
    )
    assert 'Ank &lt;b&gt;Anders&lt;/b&gt; &lt;ank@example.org&gt; <span class="small text-muted">· other</span>' in page
    assert 'Olga &lt;olga@example.org&gt; <span class="small text-muted">· researcher (process director)</span>' in page
    assert 'Bram Beleid &lt;bram@example.org&gt; <span class="small text-muted">· policy and management</span>' in page
    # The group toggles wait, hidden, for the script; no inline script.
    assert page.count("data-recipient-toggle-label") == 5 and page.count(" hidden data-recipient-toggle-label") == 5
    assert '<script src="/static/js/recipient-groups.js" defer></script>' in page
    assert "<script>" not in page
    # The message leaves the thanks to the mail, which gives them to those who took part only.
    assert "Thank you for taking part" not in page


def test_a_session_without_addresses_says_to_type_them(client, approved, secretary, researcher):
    researcher.email = ""
    researcher.save()
    approved.session.participants.update(email="")
    approved.session.project.contacts.update(email="")  # planning made the participants contacts too
    client.force_login(secretary)
    page = client.get(reverse("sessions:report_send", args=[approved.session.pk])).content.decode()
    assert "Nobody in this session or its project has an e-mail address: type the addresses below." in page
    assert 'name="recipients"' not in page


@pytest.mark.parametrize(
    "forged",
    [
        ["vreemd@example.org"],  # a contact of another project
        ["olga@example.org", "vreemd@example.org"],  # one forged among real ones
        ["lotte.werk@example.org"],  # took part under another address: not offered
        ["contact-1"],
        [""],
    ],
)
def test_it_refuses_a_recipient_it_did_not_propose_and_sends_nothing(client, approved, people, secretary, forged):
    client.force_login(secretary)
    response = client.post(
        reverse("sessions:report_send", args=[approved.session.pk]),
        {"recipients": forged, "extra_addresses": "", "subject": "Verslag", "message": "Hierbij"},
    )
    assert response.status_code == 422
    assert (
        "One of the chosen recipients is not among this project&#x27;s people. Reload the page and choose again."
        in response.content.decode()
    )
    assert not Delivery.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_took_part_is_set_for_those_who_took_part_even_when_typed(
    client, approved, people, secretary, django_capture_on_commit_callbacks
):
    client.force_login(secretary)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("sessions:report_send", args=[approved.session.pk]),
            {
                "recipients": ["petra@example.org", "olga@example.org", "bea@example.org", "cor@example.org"],
                "extra_addresses": "BRAM@example.org\nnieuw@example.org\npetra@example.org",
                "subject": "Verslag",
                "message": "Hierbij",
            },
        )
    assert response.status_code == 302
    assert [(d.name, d.email, d.took_part) for d in Delivery.objects.all()] == [
        ("Petra Professional", "petra@example.org", True),
        ("Olga", "olga@example.org", False),
        ("Bea Beleid", "bea@example.org", False),
        ("Cor Cliëntenraad", "cor@example.org", False),
        ("Bram Beleid", "BRAM@example.org", True),
        ("", "nieuw@example.org", False),
    ]


def test_queueing_plain_pairs_sends_for_information(approved):
    reports.queue_deliveries(approved, [("Petra", "petra@example.org")], subject="Verslag", message="")
    assert Delivery.objects.get().took_part is False


def test_the_mail_thanks_those_who_took_part_and_informs_the_others(
    client, approved, secretary, settings, django_capture_on_commit_callbacks, run_mail_worker
):
    settings.MAILERS = LOCMEM
    client.force_login(secretary)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sessions:report_send", args=[approved.session.pk]),
            {
                "recipients": ["petra@example.org", "olga@example.org"],
                "extra_addresses": "",
                "subject": "Verslag Gesprekstafel 1",
                "message": "Beste lezer,\n\nHierbij het verslag.",
            },
        )
    assert response.status_code == 302
    run_mail_worker()
    sent = {message.to[0]: message for message in mail.outbox}
    assert sorted(sent) == ["olga@example.org", "petra@example.org"]
    petra, olga = sent["petra@example.org"], sent["olga@example.org"]
    footer = "The report is attached as a PDF.\n\n-- \nVroegsignalering schulden · " + TITLE + "\n"
    assert petra.body == f"Beste lezer,\n\nHierbij het verslag.\n\n{THANKS}\n\n{footer}\n"
    assert olga.body == f"Beste lezer,\n\nHierbij het verslag.\n\n{FOR_INFORMATION}\n\n{footer}\n"
    assert f"<p>{THANKS}</p>" in petra.alternatives[0].content and "information" not in petra.alternatives[0].content
    assert f"<p>{FOR_INFORMATION}</p>" in olga.alternatives[0].content
    assert "Thank you" not in olga.alternatives[0].content
    # The same subject and the same approved PDF (version 1) for everyone.
    assert petra.subject == olga.subject == "Verslag Gesprekstafel 1"
    assert (
        petra.attachments
        == olga.attachments
        == [(f"verslag-{approved.session.pk}-versie-1.pdf", bytes(approved.pdf), "application/pdf")]
    )


def test_the_send_page_costs_the_same_queries_however_many_contacts(
    client, approved, people, secretary, django_assert_num_queries
):
    client.force_login(secretary)
    url = reverse("sessions:report_send", args=[approved.session.pk])
    client.get(url)  # warm the caches a first request fills
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    project = approved.session.project
    roles = [ContactRole.PROFESSIONAL, ContactRole.POLICY, ContactRole.CLIENT]
    for index in range(30):
        contact(project, f"Extra {index}", f"extra{index}@example.org", roles[index % 3])
        # Taking part, picked from the project's contacts (under an address of their own).
        picked = contact(project, f"Deelnemer {index}", f"deel{index}@werk.example.org", roles[index % 3])
        Participant.objects.create(
            session=approved.session, contact=picked, name=f"Deelnemer {index}", email=f"deel{index}@example.org"
        )
    with django_assert_num_queries(len(few)):
        page = client.get(url).content.decode()
    assert page.count('name="recipients"') == 9 + 60
    assert len(few) == FEW_QUERIES
