"""Quality framework pages and research projects: list, create, edit, detail, access."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from pypdf import PdfReader

from kader.models import (
    AttentionPoint,
    ChecklistEntry,
    ChecklistStatus,
    ExplanationSection,
    Membership,
    Phase,
    ProjectRole,
    ResearchProject,
)
from tests.factories import ResearchProjectFactory, SessionFactory


def template_names(response):
    return [t.name for t in response.templates]


def pdf_text(response):
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_points(phase, count, *, start=10):
    for number in range(start, start + count):
        point = AttentionPoint.objects.create(phase=phase, number=number, title=f"Extra punt {number}", summary="Kort.")
        ExplanationSection.objects.bulk_create(
            [
                ExplanationSection(attention_point=point, order=i, heading=f"Kop {i}", body=f"Tekst {i}.")
                for i in range(3)
            ]
        )


# The framework


@pytest.mark.django_db
def test_it_shows_three_phase_columns_with_twelve_points(client, library, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("framework:framework"))
    assert response.status_code == 200
    assert "kader/framework.html" in template_names(response)
    phases = list(response.context["phases"])
    assert [phase.number for phase in phases] == [1, 2, 3]
    assert [len(phase.attention_points.all()) for phase in phases] == [3, 5, 4]
    content = response.content.decode()
    assert content.count('class="card h-100 phase-card') == 3
    for point in AttentionPoint.objects.select_related("phase"):
        assert escape(point.title) in content
        assert reverse("framework:phase", args=[point.phase.number]) + f"#punt-{point.pk}" in content
    assert content.count("<summary>") == 12


@pytest.mark.django_db
def test_it_shows_the_framework_introduction(client, library, researcher):
    client.force_login(researcher)
    response = client.get(reverse("framework:framework"))
    assert response.status_code == 200
    assert len(response.context["intro_sections"]) == 4


@pytest.mark.django_db
def test_it_keeps_the_framework_query_count_with_more_points(client, library, researcher, django_assert_num_queries):
    client.force_login(researcher)
    url = reverse("framework:framework")
    client.get(url)  # warm up caches that are filled once per process
    baseline = count_queries(client, url)
    for phase in Phase.objects.all():
        add_points(phase, 4)
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<summary>") == 24


@pytest.mark.django_db
@pytest.mark.parametrize("number", [1, 2, 3])
def test_it_shows_each_points_sections_on_the_phase_page(client, library, facilitator, number):
    client.force_login(facilitator)
    response = client.get(reverse("framework:phase", args=[number]))
    assert response.status_code == 200
    assert response.context["phase"].number == number
    content = response.content.decode()
    points = AttentionPoint.objects.filter(phase__number=number).prefetch_related("sections")
    assert content.count('class="mb-4 attention-point"') == points.count()
    for point in points:
        assert f'id="punt-{point.pk}"' in content
        assert escape(point.title) in content
        assert point.sections.exists()
        for section in point.sections.all():
            if section.heading:
                assert escape(section.heading) in content
            first_line = section.body.strip().splitlines()[0][:60]
            assert escape(first_line) in content, (point.code, first_line)


@pytest.mark.django_db
def test_it_keeps_the_phase_page_query_count_with_more_points(client, library, researcher, django_assert_num_queries):
    client.force_login(researcher)
    url = reverse("framework:phase", args=[2])
    client.get(url)
    baseline = count_queries(client, url)
    add_points(Phase.objects.get(number=2), 5)
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_phase(client, library, researcher):
    client.force_login(researcher)
    response = client.get(reverse("framework:phase", args=[4]))
    assert response.status_code == 404
    assert "404.html" in template_names(response)


@pytest.mark.django_db
def test_it_renders_the_phase_as_pdf(client, library, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("framework:phase_pdf", args=[1]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="kader-fase-1.pdf"' in response["Content-Disposition"]
    text = pdf_text(response)
    for point in AttentionPoint.objects.filter(phase__number=1):
        assert " ".join(point.title.split())[:30] in text
    assert "Blijf afstemmen met professionals" not in text  # a phase-2 point


@pytest.mark.django_db
def test_it_answers_404_for_the_pdf_of_an_unknown_phase(client, library, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("framework:phase_pdf", args=[9]))
    assert response.status_code == 404


# Project list


@pytest.mark.django_db
def test_it_lists_only_the_researchers_own_projects(client, project, researcher, outsider):
    other = ResearchProjectFactory(researchers=[outsider], title="Project van een ander")
    client.force_login(researcher)
    response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    assert list(response.context["projects"]) == [project]
    content = response.content.decode()
    assert project.title in content
    assert other.title not in content


@pytest.mark.django_db
def test_it_lists_every_project_for_an_admin(client, project, outsider, admin_user):
    other = ResearchProjectFactory(researchers=[outsider], title="Project van een ander")
    client.force_login(admin_user)
    response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    assert set(response.context["projects"]) == {project, other}


@pytest.mark.django_db
def test_it_shows_an_empty_state_without_projects(client, library, outsider):
    client.force_login(outsider)
    response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="empty-state"' in content
    assert reverse("projects:create") in content


@pytest.mark.django_db
def test_it_lists_the_members_of_each_project_with_their_roles(client, project, researcher, facilitator):
    Membership.objects.create(project=project, user=facilitator, role=ProjectRole.FACILITATOR)
    client.force_login(facilitator)
    response = client.get(reverse("projects:list"))
    assert response.status_code == 200
    assert list(response.context["projects"]) == [project]
    content = response.content.decode()
    with translation.override("nl"):
        role = str(ProjectRole.FACILITATOR.label)
    assert f'Gijs <span class="small text-muted">({role})</span>, Olga <span' in content


@pytest.mark.django_db
def test_it_tells_someone_who_may_not_create_projects_how_to_join_one(client, library, secretary):
    client.force_login(secretary)
    content = client.get(reverse("projects:list")).content.decode()
    assert 'class="empty-state"' in content
    assert reverse("projects:create") not in content
    with translation.override("nl"):
        assert translation.gettext("A researcher or facilitator of a project can add you to it.") in content


@pytest.mark.django_db
def test_it_keeps_the_project_list_query_count_with_more_projects(
    client, project, researcher, facilitator, django_assert_num_queries
):
    client.force_login(researcher)
    url = reverse("projects:list")
    client.get(url)
    baseline = count_queries(client, url)
    for index in range(9):
        ResearchProjectFactory(
            researchers=[researcher, facilitator], title=f"Project {index}", phase_number=index % 3 + 1
        )
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["projects"]) == 10


# Creating and editing


def roles_in(project):
    return sorted((m.user.username, m.role) for m in project.memberships.select_related("user"))


@pytest.mark.django_db
def test_it_shows_the_new_project_form_with_the_creators_role(client, library, researcher):
    client.force_login(researcher)
    response = client.get(reverse("projects:create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["current_phase"].number == 1
    assert list(form.fields) == ["title", "organisation", "description", "current_phase", "role"]
    content = response.content.decode()
    assert '<select name="role"' in content
    assert 'value="onderzoeker" selected' in content
    assert 'value="gespreksleider"' in content
    assert 'value="secretaris"' not in content  # a project starts with someone who leads it


@pytest.mark.django_db
def test_it_creates_a_project_with_its_creator_as_researcher(client, library, researcher):
    client.force_login(researcher)
    response = client.post(
        reverse("projects:create"),
        {
            "title": "Samen werken aan armoede",
            "organisation": "Hogeschool",
            "description": "Een verkenning.",
            "current_phase": Phase.objects.get(number=2).pk,
            "role": "onderzoeker",
        },
    )
    project = ResearchProject.objects.get(title="Samen werken aan armoede")
    assert response.status_code == 302
    assert response.url == project.get_absolute_url()
    assert project.organisation == "Hogeschool"
    assert project.current_phase.number == 2
    assert roles_in(project) == [("olga", ProjectRole.RESEARCHER)]


@pytest.mark.django_db
def test_a_facilitator_creates_a_project_and_lands_on_it_as_its_facilitator(client, library, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("projects:create"),
        {"title": "Gesprekken in de wijk", "current_phase": Phase.objects.get(number=1).pk, "role": "gespreksleider"},
        follow=True,
    )
    project = ResearchProject.objects.get(title="Gesprekken in de wijk")
    assert response.redirect_chain == [(project.get_absolute_url(), 302)]
    assert response.status_code == 200
    assert roles_in(project) == [("gijs", ProjectRole.FACILITATOR)]
    assert response.context["can_edit"] is True
    content = response.content.decode()
    assert reverse("projects:edit", args=[project.pk]) in content
    assert reverse("projects:people", args=[project.pk]) in content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["secretaris", "beheerder", ""])
def test_it_refuses_a_creator_role_that_does_not_lead(client, library, facilitator, role):
    client.force_login(facilitator)
    response = client.post(
        reverse("projects:create"),
        {"title": "Zonder leiding", "current_phase": Phase.objects.get(number=1).pk, "role": role},
    )
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["role"]
    assert not ResearchProject.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_project_without_a_title(client, library, researcher):
    client.force_login(researcher)
    response = client.post(
        reverse("projects:create"),
        {"title": "", "current_phase": Phase.objects.get(number=1).pk, "role": "onderzoeker"},
    )
    assert response.status_code == 422  # a form with errors
    assert "title" in response.context["form"].errors
    assert not ResearchProject.objects.exists()
    assert not Membership.objects.exists()


@pytest.mark.django_db
def test_it_refuses_project_creation_without_permission(client, library, secretary):
    client.force_login(secretary)
    response = client.post(
        reverse("projects:create"),
        {"title": "Niet toegestaan", "current_phase": Phase.objects.get(number=1).pk, "role": "onderzoeker"},
    )
    assert response.status_code == 403
    assert not ResearchProject.objects.exists()


@pytest.mark.django_db
def test_it_shows_the_edit_form(client, project, researcher):
    client.force_login(researcher)
    response = client.get(reverse("projects:edit", args=[project.pk]))
    assert response.status_code == 200
    assert response.context["form"].instance == project


@pytest.mark.django_db
def test_it_edits_a_project(client, project, researcher):
    client.force_login(researcher)
    response = client.post(
        reverse("projects:edit", args=[project.pk]),
        {
            "title": "Vroegsignalering schulden en zorg",
            "organisation": "Gemeente Utrecht",
            "description": "",
            "current_phase": Phase.objects.get(number=3).pk,
            "ended_on": "2031-06-30",
        },
    )
    assert response.status_code == 302
    assert response.url == project.get_absolute_url()
    project.refresh_from_db()
    assert project.title == "Vroegsignalering schulden en zorg"
    assert project.current_phase.number == 3
    assert project.ended_on.isoformat() == "2031-06-30"
    assert roles_in(project) == [("olga", ProjectRole.RESEARCHER)]  # the members are kept on their own page


@pytest.mark.django_db
def test_a_facilitator_of_the_project_edits_it(client, project, facilitator):
    Membership.objects.create(project=project, user=facilitator, role=ProjectRole.FACILITATOR)
    client.force_login(facilitator)
    response = client.post(
        reverse("projects:edit", args=[project.pk]),
        {"title": "Door de gespreksleider", "current_phase": Phase.objects.get(number=2).pk},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Door de gespreksleider"


@pytest.mark.django_db
def test_it_refuses_an_edit_by_an_outsider(client, project, outsider):
    client.force_login(outsider)
    response = client.post(
        reverse("projects:edit", args=[project.pk]),
        {"title": "Gekaapt", "current_phase": Phase.objects.get(number=1).pk},
    )
    assert response.status_code == 404
    project.refresh_from_db()
    assert project.title == "Vroegsignalering schulden"
    assert roles_in(project) == [("olga", ProjectRole.RESEARCHER)]


@pytest.mark.django_db
def test_it_lets_an_admin_edit_any_project(client, project, admin_user, researcher):
    client.force_login(admin_user)
    response = client.post(
        reverse("projects:edit", args=[project.pk]),
        {"title": "Door beheer", "current_phase": Phase.objects.get(number=1).pk},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Door beheer"


# Project detail


@pytest.mark.django_db
def test_it_hides_someone_elses_project(client, project, outsider):
    client.force_login(outsider)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 404
    assert "404.html" in template_names(response)


@pytest.mark.django_db
def test_it_hides_the_project_from_a_facilitator_who_is_not_on_it(client, session, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("projects:detail", args=[session.project.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_it_lets_an_admin_see_any_project(client, project, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_it_shows_progress_per_phase(client, project, researcher):
    for point in AttentionPoint.objects.filter(phase__number=1, number__in=[1, 2]):
        ChecklistEntry.objects.create(project=project, attention_point=point, status=ChecklistStatus.SECURED)
    point_2_1 = AttentionPoint.objects.get(phase__number=2, number=1)
    ChecklistEntry.objects.create(project=project, attention_point=point_2_1, status=ChecklistStatus.NOT_APPLICABLE)
    point_2_2 = AttentionPoint.objects.get(phase__number=2, number=2)
    ChecklistEntry.objects.create(project=project, attention_point=point_2_2, status=ChecklistStatus.DISCUSSING)
    other = ResearchProjectFactory(researchers=[researcher], title="Ander project")
    ChecklistEntry.objects.create(
        project=other,
        attention_point=AttentionPoint.objects.get(phase__number=3, number=1),
        status=ChecklistStatus.SECURED,
    )
    client.force_login(researcher)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    progress = [(item["phase"].number, item["done"], item["total"]) for item in response.context["phases"]]
    assert progress == [(1, 2, 3), (2, 1, 5), (3, 0, 4)]
    content = response.content.decode()
    assert 'value="2" max="3"></progress>' in content
    for number in (1, 2, 3):
        assert reverse("projects:checklist", args=[project.pk, number]) in content


@pytest.mark.django_db
def test_it_shows_the_sessions_of_each_phase(client, session, researcher, facilitator, secretary):
    project = session.project
    later = SessionFactory(
        script_slug="gesprekstafel-2-uitvoering",
        project=project,
        title="Tussentijdse toets",
        facilitator=facilitator,
        secretary=secretary,
    )
    client.force_login(researcher)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    sessions = {item["phase"].number: item["sessions"] for item in response.context["phases"]}
    assert sessions == {1: [session], 2: [later], 3: []}
    content = response.content.decode()
    assert later.get_absolute_url() in content
    assert escape(session.title) in content


@pytest.mark.django_db
def test_it_shows_the_edit_link_to_a_researcher(client, project, researcher):
    client.force_login(researcher)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    assert response.context["can_edit"] is True
    assert reverse("projects:edit", args=[project.pk]) in response.content.decode()


@pytest.mark.django_db
def test_it_hides_the_edit_link_from_a_reader_who_may_not_edit(client, project, secretary):
    secretary.user_permissions.add(Permission.objects.get(codename="view_all_projects"))
    client.force_login(secretary)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert reverse("projects:edit", args=[project.pk]) not in response.content.decode()


@pytest.mark.django_db
def test_it_refuses_the_edit_form_to_a_reader_who_may_not_edit(client, project, secretary):
    secretary.user_permissions.add(Permission.objects.get(codename="view_all_projects"))
    client.force_login(secretary)
    response = client.get(reverse("projects:edit", args=[project.pk]))
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_facilitator_who_is_the_projects_secretary_sees_it_but_may_not_edit_it(client, project, facilitator):
    # Facilitators may edit the projects they lead; on this one they take notes.
    Membership.objects.create(project=project, user=facilitator, role=ProjectRole.SECRETARY)
    client.force_login(facilitator)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert reverse("projects:edit", args=[project.pk]) not in response.content.decode()
    response = client.post(
        reverse("projects:edit", args=[project.pk]),
        {"title": "Niet van mij", "current_phase": project.current_phase_id},
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.title == "Vroegsignalering schulden"


@pytest.mark.django_db
def test_a_facilitator_with_every_project_in_view_edits_any_project(client, project, facilitator):
    # The rule as the model states it: seeing every project and editing projects is editing them all.
    facilitator.user_permissions.add(Permission.objects.get(codename="view_all_projects"))
    client.force_login(facilitator)
    assert client.get(reverse("projects:edit", args=[project.pk])).status_code == 200


@pytest.mark.django_db
def test_it_shows_the_members_by_role_and_links_the_people_page(client, project, researcher, facilitator, secretary):
    Membership.objects.create(project=project, user=facilitator, role=ProjectRole.FACILITATOR)
    Membership.objects.create(project=project, user=secretary, role=ProjectRole.SECRETARY)
    Membership.objects.create(project=project, user=researcher, role=ProjectRole.FACILITATOR)
    project.contacts.create(name="Karin Jansen", email="karin@example.org")
    client.force_login(secretary)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    groups = {group["role"]: [m.user for m in group["memberships"]] for group in response.context["member_groups"]}
    assert groups == {
        ProjectRole.RESEARCHER: [researcher],
        ProjectRole.FACILITATOR: [facilitator, researcher],
        ProjectRole.SECRETARY: [secretary],
    }
    content = response.content.decode()
    assert '<dd class="col-sm-8 col-lg-9">Gijs, Olga</dd>' in content
    assert '<dd class="col-sm-8 col-lg-9">Sanne</dd>' in content
    assert reverse("projects:people", args=[project.pk]) in content
    assert "Karin" not in content  # contacts are on the people page only


@pytest.mark.django_db
def test_it_shows_when_the_project_ended(client, project, researcher):
    client.force_login(researcher)
    url = reverse("projects:detail", args=[project.pk])
    assert 'class="project-ended"' not in client.get(url).content.decode()
    ResearchProject.objects.filter(pk=project.pk).update(ended_on="2031-06-30")
    content = client.get(url).content.decode()
    assert '<span class="project-ended">' in content
    assert "30 juni 2031" in content


@pytest.mark.django_db
def test_it_keeps_the_project_detail_query_count_with_more_members(
    client, project, researcher, django_user_model, django_assert_num_queries
):
    from sessies import roles
    from tests.conftest import make_user

    client.force_login(researcher)
    url = reverse("projects:detail", args=[project.pk])
    client.get(url)
    baseline = count_queries(client, url)
    for index in range(6):
        user = make_user(django_user_model, f"lid{index}", roles.FACILITATORS)
        Membership.objects.create(project=project, user=user, role=list(ProjectRole)[index % 3])
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert sum(len(group["memberships"]) for group in response.context["member_groups"]) == 7
