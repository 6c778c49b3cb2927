import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_it_speaks_dutch_whatever_the_browser_asks(client):
    response = client.get(reverse("login"), headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response["Content-Language"] == "nl"
    assert '<html lang="nl">' in response.content.decode()


@pytest.mark.django_db
def test_it_switches_to_english_when_chosen(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    response = client.get(reverse("login"))
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
