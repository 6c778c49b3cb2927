"""The live timeline: transitions through the run view's POSTs and time with a controlled clock."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessies import timeline
from sessies.models import Session, SessionState, TimeAdjustment
from tests.conftest import HTMX

pytestmark = pytest.mark.usefixtures("english")


def blocks_of(session):
    return list(session.blocks.order_by("order"))


def move(client, session, action, version=None, **extra):
    version = Session.objects.get(pk=session.pk).version if version is None else version
    return client.post(reverse("sessions:transition", args=[session.pk, action]), {"version": version}, **extra)


def fresh(session):
    return Session.objects.get(pk=session.pk)


# Transitions through the run view


def test_it_starts_the_session(client, session, facilitator):
    client.force_login(facilitator)

    response = move(client, session, "start", 1)

    assert response.status_code == 302
    assert response["Location"] == reverse("sessions:run", args=[session.pk])
    session = fresh(session)
    first = blocks_of(session)[0]
    assert session.state == SessionState.RUNNING
    assert session.current_block == first
    assert session.started_at is not None and session.block_started_at == session.started_at
    assert session.planned_end_at == session.started_at + timedelta(minutes=150)
    assert session.version == 2
    assert first.first_started_at == session.started_at


def test_it_answers_htmx_with_the_live_partials(client, session, facilitator):
    client.force_login(facilitator)

    response = move(client, session, "start", 1, headers=HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="poller"' in content and 'data-version="2"' in content
    assert 'hx-swap-oob="true"' in content
    assert blocks_of(session)[0].title in content
    assert fresh(session).state == SessionState.RUNNING


def test_it_pauses_and_resumes(client, running, facilitator):
    client.force_login(facilitator)

    response = move(client, running, "pauzeer")

    assert response.status_code == 302
    session = fresh(running)
    assert session.state == SessionState.PAUSED
    assert session.block_started_at is None
    assert session.version == 3

    response = move(client, running, "hervat")

    assert response.status_code == 302
    session = fresh(running)
    assert session.state == SessionState.RUNNING
    assert session.block_started_at is not None
    assert session.version == 4


def test_it_goes_to_the_next_block(client, running, facilitator):
    client.force_login(facilitator)

    response = move(client, running, "volgende")

    assert response.status_code == 302
    first, second = blocks_of(running)[:2]
    session = fresh(running)
    assert session.current_block == second
    assert second.first_started_at is not None
    assert first.last_left_at is not None
    assert session.version == 3


def test_it_goes_back_to_the_previous_block(client, running, facilitator):
    timeline.advance_to_next_block(running.pk, 2)
    client.force_login(facilitator)

    response = move(client, running, "vorige")

    assert response.status_code == 302
    assert fresh(running).current_block == blocks_of(running)[0]


def test_it_extends_the_current_block_by_five_minutes(client, running, facilitator):
    client.force_login(facilitator)

    response = move(client, running, "verleng")

    assert response.status_code == 302
    first = blocks_of(running)[0]
    assert (first.minutes, first.original_minutes) == (15, 10)
    adjustment = TimeAdjustment.objects.get(session=running)
    assert adjustment.created_by == facilitator
    assert first.title in adjustment.description and "5" in adjustment.description
    assert fresh(running).version == 3


def test_it_finishes_the_session(client, running, facilitator):
    client.force_login(facilitator)

    response = move(client, running, "afronden")

    assert response.status_code == 302
    session = fresh(running)
    assert session.state == SessionState.FINISHED
    assert session.finished_at is not None
    assert session.block_started_at is None
    assert blocks_of(session)[0].last_left_at == session.finished_at


def test_it_lets_an_admin_drive_the_timeline(client, session, admin_user):
    client.force_login(admin_user)

    response = move(client, session, "start")

    assert response.status_code == 302
    assert fresh(session).state == SessionState.RUNNING


# Refusals


def test_it_refuses_to_start_twice(client, running, facilitator):
    client.force_login(facilitator)

    response = move(client, running, "start", headers=HTMX)

    assert response.status_code == 409
    assert "The session is already running." in response.content.decode()
    session = fresh(running)
    assert session.version == 2
    assert session.current_block == blocks_of(running)[0]


def test_it_refuses_to_finish_before_the_start(client, session, facilitator):
    client.force_login(facilitator)

    response = move(client, session, "afronden", headers=HTMX)

    assert response.status_code == 409
    assert "The session has not started yet." in response.content.decode()
    assert fresh(session).state == SessionState.PLANNED
    assert fresh(session).version == 1


@pytest.mark.parametrize("action", ["verleng", "volgende", "vorige", "pauzeer", "hervat"])
def test_it_refuses_live_moves_before_the_start(client, session, facilitator, action):
    client.force_login(facilitator)

    response = move(client, session, action, headers=HTMX)

    assert response.status_code == 409
    assert "The session has not started yet." in response.content.decode()
    assert fresh(session).version == 1
    assert not TimeAdjustment.objects.exists()


@pytest.mark.parametrize("action", ["start", "verleng", "volgende", "afronden"])
def test_it_refuses_moves_after_the_finish(client, running, facilitator, action):
    finished = timeline.finish(running.pk, running.timeline_version)
    client.force_login(facilitator)

    response = move(client, running, action, headers=HTMX)

    assert response.status_code == 409
    assert "The session has already finished." in response.content.decode()
    assert fresh(running).version == finished.version


def test_it_refuses_next_at_the_last_block(client, running, facilitator):
    for version in (2, 3, 4):
        timeline.advance_to_next_block(running.pk, version)
    client.force_login(facilitator)

    response = move(client, running, "volgende", headers=HTMX)

    assert response.status_code == 409
    assert "This is the last block" in response.content.decode()
    session = fresh(running)
    assert session.current_block == blocks_of(running)[-1]
    assert session.version == 5


def test_it_skips_skipped_blocks_when_going_next(client, session, facilitator):
    session.blocks.filter(order=2).update(skipped=True)
    running = timeline.start(session.pk, session.timeline_version)
    client.force_login(facilitator)

    response = move(client, running, "volgende")

    assert response.status_code == 302
    assert fresh(running).current_block.order == 3


def test_it_refuses_previous_at_the_first_block(client, running, facilitator):
    client.force_login(facilitator)

    response = move(client, running, "vorige", headers=HTMX)

    assert response.status_code == 409
    assert "This is the first block." in response.content.decode()
    assert fresh(running).current_block == blocks_of(running)[0]
    assert fresh(running).version == 2


def test_it_refuses_to_pause_when_paused(client, running, facilitator):
    timeline.pause(running.pk, 2)
    client.force_login(facilitator)

    response = move(client, running, "pauzeer", headers=HTMX)

    assert response.status_code == 409
    assert "The session is paused." in response.content.decode()
    assert fresh(running).version == 3


def test_it_refuses_to_resume_when_running(client, running, facilitator):
    client.force_login(facilitator)

    response = move(client, running, "hervat", headers=HTMX)

    assert response.status_code == 409
    assert "The session is already running." in response.content.decode()
    assert fresh(running).version == 2


def test_it_answers_a_stale_version_with_409_and_a_message(client, running, facilitator):
    client.force_login(facilitator)

    response = move(client, running, "volgende", version=1, headers=HTMX)

    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone else changed the session first" in content
    assert 'data-version="2"' in content  # the client picks up the current state
    assert fresh(running).current_block == blocks_of(running)[0]


def test_it_never_moves_twice_on_a_double_click(client, running, facilitator):
    client.force_login(facilitator)

    first = move(client, running, "volgende", version=2, headers=HTMX)
    second = move(client, running, "volgende", version=2, headers=HTMX)

    assert (first.status_code, second.status_code) == (200, 409)
    session = fresh(running)
    assert session.current_block == blocks_of(running)[1]
    assert session.version == 3


def test_it_redirects_a_refused_plain_post_to_the_run_view_with_the_message(client, running, facilitator):
    client.force_login(facilitator)

    response = move(client, running, "volgende", version=1, follow=True)

    assert response.redirect_chain == [(reverse("sessions:run", args=[running.pk]), 302)]
    assert "Someone else changed the session first" in response.content.decode()
    assert fresh(running).current_block == blocks_of(running)[0]


def test_it_answers_an_unknown_action_with_422_and_a_message_the_page_shows(client, running, facilitator):
    client.force_login(facilitator)

    response = move(client, running, "terugspoelen", headers=HTMX)

    # 422 (not 404), so htmx swaps the live partial in and the message shows.
    assert response.status_code == 422
    assert "That step is not available. Reload the page and try again." in response.content.decode()
    assert fresh(running).version == 2


def test_it_redirects_an_unknown_plain_action_to_the_run_view_with_the_message(client, running, facilitator):
    client.force_login(facilitator)

    response = move(client, running, "terugspoelen", follow=True)

    assert response.redirect_chain == [(reverse("sessions:run", args=[running.pk]), 302)]
    assert "That step is not available. Reload the page and try again." in response.content.decode()
    assert fresh(running).version == 2


def test_it_rejects_get(client, session, facilitator):
    client.force_login(facilitator)

    response = client.get(reverse("sessions:transition", args=[session.pk, "start"]))

    assert response.status_code == 405
    assert fresh(session).state == SessionState.PLANNED


@pytest.mark.parametrize("user", ["secretary", "researcher"])
def test_it_lets_only_the_facilitator_drive_the_timeline(client, session, request, user):
    client.force_login(request.getfixturevalue(user))

    response = move(client, session, "start")

    assert response.status_code == 403
    assert fresh(session).state == SessionState.PLANNED


def test_it_keeps_the_outsider_out(client, session, outsider):
    client.force_login(outsider)

    response = move(client, session, "start")

    assert response.status_code == 404
    assert fresh(session).state == SessionState.PLANNED


# Time, with a controlled clock


T0 = timezone.now().replace(microsecond=0) - timedelta(hours=3)


def minutes(n):
    return T0 + timedelta(minutes=n)


def test_it_counts_only_the_running_time_of_a_block(session):
    s = timeline.start(session.pk, session.timeline_version, at=minutes(0))
    s = timeline.pause(s.pk, s.timeline_version, at=minutes(5))
    s = timeline.resume(s.pk, s.timeline_version, at=minutes(15))
    s = timeline.advance_to_next_block(s.pk, s.timeline_version, at=minutes(20))

    first, second = blocks_of(s)[:2]
    assert first.spent_seconds == 10 * 60
    assert first.first_started_at == minutes(0)
    assert first.last_left_at == minutes(20)
    assert s.current_block == second
    assert s.block_started_at == minutes(20)
    state = timeline.live_state(s, at=minutes(23))
    assert state.elapsed == 3 * 60
    assert state.remaining == 57 * 60
    assert state.rows[0].actual_seconds == 10 * 60


def test_it_adds_to_the_time_already_spent_when_going_back(session):
    s = timeline.start(session.pk, session.timeline_version, at=minutes(0))
    s = timeline.advance_to_next_block(s.pk, s.timeline_version, at=minutes(10))
    s = timeline.go_back_to_previous_block(s.pk, s.timeline_version, at=minutes(15))
    s = timeline.advance_to_next_block(s.pk, s.timeline_version, at=minutes(17))

    first, second = blocks_of(s)[:2]
    assert first.spent_seconds == 12 * 60
    assert first.first_started_at == minutes(0)
    assert second.spent_seconds == 5 * 60
    assert second.first_started_at == minutes(10)
    assert timeline.live_state(s, at=minutes(20)).elapsed == 8 * 60


def test_it_keeps_the_clock_still_while_paused(session):
    s = timeline.start(session.pk, session.timeline_version, at=minutes(0))
    s = timeline.pause(s.pk, s.timeline_version, at=minutes(4))

    assert timeline.live_state(s, at=minutes(4)).remaining == 6 * 60
    assert timeline.live_state(s, at=minutes(40)).remaining == 6 * 60


def test_it_shows_the_same_time_to_every_reader(session):
    s = timeline.start(session.pk, session.timeline_version, at=minutes(0))

    reloaded = Session.objects.get(pk=s.pk)

    assert timeline.live_state(reloaded, at=minutes(7)).remaining == 3 * 60


def test_it_goes_negative_and_moves_the_projected_end_on_an_overrun(session):
    s = timeline.start(session.pk, session.timeline_version, at=minutes(0))
    on_time = timeline.live_state(s, at=minutes(5))

    state = timeline.live_state(s, at=minutes(15))

    assert s.planned_end_at == minutes(150)
    assert on_time.projected_end == minutes(150)
    assert on_time.delay_minutes == 0
    assert state.remaining == -5 * 60
    assert state.projected_end == minutes(155)
    assert state.planned_end == minutes(150)
    assert state.delay_minutes == 5


def test_it_records_an_extension(session, facilitator):
    s = timeline.start(session.pk, session.timeline_version, at=minutes(0))

    s = timeline.extend_current_block(s.pk, s.timeline_version, by=facilitator, at=minutes(8))

    assert blocks_of(s)[0].minutes == 15
    adjustment = TimeAdjustment.objects.get(session=s)
    assert (adjustment.created_at, adjustment.created_by) == (minutes(8), facilitator)
    state = timeline.live_state(s, at=minutes(8))
    assert state.remaining == 7 * 60
    assert state.projected_end == minutes(155)


def test_it_projects_the_end_of_a_planned_session_from_its_start(session):
    state = timeline.live_state(session, at=minutes(0))

    assert state.planned_end == session.starts_at + timedelta(minutes=150)
    assert [row.planned_start for row in state.rows] == [
        session.starts_at + timedelta(minutes=m) for m in (0, 10, 70, 130)
    ]


# Catching up


@pytest.fixture
def behind(session):
    """Blocks of 10, 60, 30 and 20 (protected) minutes; block 1 has run 12 minutes over."""
    session.blocks.filter(order=3).update(minutes=30, min_minutes=10)
    s = timeline.start(session.pk, session.timeline_version, at=minutes(0))
    return s


def test_it_proposes_nothing_when_on_time(behind):
    assert timeline.catch_up_proposals(timeline.live_state(behind, at=minutes(9))) == []


def test_it_proposes_shortening_later_blocks_in_proportion(behind):
    state = timeline.live_state(behind, at=minutes(22))

    proposals = timeline.catch_up_proposals(state)

    assert state.delay_minutes == 12
    assert [p.kind for p in proposals] == ["shorten"]
    shorten = proposals[0]
    assert [(block.order, new) for block, new in shorten.changes] == [(2, 52), (3, 26)]
    assert shorten.saved_minutes == 12
    assert shorten.ends_on_time


def test_it_never_shortens_below_the_minimum(behind):
    proposal = timeline.catch_up_proposals(timeline.live_state(behind, at=minutes(70)))[0]

    assert proposal.delay_minutes == 60
    assert [(block.order, new) for block, new in proposal.changes] == [(2, 40), (3, 10)]
    assert proposal.saved_minutes == 40
    assert not proposal.ends_on_time


def test_it_accepts_a_catch_up_and_still_ends_on_the_planned_end(behind, facilitator):
    s = timeline.accept_catch_up(behind.pk, behind.timeline_version, "shorten", by=facilitator, at=minutes(22))

    assert [b.minutes for b in blocks_of(s)] == [10, 52, 26, 20]
    closing = blocks_of(s)[-1]
    assert closing.is_protected and closing.minutes == closing.original_minutes == 20
    adjustment = TimeAdjustment.objects.get(session=s)
    assert adjustment.created_by == facilitator
    assert "12" in adjustment.description
    state = timeline.live_state(s, at=minutes(22))
    assert state.projected_end == state.planned_end == minutes(120)
    assert timeline.catch_up_proposals(state) == []
    assert s.version == behind.version + 1


def test_it_proposes_skipping_an_optional_block(behind):
    behind.blocks.filter(order=3).update(is_optional=True)

    proposals = timeline.catch_up_proposals(timeline.live_state(behind, at=minutes(22)))

    skip = next(p for p in proposals if p.kind == "skip")
    assert [(block.order, new) for block, new in skip.changes] == [(3, 0)]
    assert skip.saved_minutes == 30 and skip.ends_on_time


def test_it_skips_the_optional_block_when_accepted(behind, facilitator):
    behind.blocks.filter(order=3).update(is_optional=True)

    s = timeline.accept_catch_up(behind.pk, behind.timeline_version, "skip", by=facilitator, at=minutes(22))

    assert [b.skipped for b in blocks_of(s)] == [False, False, True, False]
    assert TimeAdjustment.objects.filter(session=s).count() == 1
    state = timeline.live_state(s, at=minutes(22))
    assert state.projected_end < state.planned_end


def test_it_refuses_a_catch_up_when_there_is_no_delay(behind):
    with pytest.raises(timeline.TransitionRefused):
        timeline.accept_catch_up(behind.pk, behind.timeline_version, "shorten", at=minutes(5))

    assert not TimeAdjustment.objects.exists()


def test_it_accepts_a_catch_up_from_the_run_view(client, session, facilitator):
    timeline.start(session.pk, session.timeline_version, at=timezone.now() - timedelta(minutes=25))
    client.force_login(facilitator)

    response = client.post(reverse("sessions:catch_up", args=[session.pk]), {"version": 2, "kind": "shorten"})

    assert response.status_code == 302
    assert TimeAdjustment.objects.filter(session=session, created_by=facilitator).count() == 1
    assert [b.minutes for b in blocks_of(session)] == [10, 52, 53, 20]
    assert fresh(session).version == 3


@pytest.mark.django_db
def test_it_accepts_a_move_after_a_note_changed_the_session(client, session, facilitator, secretary):
    """A secretary's note bumps the poll version, not the timeline: "next" still works."""
    from sessies import harvest

    session = timeline.start(session.pk, session.timeline_version)
    seen = session.timeline_version
    harvest.add_note(
        session, block_id=session.current_block_id, text="Een opbrengst", tag="opbrengst", author=secretary
    )
    client.force_login(facilitator)
    response = client.post(
        reverse("sessions:transition", args=[session.pk, "volgende"]), {"version": seen}, headers=HTMX
    )
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.current_block.order == 2
