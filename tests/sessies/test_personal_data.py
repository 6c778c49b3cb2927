"""Personal data (AVG): export, erasure, the page for administrators, retention and the privacy page.

The erasure is checked the hard way: afterwards every text column of every table of the project's
apps, the user accounts and the admin log is searched for the address and the name.
"""

import io
import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session as LoginSession
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kader.models import Contact, Membership, ProjectRole
from sessies import harvest, personal_data, reports, roles, timeline
from sessies.models import Agreement, Delivery, DeliveryStatus, Erasure, Note, Participant, Report
from tests.factories import ResearchProjectFactory, SessionFactory, table_participants

pytestmark = pytest.mark.usefixtures("english")

ADDRESS = "petra@example.org"
NAME = "Petra Professional"
SEARCHED_APPS = ("kader", "draaiboeken", "sessies", "auth", "admin")
URL = "/beheer/persoonsgegevens/"


def rows_holding(term):
    """[(model label, pk, field)] of every text column (char, text, e-mail, JSON) in which `term` occurs, any case.

    The admin log's change_message is JSON with non-ASCII escaped, so the escaped form is searched too.
    """
    needles = {term.casefold(), json.dumps(term)[1:-1].casefold()}
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in SEARCHED_APPS:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        for row in model._default_manager.values("pk", *[f.attname for f in fields]):
            for field in fields:
                value = row[field.attname]
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if any(needle in text.casefold() for needle in needles):
                    found.append((model._meta.label, row["pk"], field.name))
    return found


def pdf_text(pdf):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(pdf))).pages)


@pytest.fixture
def petra_account(django_user_model, project):
    user = django_user_model.objects.create_user(
        username=ADDRESS, password="pw", first_name="Petra", last_name="Professional", email=ADDRESS
    )
    user.groups.add(Group.objects.get(name=roles.RESEARCHERS))
    Membership.objects.create(project=project, user=user, role=ProjectRole.RESEARCHER)
    return user


@pytest.fixture
def world(project, facilitator, secretary, admin_user, petra_account):
    """Petra as contact, participant, recipient, account and in texts and logs; Bram and Carla beside her."""
    petra = Contact.objects.create(
        project=project, name=NAME, email=ADDRESS, organisation="Buurtteam Noord", role="professional"
    )
    bram = Contact.objects.create(
        project=project, name="Bram Beleid", email="bram@example.org", organisation="Gemeente", role="beleid"
    )
    session = SessionFactory(
        project=project, facilitator=facilitator, secretary=secretary, participants=table_participants()
    )
    Participant.objects.filter(session=session, email=ADDRESS).update(contact=petra, organisation="Buurtteam Noord")
    session = timeline.start(session.pk, session.timeline_version)
    block = session.blocks.order_by("order").first()
    plain = harvest.add_note(
        session, block_id=block.pk, text="Wijkteam wil eerder meedenken", tag="opbrengst", author=secretary
    )
    mention = harvest.add_note(
        session,
        block_id=block.pk,
        text=f"Idee van {NAME}: mail het schema naar {ADDRESS.upper()}.",
        tag="opbrengst",
        author=secretary,
    )
    harvest.add_agreement(session, who=NAME, what="Stuurt het schema rond", when="vrijdag", block=block)
    harvest.add_agreement(session, who="Bram Beleid", what="Agendeert het", when="maandag", block=block)
    session.refresh_from_db()
    timeline.finish(session.pk, session.timeline_version)
    session.refresh_from_db()
    report = Report.objects.create(
        session=session,
        summary=f"Een goed gesprek. Vragen aan {ADDRESS}.",
        closing_remark=f"Dank aan {NAME} en Bram Beleid.",
    )
    reports.approve(report, by=facilitator)
    sent = Delivery.objects.create(
        report=report,
        name=NAME,
        email="Petra@Example.org",
        took_part=True,
        subject="Verslag",
        message=f"Beste {NAME}, hierbij het verslag.",
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
    )
    failed = Delivery.objects.create(
        report=report,
        name=NAME,
        email=ADDRESS,
        subject="Verslag",
        status=DeliveryStatus.FAILED,
        last_error=f"SMTPRecipientsRefused: {{'{ADDRESS}': (550, b'unknown')}}",
    )
    bram_delivery = Delivery.objects.create(
        report=report,
        name="Bram Beleid",
        email="bram@example.org",
        subject="Verslag",
        message="Beste Bram Beleid, hierbij het verslag.",
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
    )
    contact_type = ContentType.objects.get_for_model(Contact)
    LogEntry.objects.create(
        user=admin_user,
        content_type=contact_type,
        object_id=str(petra.pk),
        object_repr=NAME,
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["E-mail address"]}}]),
    )
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(type(session)),
        object_id=str(session.pk),
        object_repr=session.title,
        action_flag=CHANGE,
        change_message=json.dumps([{"added": {"name": "participant", "object": NAME}}]),
    )
    AccessLog.objects.create(username=ADDRESS, ip_address="192.0.2.7", user_agent="Firefox", http_accept="*/*")
    AccessAttempt.objects.create(
        username=ADDRESS, ip_address="192.0.2.7", user_agent="Firefox", http_accept="*/*", failures_since_start=1
    )
    Client().force_login(petra_account)
    return {
        "project": project,
        "session": session,
        "report": report,
        "petra": petra,
        "bram": bram,
        "plain": plain,
        "mention": mention,
        "sent": sent,
        "failed": failed,
        "bram_delivery": bram_delivery,
    }


