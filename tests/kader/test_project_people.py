"""A project's people: its members (accounts with a project role) and contacts (people without one).

Who sees the people page (members and admins; everyone else gets 404), who changes it (the
project's researchers and facilitators, admins; other members get 403), the rules for members
(the last researcher or facilitator stays; one account may hold two roles) and contacts (a name;
an address at most once per project), hostile input, and the page's query count.
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from kader.models import Contact, ContactRole, Membership, ProjectRole
from kader.projects import add_member, remove_member, save_contact
from sessies import roles
from tests.conftest import HTMX, make_user
from tests.factories import ResearchProjectFactory

R, F, S = ProjectRole.RESEARCHER, ProjectRole.FACILITATOR, ProjectRole.SECRETARY
LAST_LEADER = (
    "%(name)s is the last researcher or facilitator of this project and cannot be removed. "
    "Add another researcher or facilitator first."
)
TAKEN = "Another contact of this project already has the e-mail address %(email)s."


def tr(message):
    """The message in Dutch, whether or not the translations are compiled."""
    with translation.override("nl"):
        return translation.gettext(message)


def nl(message, **params):
    """The message as the (Dutch) page shows it: translated, filled in, escaped."""
    return escape(tr(message) % params if params else tr(message))


def people_url(project):
    return reverse("projects:people", args=[project.pk])


def membership(project, user, role):
    return Membership.objects.get(project=project, user=user, role=role)


def member_data(user, role):
    return {"member-user": str(user.pk) if hasattr(user, "pk") else user, "member-role": role}


def contact_data(prefix="contact", **fields):
    values = {"name": "Petra de Vries", "email": "petra@example.org", "organisation": "Buurtteam", "role": "beleid"}
    return {f"{prefix}-{name}": value for name, value in (values | fields).items()}


def roles_in(project):
    return sorted((m.user.username, m.role) for m in project.memberships.select_related("user"))


@pytest.fixture
def contact(project):
    return Contact.objects.create(
        project=project, name="Karin Jansen", email="karin@example.org", organisation="Wijkteam", role="professional"
    )


@pytest.fixture
def other_project(library, outsider):
    """Someone else's project with a contact of its own."""
    project = ResearchProjectFactory(researchers=[outsider], title="Elders")
    Contact.objects.create(project=project, name="Geheim Persoon", email="geheim@example.org")
    return project


@pytest.fixture
def secretary_member(project, secretary):
    """The secretary, a member of the project in the secretary's role: may read, may not change."""
    Membership.objects.create(project=project, user=secretary, role=S)
    return secretary


# Who sees the page


@pytest.mark.django_db
def test_it_shows_members_by_role_and_contacts_to_a_researcher_with_the_forms(
    client, project, researcher, facilitator, secretary_member, contact
):
    Membership.objects.create(project=project, user=facilitator, role=F)
    client.force_login(researcher)
    response = client.get(people_url(project))
    assert response.status_code == 200
    assert "kader/project_people.html" in [t.name for t in response.templates]
    groups = {group["role"]: [m.user for m in group["memberships"]] for group in response.context["member_groups"]}
    assert groups == {R: [researcher], F: [facilitator], S: [secretary_member]}
    assert [(g["role"], g["contacts"]) for g in response.context["contact_groups"]] == [
        (ContactRole.PROFESSIONAL, [contact])
    ]
    content = response.content.decode()
    assert "Karin Jansen" in content and "karin@example.org" in content and "Wijkteam" in content
    assert content.count('class="member-form') == 1
    assert content.count('class="contact-form') == 1
    for item in project.memberships.all():
        assert reverse("projects:member_remove", args=[project.pk, item.pk]) in content
    assert reverse("projects:contact_edit", args=[project.pk, contact.pk]) in content
    assert reverse("projects:contact_remove", args=[project.pk, contact.pk]) in content


@pytest.mark.django_db
def test_it_shows_the_page_read_only_to_a_member_who_may_not_edit(client, project, secretary_member, contact):
    client.force_login(secretary_member)
    response = client.get(people_url(project))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    content = response.content.decode()
    assert "Karin Jansen" in content and "karin@example.org" in content
    assert "member-form" not in content and "contact-form" not in content
    assert "/mensen/leden/" not in content
    assert "/mensen/contacten/" not in content


