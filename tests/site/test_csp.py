"""Content-Security-Policy: the header on one page of every page type, and no inline code in them."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from draaiboeken.models import Script
from sessies import timeline
from sessies.models import Note, NoteTag

# What every page must say (the browser test checks that nothing on them breaks it).
REQUIRED = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Inline code the policy forbids: a <script> without src, a <style> element, a style
# attribute, an on… handler attribute.
INLINE = [
    re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    re.compile(r"<style[\s>]", re.IGNORECASE),
    re.compile(r"\sstyle=", re.IGNORECASE),
    re.compile(r"\son[a-z]+=", re.IGNORECASE),
]


def directives(header):
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def pages(session, researcher, facilitator, secretary, admin_user):
    """(name, user, url, expected status) for one page of every page type."""
    project = session.project
    running = timeline.start(session.pk, session.timeline_version)
    Note.objects.create(
        session=running, block=running.current_block, text="Een opbrengst", tag=NoteTag.HARVEST, author=secretary
    )
    script = Script.objects.get(slug="gesprekstafel-1-start")
    return [
        ("dashboard", researcher, reverse("dashboard"), 200),
        ("framework", researcher, reverse("framework:framework"), 200),
        ("phase", researcher, reverse("framework:phase", args=[1]), 200),
        ("project list", researcher, reverse("projects:list"), 200),
        ("project detail", researcher, reverse("projects:detail", args=[project.pk]), 200),
        ("checklist", researcher, reverse("projects:checklist", args=[project.pk, 1]), 200),
        ("script library", facilitator, reverse("scripts:library"), 200),
        ("script", facilitator, reverse("scripts:script", args=[script.slug]), 200),
        ("work forms", facilitator, reverse("workforms:list"), 200),
        ("session list", facilitator, reverse("sessions:list"), 200),
        ("session detail", facilitator, reverse("sessions:detail", args=[running.pk]), 200),
        ("run view", facilitator, reverse("sessions:run", args=[running.pk]), 200),
        ("notes view", secretary, reverse("sessions:notes", args=[running.pk]), 200),
        ("projector", facilitator, reverse("sessions:projector", args=[running.pk]), 200),
        ("report", secretary, reverse("sessions:report", args=[running.pk]), 200),
        ("login", None, reverse("login"), 200),
        ("admin index", admin_user, reverse("admin:index"), 200),
        ("admin change form", admin_user, reverse("admin:draaiboeken_script_change", args=[script.pk]), 200),
        ("404", researcher, "/bestaat-niet/", 404),
    ]


@pytest.mark.django_db
def test_it_sends_the_policy_on_every_page_type_and_no_page_has_inline_code(client, pages):
    for name, user, url, status in pages:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, name
        assert "Content-Security-Policy-Report-Only" not in response.headers, name
        policy = directives(response.headers["Content-Security-Policy"])
        for directive, values in REQUIRED.items():
            assert policy.get(directive) == values, (name, directive, policy)
        # Scripts and styles fall back to default-src 'self': no inline, no eval, no nonce.
        assert "script-src" not in policy and "style-src" not in policy, (name, policy)
        assert not [v for values in policy.values() for v in values if "unsafe" in v or "nonce" in v], name
        html = response.content.decode()
        found = [match.group(0) for pattern in INLINE for match in pattern.finditer(html)]
        assert found == [], (name, found)


@pytest.mark.django_db
def test_it_shows_its_own_csrf_failure_page_without_inline_style(researcher):
    # Django's built-in page has an inline <style>, which the policy would block.
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "olga", "password": "pw"})
    assert response.status_code == 403
    assert "403_csrf.html" in [t.name for t in response.templates]
    assert directives(response.headers["Content-Security-Policy"])["default-src"] == ["'self'"]
    assert [p.pattern for p in INLINE if p.search(response.content.decode())] == []


@pytest.mark.django_db
def test_it_sends_the_policy_on_htmx_partials_too(client, session, facilitator):
    running = timeline.start(session.pk, session.timeline_version)
    client.force_login(facilitator)
    response = client.get(
        reverse("sessions:live", args=[running.pk]), {"view": "run", "v": 0}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert directives(response.headers["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]
    assert not [p.pattern for p in INLINE if p.search(response.content.decode())]