# Export


def test_it_exports_everything_stored_about_the_person(world, petra_account):
    export = personal_data.export_person("PETRA@example.org")

    json.dumps(export)  # a file can be made of it as it is
    assert [(c["name"], c["email"], c["organisation"], c["project"]["title"]) for c in export["contacts"]] == [
        (NAME, ADDRESS, "Buurtteam Noord", "Vroegsignalering schulden")
    ]
    assert [(p["name"], p["role"], p["organisation"], p["session"]["title"]) for p in export["participants"]] == [
        (NAME, "professional", "Buurtteam Noord", "Gesprekstafel 1 – Vroegsignalering")
    ]
    assert export["participants"][0]["session"]["date"] == timezone.localtime(world["session"].starts_at).isoformat()
    assert sorted((d["email"], d["status"], d["subject"], d["sent_at"] is not None) for d in export["deliveries"]) == [
        ("Petra@Example.org", "verzonden", "Verslag", True),
        (ADDRESS, "mislukt", "Verslag", False),
    ]
    [account] = export["accounts"]
    assert (account["username"], account["first_name"], account["last_name"], account["groups"]) == (
        ADDRESS,
        "Petra",
        "Professional",
        ["Onderzoekers"],
    )
    assert account["projects"] == [
        {"id": world["project"].pk, "title": "Vroegsignalering schulden", "role": ProjectRole.RESEARCHER}
    ]
    mentions = {(m["kind"], m["id"]): m["fields"] for m in export["mentions"]}
    assert mentions == {
        ("sessies.note", world["mention"].pk): ["text"],
        ("sessies.report", world["report"].pk): ["summary"],
        ("sessies.delivery", world["failed"].pk): ["last_error"],
    }
    # The two made here, and the login of the fixture (force_login, no address).
    assert [(r["kind"], r["ip_address"]) for r in export["login_records"]] == [
        ("axes.accesslog", "192.0.2.7"),
        ("axes.accesslog", None),
        ("axes.accessattempt", "192.0.2.7"),
    ]
    # Nobody else's data: Bram is not in it.
    assert "bram" not in json.dumps(export).lower()


def test_it_exports_nothing_for_an_unknown_address(world):
    assert personal_data.is_empty(personal_data.export_person("niemand@example.org"))


@pytest.mark.parametrize("email", ["", "   ", "geen-adres"])
def test_it_refuses_what_is_not_an_address(db, email):
    # An empty address would match every blank e-mail column.
    with pytest.raises(personal_data.PersonalDataError):
        personal_data.export_person(email)


# Erasure