@pytest.mark.django_db
def test_a_facilitator_who_is_only_the_projects_secretary_may_read_but_not_edit(client, project, facilitator, contact):
    # The facilitators' group may edit projects, but only those they lead.
    Membership.objects.create(project=project, user=facilitator, role=S)
    client.force_login(facilitator)
    response = client.get(people_url(project))
    assert response.status_code == 200
    assert "member-form" not in response.content.decode()
    response = client.post(reverse("projects:contact_add", args=[project.pk]), contact_data())
    assert response.status_code == 403
    assert list(project.contacts.all()) == [contact]


@pytest.mark.django_db
def test_a_facilitator_member_edits_the_people(client, project, facilitator):
    Membership.objects.create(project=project, user=facilitator, role=F)
    client.force_login(facilitator)
    response = client.get(people_url(project))
    assert response.status_code == 200
    assert response.context["can_edit"] is True
    response = client.post(reverse("projects:contact_add", args=[project.pk]), contact_data())
    assert response.status_code == 302
    assert project.contacts.get().name == "Petra de Vries"


@pytest.mark.django_db
def test_an_admin_sees_and_edits_any_projects_people(client, project, admin_user, contact):
    client.force_login(admin_user)
    response = client.get(people_url(project))
    assert response.status_code == 200
    assert response.context["can_edit"] is True
    assert "Karin Jansen" in response.content.decode()


@pytest.mark.django_db
def test_it_hides_the_page_and_the_contacts_from_a_non_member(client, project, outsider, contact):
    client.force_login(outsider)
    response = client.get(people_url(project))
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert "Karin" not in response.content.decode()


@pytest.mark.django_db
def test_it_hides_the_contacts_from_the_facilitator_of_a_session_who_is_not_a_member(
    client, session, facilitator, contact
):
    # Running one session of the project shows that session, not the project's personal data.
    client.force_login(facilitator)
    assert client.get(session.get_absolute_url()).status_code == 200
    response = client.get(people_url(session.project))
    assert response.status_code == 404
    assert "Karin" not in response.content.decode()


