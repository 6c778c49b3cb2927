"""Sessions live on the server: logging out, here or everywhere, ends them for every copy of the cookie."""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from gesprekstafels.lib.accounts import end_all_sessions


def signed_in(username):
    client = Client()
    # In English, so the texts checked are the message ids, whatever the catalogue holds.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("login"), {"username": username, "password": "pw"})
    assert response.status_code == 302
    return client


def copy_of(client):
    """Another browser that carries the same session cookie (as if copied from the first)."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return other


def sessions_of(user):
    return [s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]


def test_it_keeps_sessions_in_the_database():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


@pytest.mark.django_db
def test_it_ends_a_copied_session_cookie_at_logout(researcher):
    client = signed_in("olga")
    copy = copy_of(client)
    assert copy.get(reverse("dashboard")).status_code == 200

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert sessions_of(researcher) == []
    after = copy.get(reverse("dashboard"))
    assert after.status_code == 302
    assert after.url == f"{reverse('login')}?next=/"


@pytest.mark.django_db
def test_it_logs_out_on_every_device(researcher, facilitator):
    laptop = signed_in("olga")
    projector = signed_in("olga")
    someone_else = signed_in("gijs")
    assert len(sessions_of(researcher)) == 2

    response = laptop.post(reverse("logout_everywhere"), follow=True)

    assert response.redirect_chain == [(reverse("login"), 302)]
    assert "You are logged out on all devices." in response.content.decode()
    assert sessions_of(researcher) == []
    assert projector.get(reverse("dashboard")).status_code == 302
    assert laptop.get(reverse("dashboard")).status_code == 302
    assert someone_else.get(reverse("dashboard")).status_code == 200
    assert len(sessions_of(facilitator)) == 1


@pytest.mark.django_db
def test_it_logs_out_everywhere_only_on_post(researcher):
    client = signed_in("olga")

    response = client.get(reverse("logout_everywhere"))

    assert response.status_code == 405
    assert len(sessions_of(researcher)) == 1


@pytest.mark.django_db
def test_it_counts_the_sessions_it_ends(researcher, facilitator):
    signed_in("olga"), signed_in("olga"), signed_in("gijs")

    assert end_all_sessions(user=researcher) == 2
    assert end_all_sessions(user=researcher) == 0
    assert len(sessions_of(facilitator)) == 1


@pytest.mark.django_db
def test_it_offers_log_out_everywhere_in_the_menu(researcher):
    client = signed_in("olga")

    content = client.get(reverse("dashboard")).content.decode()

    assert f'formaction="{reverse("logout_everywhere")}"' in content
    assert "Log out on all devices" in content