def test_the_search_finds_the_person_before_the_erasure(world):
    # The check below can fail: before the erasure the search finds her everywhere.
    holding_address = {(label, field) for label, _pk, field in rows_holding(ADDRESS)}
    holding_name = {(label, field) for label, _pk, field in rows_holding(NAME)}
    assert {
        ("kader.Contact", "email"),
        ("sessies.Participant", "email"),
        ("sessies.Delivery", "email"),
        ("sessies.Delivery", "last_error"),
        ("sessies.Note", "text"),
        ("sessies.Report", "summary"),
        ("auth.User", "username"),
        ("auth.User", "email"),
    } <= holding_address
    assert {
        ("kader.Contact", "name"),
        ("sessies.Participant", "name"),
        ("sessies.Delivery", "name"),
        ("sessies.Delivery", "message"),
        ("sessies.Note", "text"),
        ("sessies.Agreement", "who"),
        ("sessies.Report", "closing_remark"),
        ("admin.LogEntry", "object_repr"),
        ("admin.LogEntry", "change_message"),
    } <= holding_name
    assert NAME in pdf_text(world["report"].pdf)


def test_it_leaves_nothing_of_the_person(world, admin_user, petra_account):
    erasure = personal_data.erase_person("Petra@EXAMPLE.org", by=admin_user)

    assert rows_holding(ADDRESS) == []
    assert rows_holding(NAME) == []
    petra_account.refresh_from_db()
    assert (petra_account.first_name, petra_account.last_name, petra_account.email) == ("", "", "")
    assert petra_account.username == f"verwijderd-{petra_account.pk}"
    assert not petra_account.is_active
    assert not petra_account.has_usable_password()
    assert not AccessLog.objects.filter(username__iexact=ADDRESS).exists()
    assert not AccessAttempt.objects.filter(username__iexact=ADDRESS).exists()
    assert LoginSession.objects.count() == 0
    # The approved report's PDF no longer shows her, and it is still approved.
    report = Report.objects.get(pk=world["report"].pk)
    assert report.is_approved
    assert report.pdf_sha256 != world["report"].pdf_sha256
    text = pdf_text(report.pdf)
    assert "Petra" not in text
    assert personal_data.placeholders()["name"] in text
    assert erasure.counts == {
        "contacts": 1,
        "participants": 1,
        "deliveries": 1,
        "unsent_deliveries": 1,
        "accounts": 1,
        # The note, the agreement, the report, Petra's sent delivery (message).
        "texts": 4,
        "report_pdfs": 1,
        "admin_log": 2,
        "login_records": 3,
        "login_sessions": 1,
        # Petra was not invited to review the draft report.
        "review_invitations": 0,
    }


def test_it_keeps_the_rows_with_a_placeholder_and_the_content_of_notes_and_reports(world, admin_user):
    personal_data.erase_person(ADDRESS, by=admin_user)
    erased = personal_data.placeholders()

    petra = Contact.objects.get(pk=world["petra"].pk)
    assert (petra.name, petra.email, petra.organisation, petra.role) == (erased["name"], "", "", "professional")
    participant = Participant.objects.get(contact=petra)
    assert (participant.name, participant.email, participant.organisation) == (erased["name"], "", "")
    sent = Delivery.objects.get(pk=world["sent"].pk)
    assert (sent.name, sent.email, sent.status) == (erased["name"], "", DeliveryStatus.SENT)
    assert sent.message == f"Beste {erased['name']}, hierbij het verslag."
    # Unsent: nobody left to send it to.
    assert not Delivery.objects.filter(pk=world["failed"].pk).exists()
    assert Note.objects.get(pk=world["plain"].pk).text == "Wijkteam wil eerder meedenken"
    mention = Note.objects.get(pk=world["mention"].pk)
    assert mention.text == f"Idee van {erased['name']}: mail het schema naar {erased['address']}."
    assert mention.version == world["mention"].version + 1
    report = Report.objects.get(pk=world["report"].pk)
    assert report.summary == f"Een goed gesprek. Vragen aan {erased['address']}."
    assert report.closing_remark == f"Dank aan {erased['name']} en Bram Beleid."
    assert sorted(Agreement.objects.values_list("who", "what")) == [
        ("Bram Beleid", "Agendeert het"),
        (erased["name"], "Stuurt het schema rond"),
    ]