@pytest.mark.django_db
def test_every_change_is_hidden_from_a_non_member_who_could_edit_their_own_projects(
    client, project, researcher, outsider, contact
):
    client.force_login(outsider)
    mine = membership(project, researcher, R)
    posts = [
        (reverse("projects:member_add", args=[project.pk]), member_data(outsider, R)),
        (reverse("projects:member_remove", args=[project.pk, mine.pk]), {}),
        (reverse("projects:contact_add", args=[project.pk]), contact_data()),
        (reverse("projects:contact_edit", args=[project.pk, contact.pk]), contact_data(f"contact-{contact.pk}")),
        (reverse("projects:contact_remove", args=[project.pk, contact.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
        assert client.post(url, data, headers=HTMX).status_code == 404, url
    assert client.get(reverse("projects:contact_edit", args=[project.pk, contact.pk])).status_code == 404
    assert roles_in(project) == [("olga", R)]
    assert list(project.contacts.values_list("name", "email")) == [("Karin Jansen", "karin@example.org")]


@pytest.mark.django_db
def test_every_change_is_refused_with_403_to_a_member_who_may_not_edit(
    client, project, researcher, secretary_member, contact
):
    client.force_login(secretary_member)
    mine = membership(project, secretary_member, S)
    posts = [
        (reverse("projects:member_add", args=[project.pk]), member_data(secretary_member, F)),
        (reverse("projects:member_remove", args=[project.pk, mine.pk]), {}),
        (reverse("projects:contact_add", args=[project.pk]), contact_data()),
        (reverse("projects:contact_edit", args=[project.pk, contact.pk]), contact_data(f"contact-{contact.pk}")),
        (reverse("projects:contact_remove", args=[project.pk, contact.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
        assert client.post(url, data, headers=HTMX).status_code == 403, url
    assert client.get(reverse("projects:contact_edit", args=[project.pk, contact.pk])).status_code == 403
    assert roles_in(project) == [("olga", R), ("sanne", S)]
    assert list(project.contacts.values_list("name", "email")) == [("Karin Jansen", "karin@example.org")]


@pytest.mark.django_db
def test_a_reader_of_every_project_without_a_leading_role_may_not_change_people(client, project, secretary, contact):
    secretary.user_permissions.add(Permission.objects.get(codename="view_all_projects"))
    client.force_login(secretary)
    assert client.get(people_url(project)).status_code == 200
    response = client.post(reverse("projects:contact_remove", args=[project.pk, contact.pk]))
    assert response.status_code == 403
    assert project.contacts.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["member_add", "contact_add"])
def test_the_change_urls_refuse_a_get(client, project, researcher, url_name):
    client.force_login(researcher)
    assert client.get(reverse(f"projects:{url_name}", args=[project.pk])).status_code == 405


# Members


@pytest.mark.django_db
def test_it_adds_a_member_with_a_plain_post_and_redirects_to_the_page(client, project, researcher, facilitator):
    client.force_login(researcher)
    response = client.post(reverse("projects:member_add", args=[project.pk]), member_data(facilitator, F))
    assert response.status_code == 302
    assert response.url == people_url(project)
    assert roles_in(project) == [("gijs", F), ("olga", R)]
    page = client.get(response.url).content.decode()
    assert nl("%(name)s has been added as %(role)s.", name="Gijs", role=tr("facilitator")) in page


@pytest.mark.django_db
def test_it_adds_a_member_with_htmx_and_answers_the_members_section(client, project, researcher, secretary):
    client.force_login(researcher)
    response = client.post(reverse("projects:member_add", args=[project.pk]), member_data(secretary, S), headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="people-members"')
    assert "<html" not in content and 'id="people-contacts"' not in content
    assert 'role="status"' in content
    assert reverse("projects:member_remove", args=[project.pk, membership(project, secretary, S).pk]) in content
    # A fresh form, ready for the next member.
    assert response.context["member_form"].is_bound is False


@pytest.mark.django_db
def test_one_account_may_hold_two_roles(client, project, researcher):
    client.force_login(researcher)
    response = client.post(reverse("projects:member_add", args=[project.pk]), member_data(researcher, F))
    assert response.status_code == 302
    assert roles_in(project) == [("olga", F), ("olga", R)]
    project.refresh_from_db()
    assert project.roles_of(researcher) == {R, F}
    page = client.get(people_url(project))
    groups = {group["role"]: [m.user for m in group["memberships"]] for group in page.context["member_groups"]}
    assert groups == {R: [researcher], F: [researcher], S: []}


@pytest.mark.django_db
def test_it_refuses_a_role_the_account_already_holds(client, project, researcher):
    client.force_login(researcher)
    response = client.post(reverse("projects:member_add", args=[project.pk]), member_data(researcher, R), headers=HTMX)
    assert response.status_code == 422
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="people-members"')
    role = tr("researcher (process director)")
    assert nl("%(name)s is already a member of this project as %(role)s.", name="Olga", role=role) in content
    assert roles_in(project) == [("olga", R)]


@pytest.mark.django_db
def test_it_refuses_an_inactive_account(client, project, researcher, django_user_model):
    gone = make_user(django_user_model, "vera", roles.RESEARCHERS, is_active=False)
    client.force_login(researcher)
    response = client.post(reverse("projects:member_add", args=[project.pk]), member_data(gone, R))
    assert response.status_code == 422
    assert nl("Choose one of the listed accounts.") in response.content.decode()
    assert roles_in(project) == [("olga", R)]
    with pytest.raises(ValidationError) as refused:
        add_member(project=project, user=gone, role=R)
    assert list(refused.value.message_dict) == ["user"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user,role,message",
    [
        ("", R, "This field is required."),
        ("0", R, "Choose one of the listed accounts."),
        (str(2**63), R, "Choose one of the listed accounts."),
        ("²", R, "Choose one of the listed accounts."),
        ("1e3", R, "Choose one of the listed accounts."),
        (None, "beheerder", "Choose one of the listed roles."),
        (None, "", "This field is required."),
    ],
)
def test_it_refuses_hostile_member_input_with_422_and_a_message(
    client, project, researcher, facilitator, user, role, message
):
    client.force_login(researcher)
    data = member_data(facilitator if user is None else user, role)
    response = client.post(reverse("projects:member_add", args=[project.pk]), data)
    assert response.status_code == 422
    assert nl(message) in response.content.decode()
    assert roles_in(project) == [("olga", R)]


@pytest.mark.django_db
def test_it_removes_a_member(client, project, researcher, secretary_member):
    client.force_login(researcher)
    item = membership(project, secretary_member, S)
    response = client.post(reverse("projects:member_remove", args=[project.pk, item.pk]), headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="people-members"')
    assert nl("%(name)s is no longer %(role)s in this project.", name="Sanne", role=tr("secretary")) in content
    assert roles_in(project) == [("olga", R)]
    # The secretary no longer sees the project.
    client.force_login(secretary_member)
    assert client.get(people_url(project)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_it_refuses_to_remove_the_last_researcher_or_facilitator(client, project, researcher, secretary_member, htmx):
    client.force_login(researcher)
    item = membership(project, researcher, R)
    response = client.post(reverse("projects:member_remove", args=[project.pk, item.pk]), headers=HTMX if htmx else {})
    assert response.status_code == 422
    content = response.content.decode()
    assert nl(LAST_LEADER, name="Olga") in content
    assert content.lstrip().startswith('<div id="people-members"') is htmx
    assert roles_in(project) == [("olga", R), ("sanne", S)]


@pytest.mark.django_db
def test_the_last_leader_rule_counts_facilitators_as_leaders(project, researcher, facilitator):
    Membership.objects.create(project=project, user=facilitator, role=F)
    remove_member(membership=membership(project, researcher, R))
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            remove_member(membership=membership(project, facilitator, F))
        assert refused.value.messages == [LAST_LEADER % {"name": "Gijs"}]
    assert roles_in(project) == [("gijs", F)]


@pytest.mark.django_db
def test_a_leader_with_two_roles_may_give_up_one(client, project, researcher):
    Membership.objects.create(project=project, user=researcher, role=F)
    client.force_login(researcher)
    response = client.post(reverse("projects:member_remove", args=[project.pk, membership(project, researcher, R).pk]))
    assert response.status_code == 302
    assert response.url == people_url(project)
    assert roles_in(project) == [("olga", F)]


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [False, True])
def test_a_leader_who_removes_themselves_is_sent_to_the_project_list(client, project, researcher, facilitator, htmx):
    Membership.objects.create(project=project, user=facilitator, role=F)
    client.force_login(researcher)
    url = reverse("projects:member_remove", args=[project.pk, membership(project, researcher, R).pk])
    response = client.post(url, headers=HTMX if htmx else {})
    if htmx:
        assert response.status_code == 200
        assert response["HX-Redirect"] == reverse("projects:list")
    else:
        assert response.status_code == 302
        assert response.url == reverse("projects:list")
    assert roles_in(project) == [("gijs", F)]


@pytest.mark.django_db
def test_a_leader_who_stays_as_secretary_gets_the_page_again_read_only(client, project, researcher, facilitator):
    Membership.objects.create(project=project, user=facilitator, role=F)
    Membership.objects.create(project=project, user=researcher, role=S)
    client.force_login(researcher)
    url = reverse("projects:member_remove", args=[project.pk, membership(project, researcher, R).pk])
    response = client.post(url, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == people_url(project)
    page = client.get(people_url(project))
    assert page.status_code == 200
    assert "member-form" not in page.content.decode()


# Contacts


@pytest.mark.django_db
def test_it_adds_a_contact(client, project, researcher):
    client.force_login(researcher)
    data = contact_data(name="  Petra de Vries ", email=" petra@example.org ", organisation=" Buurtteam ")
    response = client.post(reverse("projects:contact_add", args=[project.pk]), data)
    assert response.status_code == 302
    assert response.url == people_url(project)
    saved = project.contacts.get()
    assert (saved.name, saved.email, saved.organisation, saved.role) == (
        "Petra de Vries",
        "petra@example.org",
        "Buurtteam",
        ContactRole.POLICY,
    )


@pytest.mark.django_db
def test_it_adds_a_contact_with_htmx_and_answers_the_contacts_section(client, project, researcher):
    client.force_login(researcher)
    response = client.post(reverse("projects:contact_add", args=[project.pk]), contact_data(), headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="people-contacts"')
    assert "<html" not in content and 'id="people-members"' not in content
    assert "Petra de Vries" in content and "petra@example.org" in content
    assert nl("%(name)s has been added to the contacts.", name="Petra de Vries") in content
    assert response.context["contact_form"].is_bound is False


@pytest.mark.django_db
def test_a_contact_needs_no_address_and_several_may_have_none(client, project, researcher):
    client.force_login(researcher)
    url = reverse("projects:contact_add", args=[project.pk])
    assert client.post(url, contact_data(name="Een", email="")).status_code == 302
    assert client.post(url, contact_data(name="Twee", email="")).status_code == 302
    assert sorted(project.contacts.values_list("name", "email")) == [("Een", ""), ("Twee", "")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields,field,message",
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "   "}, "name", "This field is required."),
        ({"email": "geen-adres"}, "email", "Enter a valid email address."),
        ({"role": "baas"}, "role", "Choose one of the listed roles."),
        ({"name": "x" * 201}, "name", None),
    ],
)
def test_it_refuses_an_invalid_contact_with_422_and_a_message(client, project, researcher, fields, field, message):
    client.force_login(researcher)
    response = client.post(reverse("projects:contact_add", args=[project.pk]), contact_data(**fields), headers=HTMX)
    assert response.status_code == 422
    form = response.context["contact_form"]
    assert list(form.errors) == [field]
    if message:
        assert nl(message) in response.content.decode()
    assert not project.contacts.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["karin@example.org", "Karin@Example.ORG"])
def test_an_address_is_taken_once_per_project(client, project, researcher, contact, email):
    client.force_login(researcher)
    response = client.post(reverse("projects:contact_add", args=[project.pk]), contact_data(email=email))
    assert response.status_code == 422
    assert nl(TAKEN, email=email) in response.content.decode()
    assert list(project.contacts.all()) == [contact]


@pytest.mark.django_db
def test_the_same_address_may_be_a_contact_of_another_project(client, project, researcher, contact):
    elsewhere = ResearchProjectFactory(researchers=[researcher], title="Tweede project")
    client.force_login(researcher)
    response = client.post(
        reverse("projects:contact_add", args=[elsewhere.pk]), contact_data(email="karin@example.org")
    )
    assert response.status_code == 302
    assert elsewhere.contacts.get().email == "karin@example.org"


@pytest.mark.django_db
def test_it_shows_the_contacts_edit_form_in_place(client, project, researcher, contact):
    client.force_login(researcher)
    response = client.get(reverse("projects:contact_edit", args=[project.pk, contact.pk]), headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="people-contacts"')
    assert f'name="contact-{contact.pk}-name" value="Karin Jansen"' in content
    assert f'name="contact-{contact.pk}-email" value="karin@example.org"' in content
    # Without htmx: the whole page, with the form in the contact's place.
    page = client.get(reverse("projects:contact_edit", args=[project.pk, contact.pk]))
    assert page.status_code == 200
    assert 'id="people-members"' in page.content.decode()
    assert f'name="contact-{contact.pk}-name"' in page.content.decode()


@pytest.mark.django_db
def test_it_edits_a_contact(client, project, researcher, contact):
    client.force_login(researcher)
    data = contact_data(f"contact-{contact.pk}", name="Karin Jansen-Bos", email="karin@example.org", role="client")
    response = client.post(reverse("projects:contact_edit", args=[project.pk, contact.pk]), data, headers=HTMX)
    assert response.status_code == 200
    assert nl("The contact %(name)s has been saved.", name="Karin Jansen-Bos") in response.content.decode()
    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.role) == ("Karin Jansen-Bos", "karin@example.org", "client")


@pytest.mark.django_db
def test_it_refuses_an_edit_to_another_contacts_address_and_keeps_what_is_stored(client, project, researcher, contact):
    other = Contact.objects.create(project=project, name="Piet", email="piet@example.org")
    client.force_login(researcher)
    data = contact_data(f"contact-{contact.pk}", name="Karin Nieuw", email="PIET@example.org")
    response = client.post(reverse("projects:contact_edit", args=[project.pk, contact.pk]), data, headers=HTMX)
    assert response.status_code == 422
    content = response.content.decode()
    assert nl(TAKEN, email="PIET@example.org") in content
    assert f'name="contact-{contact.pk}-name" value="Karin Nieuw"' in content  # what was typed stays
    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("Karin Jansen", "karin@example.org")
    assert Contact.objects.get(pk=other.pk).email == "piet@example.org"


@pytest.mark.django_db
def test_save_contact_leaves_the_contact_as_stored_when_it_refuses(project, contact):
    Contact.objects.create(project=project, name="Piet", email="piet@example.org")
    with pytest.raises(ValidationError):
        save_contact(project=project, contact=contact, name="Nieuw", email="piet@example.org")
    assert (contact.name, contact.email) == ("Karin Jansen", "karin@example.org")


@pytest.mark.django_db
def test_it_removes_a_contact_and_the_sessions_keep_their_participant(client, session, researcher):
    project = session.project
    contact = Contact.objects.create(project=project, name="Karin Jansen", email="karin@example.org")
    participant = session.participants.first()
    participant.contact = contact
    participant.save()
    others = set(project.contacts.exclude(pk=contact.pk))
    client.force_login(researcher)
    response = client.post(reverse("projects:contact_remove", args=[project.pk, contact.pk]))
    assert response.status_code == 302
    assert response.url == people_url(project)
    assert set(project.contacts.all()) == others
    participant.refresh_from_db()
    assert participant.contact is None
    assert participant.name == session.participants.first().name != ""  # the session's own record


# Hostile input


@pytest.mark.django_db
def test_it_escapes_names_everywhere(client, project, researcher, django_user_model):
    hostile = "<script>alert(1)</script>"
    rogue = make_user(django_user_model, "rogue", roles.SECRETARIES)
    rogue.first_name, rogue.last_name = hostile, "<b>x</b>"
    rogue.save()
    client.force_login(researcher)
    client.post(reverse("projects:member_add", args=[project.pk]), member_data(rogue, S))
    data = contact_data(name=hostile, organisation='"><img src=x onerror=alert(2)>', email="")
    response = client.post(reverse("projects:contact_add", args=[project.pk]), data, follow=True)
    assert response.status_code == 200
    for url in (people_url(project), project.get_absolute_url(), reverse("projects:list")):
        content = client.get(url).content.decode()
        assert "<script>alert" not in content and "<b>x</b>" not in content and "<img src=x" not in content, url
        assert escape(hostile) in content, url
    content = response.content.decode()  # the page after adding, with its message
    assert "<script>alert" not in content
    assert nl("%(name)s has been added to the contacts.", name=hostile) in content


@pytest.mark.django_db
def test_ids_of_another_projects_members_and_contacts_answer_404(client, project, researcher, other_project):
    foreign_membership = other_project.memberships.get()
    foreign_contact = other_project.contacts.get()
    client.force_login(researcher)
    urls = [
        reverse("projects:member_remove", args=[project.pk, foreign_membership.pk]),
        reverse("projects:contact_edit", args=[project.pk, foreign_contact.pk]),
        reverse("projects:contact_remove", args=[project.pk, foreign_contact.pk]),
    ]
    data = contact_data(f"contact-{foreign_contact.pk}", name="Overgenomen")
    for url in urls:
        assert client.post(url, data).status_code == 404, url
        assert client.post(url, data, headers=HTMX).status_code == 404, url
    response = client.get(urls[1])
    assert response.status_code == 404
    assert "Geheim" not in response.content.decode()
    assert other_project.memberships.get() == foreign_membership
    assert list(other_project.contacts.values_list("name", "email")) == [("Geheim Persoon", "geheim@example.org")]


@pytest.mark.django_db
def test_an_editor_of_both_projects_cannot_mix_their_ids(client, project, researcher, other_project):
    Membership.objects.create(project=other_project, user=researcher, role=R)
    foreign_contact = other_project.contacts.get()
    client.force_login(researcher)
    url = reverse("projects:contact_remove", args=[project.pk, foreign_contact.pk])
    assert client.post(url).status_code == 404
    assert other_project.contacts.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["member_remove", "contact_edit", "contact_remove"])
def test_ids_the_database_cannot_hold_answer_404(client, project, researcher, url_name):
    client.force_login(researcher)
    url = reverse(f"projects:{url_name}", args=[project.pk, 2**63])
    assert client.post(url).status_code == 404


# Query count


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("reader", ["researcher", "secretary_member"])
def test_it_keeps_the_people_page_query_count_as_people_are_added(
    client, project, researcher, secretary_member, django_user_model, django_assert_num_queries, reader
):
    Contact.objects.create(project=project, name="Eerste", email="eerste@example.org")
    client.force_login(researcher if reader == "researcher" else secretary_member)
    url = people_url(project)
    client.get(url)
    baseline = count_queries(client, url)
    for index in range(8):
        user = make_user(django_user_model, f"lid{index}", roles.FACILITATORS)
        Membership.objects.create(project=project, user=user, role=[R, F, S][index % 3])
        Contact.objects.create(project=project, name=f"Contact {index}", email=f"c{index}@example.org", role="client")
    with django_assert_num_queries(baseline):
        response = client.get(url)
    content = response.content.decode()
    assert content.count('class="people-row"') == 2 + 8 + 9
