"""Foundation: sign-in everywhere, role groups, production checks, error pages, login throttling."""

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kader.models import ResearchProject
from sessies import roles

BASE_DIR = Path(__file__).resolve().parents[2]

# Pages anyone may open: the login page itself and the language switch of the login page.
PUBLIC_URL_NAMES = {"login", "set_language", "privacy"}
# Reached by a link with a token instead of a login: a participant's phone, a reviewer of a draft
# report. Their own tests check that the token opens these pages and nothing else.
PUBLIC_URL_NAMES |= {"participate:join", "participate:poll", "participate:stream", "participate:send"}
PUBLIC_URL_NAMES |= {"review:page", "review:comment", "review:agree"}
# Sample values for the URL converters, by parameter name.
SAMPLE_KWARGS = {"slug": "gesprekstafel-1-start", "action": "volgende", "number": 1}


def project_url_names(patterns=None, namespace=""):
    """Every named URL of the project's own url configurations (Django admin has its own login)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from project_url_names(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", list(entry.pattern.converters)


def sample_url(name, params):
    return reverse(name, kwargs={param: SAMPLE_KWARGS.get(param, 1) for param in params})


def login_redirect(url):
    return f"{reverse('login')}?next={quote(url)}"


# Sign-in everywhere


def test_it_knows_every_named_url_of_the_project():
    names = {name for name, _ in project_url_names()}
    expected = {
        "dashboard",
        "login",
        "logout",
        "set_language",
        "framework:framework",
        "framework:phase",
        "framework:phase_pdf",
        "projects:list",
        "projects:create",
        "projects:detail",
        "projects:edit",
        "projects:checklist",
        "projects:checklist_entry",
        "projects:checklist_pdf",
        "scripts:library",
        "scripts:script",
        "scripts:script_pdf",
        "sessions:list",
        "sessions:create",
        "sessions:detail",
        "sessions:run",
        "sessions:transition",
        "sessions:live",
        "sessions:notes",
        "sessions:note_create",
        "sessions:note_edit",
    }
    assert expected <= names


@pytest.mark.django_db
def test_it_redirects_anonymous_users_to_login_on_every_url(client):
    checked = []
    for name, params in project_url_names():
        if name in PUBLIC_URL_NAMES:
            continue
        url = sample_url(name, params)
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url == login_redirect(url), name
        checked.append(name)
    assert len(checked) >= 30


@pytest.mark.django_db
def test_it_redirects_anonymous_users_on_real_objects_too(client, session):
    urls = [
        reverse("projects:detail", args=[session.project.pk]),
        reverse("projects:checklist", args=[session.project.pk, 1]),
        reverse("projects:checklist_pdf", args=[session.project.pk]),
        reverse("sessions:detail", args=[session.pk]),
        reverse("sessions:live", args=[session.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == login_redirect(url), url


@pytest.mark.django_db
def test_it_refuses_an_anonymous_post(client, project):
    point = project.current_phase.attention_points.first()
    url = reverse("projects:checklist_entry", args=[project.pk, point.pk])
    response = client.post(url, {f"p{point.pk}-status": "geborgd", f"p{point.pk}-version": 0})
    assert response.status_code == 302
    assert response.url == login_redirect(url)
    assert not project.checklist_entries.exists()


@pytest.mark.django_db
def test_it_sends_anonymous_users_from_admin_to_a_login_page(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/login/" in response.url


@pytest.mark.django_db
def test_it_shows_the_login_page_to_anonymous_users(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "registration/login.html" in [t.name for t in response.templates]


# Role groups


@pytest.mark.django_db
def test_it_creates_the_four_role_groups_on_migrate():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"Gespreksleiders", "Secretarissen", "Onderzoekers", "Beheerders"} <= names


def group_permissions(name):
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


@pytest.mark.django_db
def test_it_gives_researchers_projects_and_checklists_but_not_the_session_controls():
    perms = group_permissions(roles.RESEARCHERS)
    assert {
        "kader.view_attentionpoint",
        "kader.add_researchproject",
        "kader.change_researchproject",
        "kader.change_checklistentry",
        "sessies.add_session",
    } <= perms
    assert "sessies.run_session" not in perms
    assert "kader.change_attentionpoint" not in perms
    assert "kader.view_all_projects" not in perms


@pytest.mark.django_db
def test_it_lets_facilitators_run_sessions_and_keep_their_own_projects():
    perms = group_permissions(roles.FACILITATORS)
    assert {"sessies.run_session", "sessies.change_session", "sessies.add_note", "draaiboeken.view_script"} <= perms
    # They create projects and keep the members and contacts of those they lead (ResearchProject.can_edit).
    assert set(roles.PROJECT_WRITE) <= perms
    assert "kader.view_all_projects" not in perms
    assert "kader.change_checklistentry" not in perms


@pytest.mark.django_db
def test_it_gives_researchers_and_facilitators_the_same_project_permissions():
    project_perms = {
        perm
        for perm in group_permissions(roles.ADMINS)
        if perm.split(".")[1].endswith(("researchproject", "membership", "contact"))
    }
    assert project_perms & group_permissions(roles.RESEARCHERS) == set(roles.PROJECT_WRITE)
    assert project_perms & group_permissions(roles.FACILITATORS) == set(roles.PROJECT_WRITE)
    assert project_perms & group_permissions(roles.SECRETARIES) == set()


@pytest.mark.django_db
def test_it_lets_secretaries_take_notes_and_edit_the_report_but_not_run_sessions():
    perms = group_permissions(roles.SECRETARIES)
    assert {"sessies.add_note", "sessies.change_note", "sessies.add_agreement", "sessies.change_report"} <= perms
    assert "sessies.run_session" not in perms
    assert "kader.add_researchproject" not in perms


@pytest.mark.django_db
def test_it_lets_admins_edit_the_library_and_see_every_project():
    perms = group_permissions(roles.ADMINS)
    assert {
        "kader.change_attentionpoint",
        "kader.change_explanationsection",
        "kader.view_all_projects",
        "draaiboeken.change_script",
        "draaiboeken.change_step",
        "sessies.change_session",
    } <= perms
    assert "auth.change_user" not in perms


@pytest.mark.django_db
def test_it_grants_the_role_permissions_to_the_users(facilitator, secretary, researcher, admin_user):
    assert facilitator.has_perm("sessies.run_session")
    assert not secretary.has_perm("sessies.run_session")
    assert researcher.has_perm("kader.change_checklistentry")
    assert admin_user.has_perm("kader.view_all_projects")
    assert not admin_user.is_superuser


# Production settings


def test_it_passes_the_deploy_checks_with_production_settings():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "EMAIL_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="gesprekstafels.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="example.org",
        # Never the checkout's own db.sqlite3: an empty file there would stop `make run` loading the fixtures.
        DATABASE_URL="sqlite://:memory:",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="gesprekstafels.settings",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="example.org",
        DATABASE_URL="sqlite://:memory:",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


# Error pages


@pytest.mark.django_db
def test_it_shows_the_own_404_page(client, researcher):
    client.force_login(researcher)
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert '<html lang="nl">' in content
    assert "Pagina niet gevonden" in content  # from locale/nl


@pytest.mark.django_db
def test_it_shows_the_404_page_for_a_missing_project(client, researcher):
    client.force_login(researcher)
    response = client.get(reverse("projects:detail", args=[999999]))
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


@pytest.mark.django_db
def test_it_shows_the_own_403_page_for_a_project_one_may_only_read(client, secretary, project):
    from kader.models import Membership, ProjectRole

    Membership.objects.create(project=project, user=secretary, role=ProjectRole.SECRETARY)
    client.force_login(secretary)
    response = client.get(reverse("projects:edit", args=[project.pk]))
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert "Geen toegang" in response.content.decode()  # from locale/nl


@pytest.mark.django_db
def test_it_shows_the_403_page_for_a_missing_permission(client, secretary, library):
    client.force_login(secretary)
    response = client.get(reverse("projects:create"))
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]


# Logging in


@pytest.mark.django_db
def test_it_rejects_a_wrong_password_with_a_message(client, researcher):
    response = client.post(reverse("login"), {"username": "olga", "password": "wrong"})
    assert response.status_code == 422
    assert response.context["form"].non_field_errors()
    assert 'class="alert' in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="olga").failures_since_start == 1


@pytest.mark.django_db
def test_it_locks_out_after_five_failed_attempts(client, researcher):
    for _ in range(5):
        client.post(reverse("login"), {"username": "olga", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "olga", "password": "pw"})
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="olga").failures_since_start >= 5


@pytest.mark.django_db
def test_it_does_not_lock_out_after_four_failed_attempts(client, researcher):
    for _ in range(4):
        client.post(reverse("login"), {"username": "olga", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "olga", "password": "pw"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(researcher.pk)


@pytest.mark.django_db
def test_it_logs_in_and_reaches_the_dashboard(client, researcher):
    response = client.post(reverse("login"), {"username": "olga", "password": "pw"}, follow=True)
    assert response.redirect_chain == [(reverse("dashboard"), 302)]
    assert response.status_code == 200
    assert "sessies/dashboard.html" in [t.name for t in response.templates]
    assert client.session["_auth_user_id"] == str(researcher.pk)


@pytest.mark.django_db
def test_it_logs_in_to_the_page_asked_for(client, researcher):
    url = reverse("framework:framework")
    response = client.post(f"{reverse('login')}?next={url}", {"username": "olga", "password": "pw", "next": url})
    assert response.status_code == 302
    assert response.url == url


@pytest.mark.django_db
def test_it_logs_out_on_post(client, researcher):
    client.force_login(researcher)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


# Dashboard


@pytest.mark.django_db
def test_it_shows_the_facilitators_sessions_on_the_dashboard(
    client, facilitator, session, django_assert_max_num_queries
):
    client.force_login(facilitator)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert list(response.context["upcoming_sessions"]) == [session]
    assert session.title in response.content.decode()


@pytest.mark.django_db
def test_it_shows_the_researchers_projects_and_sessions_on_the_dashboard(client, researcher, session):
    client.force_login(researcher)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert list(response.context["projects"]) == [session.project]
    assert list(response.context["upcoming_sessions"]) == [session]
    content = response.content.decode()
    assert session.project.title in content
    assert session.project.get_absolute_url() in content


@pytest.mark.django_db
def test_it_shows_empty_states_on_the_dashboard(client, outsider, session):
    client.force_login(outsider)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert not response.context["projects"]
    assert not response.context["upcoming_sessions"]
    content = response.content.decode()
    assert content.count('class="empty-state"') == 2
    assert session.title not in content
    assert session.project.title not in content
    assert reverse("projects:create") in content


# CSRF


@pytest.mark.django_db
def test_it_refuses_a_post_without_csrf_token(researcher, library):
    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher)
    response = client.post(
        reverse("projects:create"),
        {"title": "Zonder token", "current_phase": 1, "researchers": [researcher.pk]},
    )
    assert response.status_code == 403
    assert not ResearchProject.objects.filter(title="Zonder token").exists()


@pytest.mark.django_db
def test_it_refuses_a_login_without_csrf_token(researcher):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "olga", "password": "pw"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_accepts_a_post_with_csrf_token(researcher, library):
    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher)
    form_page = client.get(reverse("projects:create"))
    token = form_page.cookies["csrftoken"].value
    response = client.post(
        reverse("projects:create"),
        {"title": "Met token", "current_phase": 1, "role": "onderzoeker", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert ResearchProject.objects.filter(title="Met token").exists()