def test_it_leaves_other_peoples_data_alone(world, admin_user, researcher):
    before = {
        "bram": Contact.objects.filter(pk=world["bram"].pk).values().get(),
        "participants": list(Participant.objects.exclude(email=ADDRESS).values()),
        "delivery": Delivery.objects.filter(pk=world["bram_delivery"].pk).values().get(),
        "researcher": type(researcher).objects.filter(pk=researcher.pk).values().get(),
    }
    personal_data.erase_person(ADDRESS, by=admin_user)

    assert Contact.objects.filter(pk=world["bram"].pk).values().get() == before["bram"]
    assert (
        list(Participant.objects.filter(pk__in=[p["id"] for p in before["participants"]]).values())
        == (before["participants"])
    )
    assert [p["name"] for p in before["participants"]] == ["Bram Beleid", "Carla Cliënt"]
    assert Delivery.objects.filter(pk=world["bram_delivery"].pk).values().get() == before["delivery"]
    assert type(researcher).objects.filter(pk=researcher.pk).values().get() == before["researcher"]


def test_it_erases_whole_addresses_only(world, admin_user):
    lookalike = Contact.objects.create(project=world["project"], name="Anna Petra", email="anna.petra@example.org")
    note = harvest.add_note(
        world["session"],
        block_id=world["plain"].block_id,
        text="Anna: anna.petra@example.org of petra@example.org.uk",
        tag="opbrengst",
        author=admin_user,
    )
    personal_data.erase_person(ADDRESS, by=admin_user)

    assert Contact.objects.get(pk=lookalike.pk).email == "anna.petra@example.org"
    assert Note.objects.get(pk=note.pk).text == "Anna: anna.petra@example.org of petra@example.org.uk"


def test_it_replaces_the_name_only_in_the_persons_projects(world, admin_user, facilitator, secretary):
    # Another project's Petra Professional is someone else: only the address identifies a person.
    elsewhere = SessionFactory(
        project=ResearchProjectFactory(title="Elders"), facilitator=facilitator, secretary=secretary, participants=[]
    )
    note = harvest.add_note(
        elsewhere,
        block_id=elsewhere.blocks.first().pk,
        text=f"{NAME} (een andere) vertelde",
        tag="opbrengst",
        author=secretary,
    )
    personal_data.erase_person(ADDRESS, by=admin_user)

    assert Note.objects.get(pk=note.pk).text == f"{NAME} (een andere) vertelde"
    assert Note.objects.get(pk=world["mention"].pk).text.startswith(f"Idee van {personal_data.placeholders()['name']}")


def test_the_erasure_log_holds_no_personal_data(world, admin_user):
    erasure = personal_data.erase_person(ADDRESS, by=admin_user)

    stored = Erasure.objects.values().get(pk=erasure.pk)
    assert set(stored) == {"id", "erased_at", "erased_by_id", "counts"}
    assert stored["erased_by_id"] == admin_user.pk
    assert all(isinstance(key, str) and type(value) is int for key, value in stored["counts"].items())
    assert set(stored["counts"]) == set(personal_data.COUNT_LABELS)


def test_a_second_erasure_finds_nothing_more(world, admin_user):
    personal_data.erase_person(ADDRESS, by=admin_user)
    second = personal_data.erase_person(ADDRESS, by=admin_user)

    assert set(second.counts.values()) == {0}
    assert Erasure.objects.count() == 2


def test_an_administrator_cannot_erase_their_own_account(world, admin_user):
    with pytest.raises(personal_data.PersonalDataError):
        personal_data.erase_person(admin_user.email.upper(), by=admin_user)
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert Erasure.objects.count() == 0


# The page


