"""Login throttling behind a proxy: axes reads the client through DJANGO_TRUSTED_PROXY_COUNT proxies."""

import runpy
from pathlib import Path

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

import gesprekstafels.settings

PROXY = "10.0.0.1"
CLIENT_A = "203.0.113.5"
CLIENT_B = "198.51.100.7"
IP_SETTINGS = ("AXES_IPWARE_META_PRECEDENCE_ORDER", "AXES_IPWARE_PROXY_COUNT", "IPWARE_STRICT")


@pytest.fixture
def trusted_proxies(monkeypatch, settings):
    """trusted_proxies(n): the client-address settings that settings.py derives from the variable."""

    def _apply(count):
        monkeypatch.setenv("DJANGO_TRUSTED_PROXY_COUNT", str(count))
        derived = runpy.run_path(str(Path(gesprekstafels.settings.__file__)))
        for name in IP_SETTINGS:
            setattr(settings, name, derived[name])
        return derived

    return _apply


def attempt(client, password, *, forwarded_for=None, remote_addr=PROXY):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("login"), {"username": "olga", "password": password}, **extra)


@pytest.mark.django_db
def test_it_ignores_forwarded_addresses_without_trusted_proxies(client, researcher, trusted_proxies):
    assert trusted_proxies(0)["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ("REMOTE_ADDR",)
    failures = [attempt(client, "wrong", forwarded_for=f"192.0.2.{i + 1}").status_code for i in range(5)]
    assert failures == [422, 422, 422, 422, 429]

    response = attempt(client, "pw", forwarded_for="192.0.2.99")

    assert response.status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]


@pytest.mark.django_db
def test_it_locks_out_only_the_forwarded_client_behind_one_trusted_proxy(client, researcher, trusted_proxies):
    trusted_proxies(1)
    failures = [attempt(client, "wrong", forwarded_for=CLIENT_A).status_code for _ in range(5)]
    assert failures == [422, 422, 422, 422, 429]

    locked = attempt(client, "pw", forwarded_for=CLIENT_A)
    # What the client itself puts in front of the header is not trusted: still client A.
    spoofed = attempt(client, "pw", forwarded_for=f"{CLIENT_B}, {CLIENT_A}")
    other = attempt(client, "pw", forwarded_for=CLIENT_B)

    assert locked.status_code == 429
    assert spoofed.status_code == 429
    assert other.status_code == 302
    assert other.url == reverse("dashboard")
    assert client.session["_auth_user_id"] == str(researcher.pk)
    # Failures are counted for client A alone, never for the proxy's address.
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT_A]


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        (0, f"{CLIENT_A}", PROXY),
        (1, f"{CLIENT_A}", CLIENT_A),
        (1, f"{CLIENT_B}, {CLIENT_A}", CLIENT_A),
        (1, None, PROXY),
        (2, f"{CLIENT_B}, {CLIENT_A}, 10.0.0.2", CLIENT_A),
    ],
)
def test_it_takes_the_address_the_outermost_trusted_proxy_saw(trusted_proxies, count, forwarded_for, expected):
    trusted_proxies(count)
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert get_client_ip_address(RequestFactory().get("/", **extra)) == expected
