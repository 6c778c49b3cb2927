"""Planning for a project: who may plan for which project, no dead end, participants from the project's contacts."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from draaiboeken.models import Script
from kader.models import Contact, ContactRole, Phase, ProjectRole, ResearchProject
from sessies import roles
from sessies.access import can_plan_session, projects_to_plan_for
from sessies.models import Participant, Session
from sessies.planning import ContactOfAnotherProject, add_participants
from tests.conftest import HTMX, make_user
from tests.factories import ResearchProjectFactory, SessionFactory

pytestmark = pytest.mark.usefixtures("english")

FOREIGN = (
    "A ticked contact does not belong to this session&#x27;s research project. Nothing was saved; "
    "tick the project&#x27;s contacts again."
)
CONTACTS_TARGET = {**HTMX, "HX-Target": "project-contacts"}


@pytest.fixture
def member(db, django_user_model, library):
    """A facilitator (group) who is a member of the project as facilitator only, not as researcher."""
    return make_user(django_user_model, "fenna", roles.FACILITATORS)


@pytest.fixture
def table(library, member, secretary):
    """A project led by the facilitator member, with a secretary member and three contacts."""
    project = ResearchProjectFactory(title="Schulden in de wijk", facilitators=[member], secretaries=[secretary])
    Contact.objects.bulk_create(
        [
            Contact(
                project=project, name="Petra Professional", email="petra@example.org", role=ContactRole.PROFESSIONAL
            ),
            Contact(project=project, name="Bram Beleid", email="bram@example.org", role=ContactRole.POLICY),
            Contact(project=project, name="Anna Anders", organisation="Bibliotheek", role=ContactRole.OTHER),
        ]
    )
    return project


@pytest.fixture
def elsewhere(library, researcher):
    """Another project, with a contact of its own."""
    project = ResearchProjectFactory(title="Elders", researchers=[researcher])
    Contact.objects.create(project=project, name="Xander Elders", email="xander@example.org")
    return project


def contact(project, name):
    return project.contacts.get(name=name)


def plan_data(project, facilitator, secretary, *, contacts=(), rows=(), **overrides):
    """The planning form as the browser posts it: ticked contacts and rows of new people."""
    data = {
        "project": project.pk if project else "",
        "script": Script.objects.get(slug="gesprekstafel-1-start").pk,
        "title": "Gesprekstafel 1 – Schulden",
        "starts_at": "2031-03-04T13:30",
        "place": "Wijkcentrum De Klop",
        "facilitator": facilitator.pk,
        "secretary": secretary.pk,
        "contacts": [str(c.pk) if hasattr(c, "pk") else str(c) for c in contacts],
        "deelnemers-TOTAL_FORMS": str(len(rows)),
        "deelnemers-INITIAL_FORMS": "0",
        "deelnemers-MIN_NUM_FORMS": "0",
        "deelnemers-MAX_NUM_FORMS": "1000",
    }
    for index, (name, email, role, organisation) in enumerate(rows):
        data.update(
            {
                f"deelnemers-{index}-name": name,
                f"deelnemers-{index}-email": email,
                f"deelnemers-{index}-role": role,
                f"deelnemers-{index}-organisation": organisation,
            }
        )
    data.update(overrides)
    return data


def participants_data(session, *, contacts=(), rows=()):
    """The participants page as the browser posts it: the session's rows unchanged, then new ones."""
    existing = list(session.participants.order_by("pk"))
    data = {
        "contacts": [str(c.pk) if hasattr(c, "pk") else str(c) for c in contacts],
        "deelnemers-TOTAL_FORMS": str(len(existing) + len(rows)),
        "deelnemers-INITIAL_FORMS": str(len(existing)),
        "deelnemers-MIN_NUM_FORMS": "0",
        "deelnemers-MAX_NUM_FORMS": "1000",
    }
    for index, participant in enumerate(existing):
        for field in ("name", "email", "role", "organisation"):
            data[f"deelnemers-{index}-{field}"] = getattr(participant, field)
        data[f"deelnemers-{index}-id"] = str(participant.pk)
        data[f"deelnemers-{index}-session"] = str(session.pk)
    for offset, (name, email, role, organisation) in enumerate(rows, start=len(existing)):
        data.update(
            {
                f"deelnemers-{offset}-name": name,
                f"deelnemers-{offset}-email": email,
                f"deelnemers-{offset}-role": role,
                f"deelnemers-{offset}-organisation": organisation,
                f"deelnemers-{offset}-session": str(session.pk),
            }
        )
    return data


