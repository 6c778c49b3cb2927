"""The current step: the facilitator steps through a block; the room's screen and the secretary's question follow."""

import pytest
from django.urls import reverse

from sessies import push, timeline
from sessies.models import Session
from sessies.screens import Screen, render_push, room_screen
from tests.conftest import HTMX

pytestmark = pytest.mark.usefixtures("english")


def fresh(session):
    return Session.objects.get(pk=session.pk)


def move(client, session, action, *, version=None, **data):
    version = fresh(session).timeline_version if version is None else version
    url = reverse("sessions:transition", args=[session.pk, action])
    return client.post(url, {"version": version, **data}, headers=HTMX)


@pytest.fixture
def in_round(running):
    """Round 1 of Gesprekstafel 1: an instruction, the WAAROM question, the subgroups' group, the plenary."""
    return timeline.advance_to_next_block(running.pk, running.timeline_version)


def steps_of(session):
    return list(fresh(session).current_block.outline.steps)


# Moving through the steps


def test_a_block_starts_at_its_first_step(running):
    assert fresh(running).current_step == fresh(running).blocks.get(order=1).outline.steps[0]
    in_round = timeline.advance_to_next_block(running.pk, running.timeline_version)
    assert fresh(in_round).current_step == steps_of(in_round)[0]


def test_the_facilitator_steps_down_and_up_and_to_a_step(client, facilitator, in_round):
    client.force_login(facilitator)
    steps = steps_of(in_round)

    assert move(client, in_round, "stap-volgende").status_code == 200
    assert fresh(in_round).current_step == steps[1]
    assert move(client, in_round, "stap", step=steps[3].pk).status_code == 200
    assert fresh(in_round).current_step == steps[3]
    assert move(client, in_round, "stap-vorige").status_code == 200
    assert fresh(in_round).current_step == steps[2]


def test_past_the_ends_of_the_block_is_refused_with_a_message(client, facilitator, in_round):
    client.force_login(facilitator)
    steps = steps_of(in_round)

    response = move(client, in_round, "stap-vorige")
    assert response.status_code == 409
    assert "This is the block&#x27;s first step." in response.content.decode()
    move(client, in_round, "stap", step=steps[-1].pk)
    response = move(client, in_round, "stap-volgende")
    assert response.status_code == 409
    assert "→ goes to the next block" in response.content.decode()
    assert fresh(in_round).current_step == steps[-1]


def test_a_step_of_another_block_or_a_sub_point_is_refused(client, facilitator, in_round):
    client.force_login(facilitator)
    later = fresh(in_round).blocks.get(order=3).outline.steps[0]
    group = next(step for step in steps_of(in_round) if step.is_group)

    for step in (later.pk, group.subpoints[0].pk, "x", ""):
        response = move(client, in_round, "stap", step=step)
        assert response.status_code == 409, step
    assert fresh(in_round).current_step == steps_of(in_round)[0]


def test_a_stale_step_move_answers_409_and_moves_nothing(client, facilitator, in_round):
    client.force_login(facilitator)
    old = fresh(in_round).timeline_version
    timeline.next_step(in_round.pk, old)

    response = move(client, in_round, "stap-volgende", version=old)

    assert response.status_code == 409
    assert "Someone else changed the session first" in response.content.decode()
    assert fresh(in_round).current_step == steps_of(in_round)[1]


def test_only_the_facilitator_moves_the_step_or_the_screen(client, secretary, researcher, in_round):
    for user in (secretary, researcher):
        client.force_login(user)
        for action in ("stap-volgende", "stap", "scherm-zwart", "resttijd"):
            assert move(client, in_round, action, step=steps_of(in_round)[1].pk).status_code == 403
    session = fresh(in_round)
    assert (session.current_step, session.screen_blank, session.screen_shows_time) == (
        steps_of(in_round)[0],
        False,
        False,
    )