@pytest.mark.parametrize("role", ["facilitator", "secretary", "researcher"])
def test_it_refuses_the_page_to_everyone_but_administrators(request, client, world, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(URL).status_code == 403
    response = client.post(URL, {"action": "confirm", "email": ADDRESS, "confirm_email": ADDRESS})
    assert response.status_code == 403
    assert client.post(URL, {"action": "export", "email": ADDRESS}).status_code == 403
    assert Contact.objects.get(pk=world["petra"].pk).email == ADDRESS
    assert Erasure.objects.count() == 0


def test_it_sends_anonymous_users_to_the_login_page(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_it_shows_the_page_and_the_menu_link_to_administrators(client, admin_user, facilitator):
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.templates[0].name == "sessies/personal_data.html"
    assert f'href="{URL}"' in client.get(reverse("dashboard")).content.decode()
    client.force_login(facilitator)
    assert f'href="{URL}"' not in client.get(reverse("dashboard")).content.decode()


def test_it_downloads_the_export_as_a_file(client, world, admin_user):
    client.force_login(admin_user)
    response = client.post(URL, {"action": "export", "email": "PETRA@example.org"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="persoonsgegevens-{timezone.localdate():%Y-%m-%d}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data == json.loads(
        json.dumps(personal_data.export_person("PETRA@example.org") | {"exported_at": data["exported_at"]})
    )
    assert [c["name"] for c in data["contacts"]] == [NAME]


def test_it_says_when_nothing_is_stored(client, world, admin_user):
    client.force_login(admin_user)
    response = client.post(URL, {"action": "export", "email": "niemand@example.org"})

    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert "Nothing is stored under this address." in response.content.decode()


def test_it_refuses_a_bad_address_with_a_message(client, world, admin_user):
    client.force_login(admin_user)
    response = client.post(URL, {"action": "erase", "email": "geen adres"})

    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()


def test_it_erases_after_the_address_is_typed_again(client, world, admin_user):
    client.force_login(admin_user)
    asked = client.post(URL, {"action": "erase", "email": ADDRESS})
    assert asked.status_code == 200
    page = asked.content.decode()
    assert f"Erase {ADDRESS}?" in page
    assert "<li>Project contacts: 1</li>" in page
    assert "<li>Report deliveries: 2</li>" in page
    assert Contact.objects.get(pk=world["petra"].pk).email == ADDRESS  # asking erases nothing

    refused = client.post(URL, {"action": "confirm", "email": ADDRESS, "confirm_email": "bram@example.org"})
    assert refused.status_code == 422
    assert "The addresses differ. Nothing has been erased." in refused.content.decode()
    assert Contact.objects.get(pk=world["petra"].pk).email == ADDRESS
    assert Erasure.objects.count() == 0

    done = client.post(URL, {"action": "confirm", "email": ADDRESS, "confirm_email": " PETRA@example.org "})
    erasure = Erasure.objects.get()
    assert done.status_code == 302
    assert done.url == f"{URL}?gewist={erasure.pk}"
    assert Contact.objects.get(pk=world["petra"].pk).email == ""
    result = client.get(done.url).content.decode()
    assert "The person's data has been erased" in result
    assert '<th scope="row" class="fw-normal">Project contacts</th><td class="text-end">1</td>' in result
    assert ADDRESS not in result


def test_the_page_refuses_an_administrator_erasing_themselves(client, world, admin_user):
    client.force_login(admin_user)
    response = client.post(URL, {"action": "confirm", "email": admin_user.email, "confirm_email": admin_user.email})

    assert response.status_code == 422
    assert "You cannot erase your own account here" in response.content.decode()
    assert Erasure.objects.count() == 0


def test_it_refuses_an_unknown_action(client, world, admin_user):
    client.force_login(admin_user)
    assert client.post(URL, {"action": "weg", "email": ADDRESS}).status_code == 422
    assert Contact.objects.get(pk=world["petra"].pk).email == ADDRESS


# Retention


@pytest.fixture
def ended_projects(library, facilitator, secretary):
    """Projects that ended long ago, exactly at the limit, lately and not at all, each with a contact and a session."""
    today = timezone.localdate()
    projects = {}
    for key, ended_on in {
        "long_ago": today - timedelta(days=366),
        "at_limit": today - timedelta(days=365),
        "lately": today - timedelta(days=10),
        "running": None,
    }.items():
        project = ResearchProjectFactory(title=key)
        project.ended_on = ended_on
        project.save(update_fields=["ended_on"])
        Contact.objects.create(project=project, name=f"Contact {key}", email=f"contact-{key}@example.org")
        session = SessionFactory(
            project=project,
            facilitator=facilitator,
            secretary=secretary,
            participants=[Participant(name=f"Deelnemer {key}", email=f"deelnemer-{key}@example.org")],
        )
        report = Report.objects.create(session=session)
        Delivery.objects.create(
            report=report, name="x", email=f"deelnemer-{key}@example.org", status=DeliveryStatus.SENT
        )
        Delivery.objects.create(report=report, name="y", email=f"wacht-{key}@example.org")
        projects[key] = project
    return projects


def addresses_of(project):
    return (
        sorted(Contact.objects.filter(project=project).values_list("email", flat=True))
        + list(Participant.objects.filter(session__project=project).values_list("email", flat=True))
        + sorted(Delivery.objects.filter(report__session__project=project).values_list("email", flat=True))
    )


def test_the_retention_command_forgets_addresses_of_projects_ended_long_enough_ago(ended_projects, settings):
    settings.CONTACT_RETENTION_DAYS = 365
    out = io.StringIO()
    call_command("forget_contacts", stdout=out)

    limit = timezone.localdate() - timedelta(days=365)
    assert out.getvalue() == (
        f"Projects ended before {limit.isoformat()} (365 days): 1. Addresses removed: 2 contacts, "
        "1 participants, 1 deliveries; unsent deliveries removed: 1.\n"
    )
    assert addresses_of(ended_projects["long_ago"]) == ["", "", "", ""]
    assert Contact.objects.filter(project=ended_projects["long_ago"], name="Contact long_ago").exists()
    for key in ("at_limit", "lately", "running"):
        assert addresses_of(ended_projects[key]) == [
            f"contact-{key}@example.org",
            f"deelnemer-{key}@example.org",  # the participant became a contact of the project too
            f"deelnemer-{key}@example.org",
            f"deelnemer-{key}@example.org",
            f"wacht-{key}@example.org",
        ]

    again = io.StringIO()
    call_command("forget_contacts", stdout=again)
    assert again.getvalue().endswith(
        "Addresses removed: 0 contacts, 0 participants, 0 deliveries; unsent deliveries removed: 0.\n"
    )
    assert addresses_of(ended_projects["long_ago"]) == ["", "", "", ""]


def test_the_retention_period_comes_from_the_settings(ended_projects, settings):
    settings.CONTACT_RETENTION_DAYS = 5
    call_command("forget_contacts", stdout=io.StringIO())

    assert addresses_of(ended_projects["lately"]) == ["", "", "", ""]
    assert addresses_of(ended_projects["running"])[0] == "contact-running@example.org"


# The privacy page


def test_the_privacy_page_is_public(client, db, settings):
    settings.CONTACT_RETENTION_DAYS = 400
    settings.PRIVACY_CONTACT_EMAIL = "privacy@example.org"
    response = client.get("/privacy/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Privacy</h1>" in page
    assert "removed 400 days after the project has ended" in page
    assert '<a href="mailto:privacy@example.org" class="privacy-contact">privacy@example.org</a>' in page
    assert "notes carry no speaker names" in page


def test_the_privacy_page_without_a_contact_address(client, db, settings):
    settings.PRIVACY_CONTACT_EMAIL = ""
    page = client.get("/privacy/").content.decode()

    assert "mailto:" not in page
    assert "Ask the researcher or the administrator of your project." in page


def test_the_login_page_and_every_page_link_to_the_privacy_page(client, facilitator):
    assert client.get(reverse("login")).content.decode().count('href="/privacy/"') == 2  # footer and the form
    client.force_login(facilitator)
    assert 'href="/privacy/"' in client.get(reverse("dashboard")).content.decode()
