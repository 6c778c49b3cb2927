"""The method's own texts where the facilitator needs them during a session (issue 14 §2, §4)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from draaiboeken.models import Script, TipAudience
from sessies import timeline
from tests.factories import SessionFactory

pytestmark = pytest.mark.usefixtures("english")


def participant_rules():
    script = Script.objects.get(slug="gesprekstafel-1-start")
    return [tip.text for tip in script.method.tips.filter(audience=TipAudience.PARTICIPANT)]


@pytest.mark.parametrize("screen", ["run", "projector"])
def test_the_participant_rules_are_shown_during_the_opening_block_only(client, running, facilitator, screen):
    rules = participant_rules()
    assert len(rules) == 4
    client.force_login(facilitator)
    url = reverse(f"sessions:{screen}", args=[running.pk])

    opening = client.get(url).content.decode()
    moved = timeline.advance_to_next_block(running.pk, running.timeline_version)
    second = client.get(url).content.decode()

    for rule in rules:
        assert rule in opening
        assert rule not in second
    assert moved.current_block.order == 2
    researcher_tip = Script.objects.get(slug="gesprekstafel-1-start").method.tips.get(audience=TipAudience.RESEARCHER)
    assert researcher_tip.text not in opening


def test_the_rules_are_not_shown_before_the_start(client, session, facilitator):
    client.force_login(facilitator)

    content = client.get(reverse("sessions:projector", args=[session.pk])).content.decode()

    assert all(rule not in content for rule in participant_rules())


def test_the_opening_block_links_the_method_page(client, running, facilitator):
    client.force_login(facilitator)

    content = client.get(reverse("sessions:run", args=[running.pk])).content.decode()

    method = Script.objects.get(slug="gesprekstafel-1-start").method
    assert f'href="{reverse("scripts:method", args=[method.slug])}"' in content
    assert "pagina 3 t/m 5" not in content


def test_the_run_view_keeps_the_steps_in_the_sources_order(client, running, facilitator):
    moved = timeline.advance_to_next_block(running.pk, running.timeline_version)
    client.force_login(facilitator)

    content = client.get(reverse("sessions:run", args=[moved.pk])).content.decode()

    waarom = content.index("De WAAROM-vraag")
    subgroups = content.index("Vervolgens gaan de deelnemers in subgroepjes uit elkaar")
    professionals = content.index("Op welke concrete vraag van professionals")
    plenary = content.index("Plenaire bespreking opbrengsten")
    assert waarom < subgroups < professionals < plenary


@pytest.fixture
def kick_off(library, project, facilitator, secretary):
    call_command("loaddata", "fixtures/werkvormen.json", "fixtures/waarderend.json", verbosity=0)
    script = Script.objects.get(shortening_advice__gt="")
    return SessionFactory(
        project=project, script=script, facilitator=facilitator, secretary=secretary, title="Kick-off"
    )


def test_a_kick_off_running_behind_shows_the_sources_advice_instead_of_shortening(client, kick_off, facilitator):
    assert all(block.min_minutes == block.minutes for block in kick_off.blocks.all())
    timeline.start(kick_off.pk, kick_off.timeline_version, at=timezone.now() - timedelta(minutes=40))
    client.force_login(facilitator)

    response = client.get(reverse("sessions:run", args=[kick_off.pk]))

    content = response.content.decode()
    assert [p.kind for p in response.context["proposals"] if p.kind == "shorten"] == []
    assert kick_off.shortening_advice
    assert f"“{kick_off.shortening_advice}”" in content.replace("&#x27;", "'")
    assert "The session runs" in content


def test_a_gesprekstafel_running_behind_says_the_minimum_is_the_apps_choice(client, session, facilitator):
    timeline.start(session.pk, session.timeline_version, at=timezone.now() - timedelta(minutes=25))
    client.force_login(facilitator)

    content = client.get(reverse("sessions:run", args=[session.pk])).content.decode()

    assert "How far a block may be shortened is the app's choice" in content


def test_suggested_times_are_marked_in_the_run_view(client, library, project, facilitator, secretary):
    call_command("loaddata", "fixtures/samenleergesprek.json", verbosity=0)
    script = Script.objects.get(times_are_suggestions=True)
    session = SessionFactory(project=project, script=script, facilitator=facilitator, secretary=secretary)
    running = timeline.start(session.pk, session.timeline_version)
    client.force_login(facilitator)

    content = client.get(reverse("sessions:run", args=[running.pk])).content.decode()

    assert "the app's suggestion; the source gives no times" in content


def test_the_report_never_presents_script_prompts_as_agreed(client, harvested, secretary):
    client.force_login(secretary)

    content = client.get(reverse("sessions:report", args=[harvested.pk])).content.decode()

    assert "Practical matters and follow-up" not in content
    assert "communicatie over het onderzoek tijdens het onderzoeksproces" not in content