def test_a_step_move_is_announced_as_a_step_change(in_round, django_capture_on_commit_callbacks):
    announced = []
    with django_capture_on_commit_callbacks(execute=False):
        original = push.announce
        try:
            push.announce = lambda event, using=None: announced.append(event)
            timeline.next_step(in_round.pk, fresh(in_round).timeline_version)
        finally:
            push.announce = original
    assert [event.change for event in announced] == [push.STEP]


# The room's screen


def test_the_room_shows_what_the_session_is_at(session):
    def room(s):
        s = fresh(s)
        blocks = list(s.blocks.prefetch_related("steps"))
        return room_screen(s, timeline.live_state(s, blocks))

    assert room(session)["room"] == "waiting"
    running = timeline.start(session.pk, session.timeline_version)
    assert room(running)["room"] == "opening"
    in_round = timeline.advance_to_next_block(running.pk, running.timeline_version)
    steps = steps_of(in_round)
    assert (room(in_round)["room"], room(in_round)["current_step"]) == ("step", steps[0])
    group = next(step for step in steps if step.is_group)
    timeline.go_to_step(in_round.pk, fresh(in_round).timeline_version, group.pk)
    shown = room(in_round)
    assert shown["current_step"] == group
    assert [sub.pk for sub in shown["current_step_subpoints"]] == [sub.pk for sub in group.subpoints]
    timeline.toggle_screen_blank(in_round.pk, fresh(in_round).timeline_version)
    assert room(in_round)["room"] == "blank"
    timeline.toggle_screen_blank(in_round.pk, fresh(in_round).timeline_version)
    s = timeline.advance_to_next_block(in_round.pk, fresh(in_round).timeline_version)
    s = timeline.advance_to_next_block(s.pk, s.timeline_version)
    assert room(s)["room"] == "harvest"
    timeline.finish(s.pk, s.timeline_version)
    assert room(s)["room"] == "finished"


def test_the_first_block_shows_the_title_and_the_rules(client, facilitator, running):
    client.force_login(facilitator)

    content = client.get(reverse("sessions:projector", args=[running.pk])).content.decode()

    assert 'data-room="opening"' in content
    assert f'<p class="room-title">{running.title}</p>' in content


def test_the_remaining_time_shows_only_when_chosen(client, facilitator, in_round):
    client.force_login(facilitator)
    url = reverse("sessions:projector", args=[in_round.pk])

    assert 'id="countdown"' not in client.get(url).content.decode()
    assert move(client, in_round, "resttijd").status_code == 200
    assert 'id="countdown"' in client.get(url).content.decode()


def test_a_pushed_step_reaches_the_projector_and_the_notes_screen(rf, facilitator, secretary, in_round):
    question = steps_of(in_round)[1]
    session = timeline.go_to_step(in_round.pk, fresh(in_round).timeline_version, question.pk)
    event = push.Event(session.pk, fresh(session).version, push.TIMELINE)

    request = rf.get("/")
    request.user = facilitator
    html, _version, _session = render_push(session.pk, Screen.PROJECTOR, event, request=request)
    assert f'data-step="{question.pk}"' in html
    assert question.text in html
    request.user = secretary
    html, _version, _session = render_push(session.pk, Screen.NOTES, event, request=request)
    assert f'data-current-question="{question.pk}"' in html


# The secretary's question


def test_the_notes_page_picks_the_current_question_and_the_block_for_other_steps(client, secretary, in_round):
    client.force_login(secretary)
    url = reverse("sessions:notes", args=[in_round.pk])
    question = steps_of(in_round)[1]

    content = client.get(url).content.decode()
    assert "data-current-question" not in content
    assert " selected>" not in content.split('id="note-question"')[1].split("</select>")[0]

    timeline.go_to_step(in_round.pk, fresh(in_round).timeline_version, question.pk)
    content = client.get(url).content.decode()
    assert f'data-current-question="{question.pk}"' in content
    picker = content.split('id="note-question"')[1].split("</select>")[0]
    assert f'value="{question.pk}" data-block="{question.block_id}" selected>' in picker