def people(session):
    return sorted(session.participants.values_list("name", "email", "role", "organisation", "contact__name"))


# Who may plan for which project


def test_a_facilitator_member_plans_for_their_project(client, table, member, secretary):
    client.force_login(member)

    form = client.get(reverse("sessions:create"))
    response = client.post(reverse("sessions:create"), plan_data(table, member, secretary))

    assert form.status_code == 200
    # Their only project is chosen already, with its facilitator and secretary.
    assert form.context["form"].initial["project"] == table
    assert form.context["form"].initial["facilitator"] == member.pk
    assert form.context["form"].initial["secretary"] == secretary.pk
    assert list(form.context["form"].fields["project"].queryset) == [table]
    session = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == session.get_absolute_url()
    assert (session.project, session.facilitator, session.created_by) == (table, member, member)
    assert not table.is_researcher(member)


def test_a_facilitator_in_no_project_is_told_how_to_create_one_and_then_plans(client, library, facilitator, secretary):
    client.force_login(facilitator)

    response = client.get(reverse("sessions:create"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "A session belongs to a research project" in content
    assert "You plan sessions for the projects in which you are a researcher or facilitator" in content
    assert f'<a class="btn btn-primary" href="{reverse("projects:create")}">Create a research project</a>' in content
    assert 'name="project"' not in content
    assert "Plan the session" not in content

    created = client.post(
        reverse("projects:create"),
        {
            "title": "Eigen onderzoek",
            "organisation": "",
            "description": "",
            "current_phase": Phase.objects.get(number=1).pk,
            "role": "gespreksleider",
        },
    )
    project = ResearchProject.objects.get(title="Eigen onderzoek")
    assert created.status_code == 302
    assert project.roles_of(facilitator) == {ProjectRole.FACILITATOR}

    form = client.get(reverse("sessions:create"))
    planned = client.post(reverse("sessions:create"), plan_data(project, facilitator, secretary))

    assert form.status_code == 200
    assert "A session belongs to a research project" not in form.content.decode()
    assert form.context["form"].initial["project"] == project
    assert planned.status_code == 302
    assert Session.objects.get().project == project


def test_a_planner_who_may_not_create_projects_is_told_whom_to_ask(client, library, django_user_model):
    planner = make_user(django_user_model, "piet")
    planner.user_permissions.add(Permission.objects.get(content_type__app_label="sessies", codename="add_session"))
    client.force_login(planner)

    response = client.get(reverse("sessions:create"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "A researcher or facilitator of a project can add you to it; ask them." in content
    assert reverse("projects:create") not in content


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_secretary_member_cannot_plan(client, table, member, secretary, method):
    client.force_login(secretary)

    response = getattr(client, method)(reverse("sessions:create"), plan_data(table, member, secretary))

    assert response.status_code == 403
    assert not Session.objects.exists()


def test_a_member_of_another_project_cannot_pick_this_project(client, table, elsewhere, researcher, member, secretary):
    client.force_login(researcher)
    data = plan_data(table, member, secretary, rows=[("Nina Nieuw", "nina@example.org", "client", "")])

    response = client.post(reverse("sessions:create"), data)

    content = response.content.decode()
    assert response.status_code == 422
    assert response.context["form"].errors["project"] == [
        "You cannot plan sessions for that research project. Choose one of the listed projects."
    ]
    assert list(response.context["form"].fields["project"].queryset) == [elsewhere]
    assert "Schulden in de wijk" not in content
    # Nothing typed is lost.
    assert 'value="Wijkcentrum De Klop"' in content
    assert 'value="Nina Nieuw"' in content
    assert not Session.objects.exists()
    assert not Contact.objects.filter(name="Nina Nieuw").exists()


def test_a_form_without_project_answers_422_and_keeps_the_other_fields(client, table, member, secretary):
    client.force_login(member)
    data = plan_data(None, member, secretary, rows=[("Nina Nieuw", "nina@example.org", "client", "Wijkteam")])

    response = client.post(reverse("sessions:create"), data)

    content = response.content.decode()
    assert response.status_code == 422
    assert response.context["form"].errors["project"] == ["Choose the research project this session is for."]
    assert "Choose the research project this session is for." in content
    for kept in ('value="Wijkcentrum De Klop"', 'value="Gesprekstafel 1 – Schulden"', 'value="nina@example.org"'):
        assert kept in content
    assert f'<option value="{secretary.pk}" selected>' in content
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("member", ["table"]),
        ("researcher", ["elsewhere"]),
        ("secretary", []),
        ("facilitator", []),
        ("admin_user", ["table", "elsewhere"]),
    ],
)
def test_the_rule_and_the_projects_offered_agree(request, table, elsewhere, user, allowed):
    user = request.getfixturevalue(user)
    projects = {"table": table, "elsewhere": elsewhere}

    assert sorted(p.title for p in projects_to_plan_for(user)) == sorted(projects[name].title for name in allowed)
    assert {name for name, project in projects.items() if can_plan_session(user, project)} == set(allowed)


def test_the_projects_facilitators_and_secretaries_come_first(client, table, member, facilitator, django_user_model):
    # Another secretary, sorted before the project's own one by name.
    make_user(django_user_model, "aafke", roles.SECRETARIES)
    client.force_login(member)

    form = client.get(reverse("sessions:create")).context["form"]

    assert [u.username for u in form.fields["facilitator"].queryset] == ["fenna", "gijs"]
    assert [u.username for u in form.fields["secretary"].queryset] == ["sanne", "aafke"]
    assert (
        form.fields["secretary"].label_from_instance(form.fields["secretary"].queryset[0]) == "Sanne (in this project)"
    )
    assert form.fields["secretary"].label_from_instance(form.fields["secretary"].queryset[1]) == "Aafke"


# Participants from the project


def test_contacts_picked_become_participants_linked_to_their_contact(client, table, member, secretary):
    client.force_login(member)
    petra, bram, anna = (contact(table, n) for n in ("Petra Professional", "Bram Beleid", "Anna Anders"))

    response = client.post(reverse("sessions:create"), plan_data(table, member, secretary, contacts=[petra, anna]))

    session = Session.objects.get()
    assert response.status_code == 302
    assert people(session) == [
        ("Anna Anders", "", "anders", "Bibliotheek", "Anna Anders"),
        ("Petra Professional", "petra@example.org", "professional", "", "Petra Professional"),
    ]
    assert table.contacts.count() == 3


def test_new_participants_become_contacts_without_duplicating_an_address(client, table, member, secretary):
    client.force_login(member)
    rows = [
        ("Nina Nieuw", "nina@example.org", "client", "Cliëntenraad"),
        ("Olaf Onderzoeker", "olaf@example.org", "onderzoeker", "Hogeschool"),
        ("Bea Beleid", "", "beleid", "Gemeente"),
        # Bram is a contact already: his address (in other capitals) links to him.
        ("Bram B.", "Bram@Example.org", "beleid", "Gemeente"),
    ]

    response = client.post(reverse("sessions:create"), plan_data(table, member, secretary, rows=rows))

    assert response.status_code == 302
    session = Session.objects.get()
    assert people(session) == [
        ("Bea Beleid", "", "beleid", "Gemeente", "Bea Beleid"),
        ("Bram B.", "Bram@Example.org", "beleid", "Gemeente", "Bram Beleid"),
        ("Nina Nieuw", "nina@example.org", "client", "Cliëntenraad", "Nina Nieuw"),
        ("Olaf Onderzoeker", "olaf@example.org", "onderzoeker", "Hogeschool", "Olaf Onderzoeker"),
    ]
    assert sorted(table.contacts.values_list("name", "email", "organisation", "role")) == [
        ("Anna Anders", "", "Bibliotheek", "anders"),
        ("Bea Beleid", "", "Gemeente", "beleid"),
        ("Bram Beleid", "bram@example.org", "", "beleid"),
        ("Nina Nieuw", "nina@example.org", "Cliëntenraad", "client"),
        ("Olaf Onderzoeker", "olaf@example.org", "Hogeschool", "anders"),
        ("Petra Professional", "petra@example.org", "", "professional"),
    ]


def test_another_projects_contact_is_refused_on_the_planning_form(client, table, elsewhere, member, secretary):
    client.force_login(member)
    xander = contact(elsewhere, "Xander Elders")
    petra = contact(table, "Petra Professional")
    data = plan_data(table, member, secretary, contacts=[petra, xander], rows=[("Nina Nieuw", "", "client", "")])

    response = client.post(reverse("sessions:create"), data)

    content = response.content.decode()
    assert response.status_code == 422
    assert FOREIGN in content
    assert "Xander" not in content
    # The project's own ticks and the typed rows are kept.
    assert f'value="{petra.pk}" id="contact-{petra.pk}" checked>' in content
    assert 'value="Nina Nieuw"' in content
    assert not Session.objects.exists()
    assert not Participant.objects.exists()
    assert not Contact.objects.filter(name="Nina Nieuw").exists()


def test_the_domain_refuses_another_projects_contact_and_saves_nothing(table, elsewhere, member, secretary):
    session = SessionFactory(project=table, facilitator=member, secretary=secretary)

    with pytest.raises(ContactOfAnotherProject):
        add_participants(
            session,
            contacts=[contact(table, "Petra Professional"), contact(elsewhere, "Xander Elders")],
            new=[Participant(name="Nina Nieuw", role="client")],
        )

    assert not session.participants.exists()
    assert not Contact.objects.filter(name="Nina Nieuw").exists()


def test_a_contact_already_taking_part_is_not_added_twice(table, member, secretary):
    session = SessionFactory(project=table, facilitator=member, secretary=secretary)
    petra = contact(table, "Petra Professional")

    add_participants(session, contacts=[petra])
    add_participants(session, contacts=[petra])

    assert people(session) == [("Petra Professional", "petra@example.org", "professional", "", "Petra Professional")]


# The contact list follows the chosen project


def test_the_contact_list_follows_the_chosen_project(client, table, elsewhere, member, secretary):
    client.force_login(member)

    own = client.get(reverse("sessions:create"), {"project": table.pk}, headers=CONTACTS_TARGET)
    other = client.get(reverse("sessions:create"), {"project": elsewhere.pk}, headers=CONTACTS_TARGET)
    none = client.get(reverse("sessions:create"), {"project": ""}, headers=CONTACTS_TARGET)

    content = own.content.decode()
    assert own.status_code == 200
    assert content.strip().startswith('<div id="project-contacts"')
    assert "<form" not in content
    assert "Contacts of Schulden in de wijk" in content
    assert [c.name in content for c in table.contacts.all()] == [True, True, True]
    assert 'Anna Anders <span class="text-muted small">· other · Bibliotheek</span>' in content
    # A project the user may not plan for shows nothing of it.
    assert other.status_code == 200
    assert "Xander" not in other.content.decode()
    assert "Choose the project first to tick participants from its contacts." in other.content.decode()
    assert "Choose the project first to tick participants from its contacts." in none.content.decode()


def test_the_project_select_asks_for_its_contacts(client, table, member):
    client.force_login(member)

    content = client.get(reverse("sessions:create")).content.decode()

    assert f'hx-get="{reverse("sessions:create")}" hx-target="#project-contacts" hx-swap="outerHTML"' in content
    assert '<div id="project-contacts"' in content
    assert "Contacts of Schulden in de wijk" in content


def test_without_javascript_show_contacts_keeps_what_was_typed(client, table, member, secretary):
    client.force_login(member)
    # Another project for this user, so the project is not chosen for them.
    other = ResearchProjectFactory(title="Tweede project", facilitators=[member])
    data = plan_data(table, member, secretary, rows=[("Nina Nieuw", "nina@example.org", "client", "")])
    data["show_contacts"] = "1"
    data["title"] = ""
    data["contacts"] = [str(contact(table, "Bram Beleid").pk)]

    response = client.post(reverse("sessions:create"), data)

    content = response.content.decode()
    assert response.status_code == 200
    assert not Session.objects.exists()
    assert response.context["form"].project == table
    assert f'<option value="{table.pk}" selected>' in content
    assert f'<option value="{other.pk}">' in content
    assert "Contacts of Schulden in de wijk" in content
    bram = contact(table, "Bram Beleid")
    assert f'value="{bram.pk}" id="contact-{bram.pk}" checked>' in content
    assert 'value="Wijkcentrum De Klop"' in content
    assert 'value="Nina Nieuw"' in content
    # Not a submission: no "required" error for the title left empty, nor any other.
    assert "invalid-feedback" not in content
    assert "is-invalid" not in content


def test_the_planning_form_query_count_stays_constant_with_many_contacts(
    client, table, member, django_assert_num_queries
):
    client.force_login(member)
    url = reverse("sessions:create")

    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url).status_code == 200
    Contact.objects.bulk_create(
        Contact(project=table, name=f"Contact {i}", email=f"contact{i}@example.org") for i in range(40)
    )

    with django_assert_num_queries(len(baseline)):
        response = client.get(url)
    assert response.content.decode().count('name="contacts"') == 43


# The session's participants page


def test_the_participants_page_offers_the_contacts_not_yet_taking_part(client, table, member, secretary):
    session = SessionFactory(project=table, facilitator=member, secretary=secretary)
    add_participants(session, contacts=[contact(table, "Petra Professional")])
    client.force_login(member)

    response = client.get(reverse("sessions:participants", args=[session.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    offered = [c.pk for c in response.context["contacts_form"].offered]
    assert offered == [contact(table, "Anna Anders").pk, contact(table, "Bram Beleid").pk]
    assert f'id="contact-{contact(table, "Petra Professional").pk}"' not in content
    assert 'value="Petra Professional"' in content


def test_the_participants_page_adds_ticked_contacts_and_new_people(client, table, member, secretary):
    session = SessionFactory(project=table, facilitator=member, secretary=secretary)
    add_participants(session, contacts=[contact(table, "Petra Professional")])
    version = Session.objects.get(pk=session.pk).version
    client.force_login(member)
    data = participants_data(
        session,
        contacts=[contact(table, "Bram Beleid")],
        rows=[("Nina Nieuw", "nina@example.org", "client", ""), ("Petra P.", "PETRA@example.org", "professional", "")],
    )

    response = client.post(reverse("sessions:participants_save", args=[session.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == session.get_absolute_url()
    assert people(session) == [
        ("Bram Beleid", "bram@example.org", "beleid", "", "Bram Beleid"),
        ("Nina Nieuw", "nina@example.org", "client", "", "Nina Nieuw"),
        ("Petra P.", "PETRA@example.org", "professional", "", "Petra Professional"),
        ("Petra Professional", "petra@example.org", "professional", "", "Petra Professional"),
    ]
    assert table.contacts.count() == 4
    assert Session.objects.get(pk=session.pk).version == version + 1
    detail = client.get(session.get_absolute_url()).content.decode()
    assert "Nina Nieuw" in detail and "Bram Beleid" in detail


def test_the_participants_page_refuses_another_projects_contact(client, table, elsewhere, member, secretary):
    session = SessionFactory(project=table, facilitator=member, secretary=secretary)
    client.force_login(member)
    data = participants_data(
        session, contacts=[contact(elsewhere, "Xander Elders")], rows=[("Nina Nieuw", "", "client", "")]
    )

    response = client.post(reverse("sessions:participants_save", args=[session.pk]), data)

    content = response.content.decode()
    assert response.status_code == 422
    assert FOREIGN in content
    assert "Xander" not in content
    assert 'value="Nina Nieuw"' in content
    assert not session.participants.exists()
    assert not Contact.objects.filter(name="Nina Nieuw").exists()
    assert Session.objects.get(pk=session.pk).version == session.version


def test_the_participants_page_query_count_stays_constant_with_many_contacts(
    client, table, member, secretary, django_assert_num_queries
):
    session = SessionFactory(project=table, facilitator=member, secretary=secretary)
    client.force_login(member)
    url = reverse("sessions:participants", args=[session.pk])

    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url).status_code == 200
    Contact.objects.bulk_create(Contact(project=table, name=f"Contact {i}") for i in range(40))

    with django_assert_num_queries(len(baseline)):
        response = client.get(url)
    assert response.content.decode().count('name="contacts"') == 43
