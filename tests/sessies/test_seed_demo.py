"""`manage.py seed_demo`: the demo accounts and a demo project that shows the whole loop, idempotent."""

import hashlib
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kader.models import Contact, ContactRole, Membership, ProjectRole, ResearchProject
from sessies.management.commands.seed_demo import (
    DEMO_ACCOUNTS,
    DEMO_PROJECT_TITLE,
    FINISHED_TITLE,
    PLANNED_TITLE,
)
from sessies.models import (
    Agreement,
    Delivery,
    DeliveryStatus,
    Note,
    NoteTag,
    Participant,
    Report,
    Session,
    SessionBlock,
    SessionState,
    SessionStep,
    TimeAdjustment,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MODELS = [
    get_user_model(),
    ResearchProject,
    Membership,
    Contact,
    Session,
    SessionBlock,
    SessionStep,
    Participant,
    Note,
    Agreement,
    Report,
    Delivery,
    TimeAdjustment,
]


def seed():
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def seeded(library, settings):
    settings.DEBUG = True  # pytest-django runs with DEBUG off; the command refuses then
    seed()
    return ResearchProject.objects.get(title=DEMO_PROJECT_TITLE)


def snapshot():
    counts = {model.__name__: model.objects.count() for model in MODELS}
    sessions = {s.title: (s.starts_at, s.state, s.version) for s in Session.objects.all()}
    reports = list(Report.objects.values_list("pdf_sha256", "approved_at", "first_sent_at"))
    return counts, sessions, reports


def test_a_second_run_changes_nothing(seeded):
    before = snapshot()
    seed()
    assert snapshot() == before
    counts = before[0]
    assert (counts["ResearchProject"], counts["Session"], counts["Contact"], counts["Membership"]) == (1, 2, 5, 3)


def test_the_demo_users_have_their_roles_in_the_project(seeded):
    roles = {(m.user.username, m.role) for m in seeded.memberships.select_related("user")}
    assert roles == {
        ("onderzoeker", ProjectRole.RESEARCHER),
        ("gespreksleider", ProjectRole.FACILITATOR),
        ("secretaris", ProjectRole.SECRETARY),
    }
    assert (seeded.organisation, seeded.current_phase.number) == ("Gemeente Voorbeeldstad", 1)
    contacts = list(seeded.contacts.all())
    assert sorted(c.role for c in contacts) == sorted(
        [ContactRole.PROFESSIONAL] * 3 + [ContactRole.POLICY, ContactRole.CLIENT]
    )
    assert all(c.email.endswith("@example.org") for c in contacts)


def test_the_planned_session_is_today_at_the_next_full_hour(seeded):
    session = seeded.sessions.get(title=PLANNED_TITLE)
    now = timezone.localtime()
    starts = timezone.localtime(session.starts_at)
    assert session.state == SessionState.PLANNED
    assert (starts.minute, starts.second) == (0, 0)
    assert timedelta(0) < starts - now <= timedelta(hours=1)
    assert (session.facilitator.username, session.secretary.username) == ("gespreksleider", "secretaris")
    assert session.script.slug == "gesprekstafel-1-start"
    participants = list(session.participants.select_related("contact"))
    assert len(participants) == 3
    assert all(p.contact and p.contact.project_id == seeded.pk and p.email == p.contact.email for p in participants)


def test_a_past_planned_session_moves_to_the_next_full_hour_on_the_next_run(seeded):
    session = seeded.sessions.get(title=PLANNED_TITLE)
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(days=3))
    seed()
    session.refresh_from_db()
    assert session.starts_at > timezone.now()
    assert seeded.sessions.filter(title=PLANNED_TITLE).count() == 1


def test_the_finished_session_went_through_the_whole_loop(seeded):
    session = seeded.sessions.get(title=FINISHED_TITLE)
    assert session.state == SessionState.FINISHED
    assert timezone.now() - session.started_at > timedelta(days=27)
    assert session.finished_at > session.started_at
    assert all(block.first_started_at for block in session.blocks.all())
    notes = list(Note.objects.alive().filter(session=session))
    assert {note.tag for note in notes} == set(NoteTag.values)
    assert all(note.question_id and note.question.block_id == note.block_id for note in notes)
    assert sum(note.is_key for note in notes) >= 2
    assert session.agreements.count() == 3
    report = session.report
    assert report.is_approved and report.summary and report.closing_remark
    assert bytes(report.pdf).startswith(b"%PDF")
    assert report.pdf_sha256 == hashlib.sha256(bytes(report.pdf)).hexdigest()
    deliveries = list(report.deliveries.all())
    participants = {p.email for p in session.participants.all()}
    assert {d.email for d in deliveries} == participants | {"onderzoeker@example.org"}
    assert {d.email for d in deliveries if d.took_part} == participants
    assert all(d.status == DeliveryStatus.SENT and d.sent_at and d.pdf_sha256 == report.pdf_sha256 for d in deliveries)
    assert report.first_sent_at is not None


def test_nothing_is_mailed_or_queued(seeded):
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 0


@pytest.mark.parametrize(("username", "password", "_first", "_last", "_group", "_staff"), DEMO_ACCOUNTS)
def test_every_demo_account_logs_in_and_sees_a_next_step(
    client, seeded, username, password, _first, _last, _group, _staff
):
    response = client.post(reverse("login"), {"username": username, "password": password}, follow=True)
    assert response.redirect_chain == [(reverse("dashboard"), 302)]
    content = response.content.decode()
    links = re.findall(r'<a class="[^"]*next-step-link[^"]*" href="([^"]+)">([^<]+)</a>', content)
    assert links, username
    for href, _label in links:
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href


def test_the_steps_each_role_sees_first(client, seeded):
    planned = seeded.sessions.get(title=PLANNED_TITLE)
    finished = seeded.sessions.get(title=FINISHED_TITLE)
    expected = {
        "gespreksleider": (reverse("sessions:run", args=[planned.pk]), "Run the session"),
        "secretaris": (reverse("sessions:notes", args=[planned.pk]), "Take the notes"),
        "beheerder": (reverse("sessions:run", args=[planned.pk]), "Run the session"),
        "onderzoeker": (f"{reverse('sessions:create')}?project={seeded.pk}", "Plan a session"),
    }
    for username, (href, label) in expected.items():
        client.force_login(get_user_model().objects.get(username=username))
        content = client.get(reverse("dashboard")).content.decode()
        assert f'href="{href.replace("&", "&amp;")}">{label}</a>' in content, username
        # The finished session is done for everyone: its report was sent.
        assert f'href="{reverse("sessions:report", args=[finished.pk])}">Report sent</a>' in content, username


def test_it_refuses_with_debug_off(library, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-production-demo") as refused:
        call_command("seed_demo")
    assert refused.value.returncode == 1
    assert not get_user_model().objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).exists()
    assert not ResearchProject.objects.exists()


def test_it_seeds_a_throw_away_demo_server_only_when_asked(library, settings):
    settings.DEBUG = False
    call_command("seed_demo", "--allow-production-demo", stdout=io.StringIO())
    assert ResearchProject.objects.filter(title=DEMO_PROJECT_TITLE).count() == 1
    assert get_user_model().objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).count() == 4
