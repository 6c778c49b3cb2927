"""Pushed changes: what a change announces, the hub that hands it out, and the stream a screen holds.

The streams run under an ASGI request here (Django's AsyncClient), as under uvicorn; the
browser tests (tests/e2e/test_push.py) check the same between real browsers.
"""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction
from django.test import AsyncClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessies import harvest, push, timeline
from sessies.hub import RESYNC, Hub, hub
from sessies.models import Session
from sessies.screens import Screen, render_push
from sessies.views import stream as stream_view

# Announcing


@pytest.fixture
def announced(monkeypatch):
    """The events this process's hub was handed, in order (the local backend: SQLite, one process)."""
    events = []
    monkeypatch.setattr(hub, "publish_threadsafe", events.append)
    monkeypatch.setattr("django.conf.settings.LIVE_PUSH_BACKEND", "local")
    return events


def test_a_note_is_announced_with_its_version_when_it_commits(
    running, secretary, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note = harvest.add_note(
            running, block_id=running.current_block_id, text="Vroeg", tag="opbrengst", author=secretary
        )
        assert announced == [], "announced before the commit"

    version = Session.objects.get(pk=running.pk).version
    assert announced == [push.Event(running.pk, version, f"n{note.pk}")]


def test_a_rolled_back_change_announces_nothing(running, secretary, announced, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            harvest.add_note(running, block_id=running.current_block_id, text="Weg", tag="opbrengst", author=secretary)
            raise RuntimeError("the request failed after the note")

    assert announced == []


def test_each_change_says_what_changed(running, secretary, announced, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = harvest.add_note(
            running, block_id=running.current_block_id, text="Een", tag="opbrengst", author=secretary
        )
        harvest.set_key_harvest(note, True)
        harvest.add_agreement(running, who="Gijs", what="Terugkoppelen")
        timeline.extend_current_block(running.pk, running.timeline_version, by=None)
        session = timeline.next_step(running.pk, running.timeline_version + 1)
        timeline.advance_to_next_block(running.pk, session.timeline_version)
        running.bump_version()

    # An extension moves the clock only ("m"), a step its block's step ("s"), a block move the block ("t").
    assert [event.change for event in announced] == [f"n{note.pk}", f"k{note.pk}", "a", "m", "s", "t", "f"]
    versions = [event.version for event in announced]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


@pytest.mark.parametrize(
    "payload", ["", "1:2", "x:1:f", "1:x:f", "1:2:z", "1:2:n", "1:2:nx", "1:2:<script>", "1:2:f:extra"]
)
def test_a_stray_payload_on_the_channel_is_ignored(payload):
    assert push.Event.parse(payload) is None


def test_a_payload_round_trips():
    event = push.Event(12, 345, "k678")
    assert push.Event.parse(event.payload) == event
    assert (event.note_pk, event.touches_key_harvest) == (678, True)


# The hub


def run(coroutine):
    """Run `coroutine` in an event loop of its own thread (the browser tests keep one running in this one)."""
    outcome = {}

    def target():
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # noqa: BLE001 - raised again in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.fixture
def local_push(settings):
    settings.LIVE_PUSH_BACKEND = "local"


def test_the_hub_hands_an_event_to_that_sessions_streams_only(local_push):
    async def scenario():
        local = Hub()
        mine = await local.subscribe(1)
        other = await local.subscribe(2)
        local.publish(push.Event(1, 5, "t"))
        return await mine.get(timeout=0.1), mine.pending(), await other.get(timeout=0.01)

    got, rest, other = run(scenario())
    assert got == push.Event(1, 5, "t")
    assert rest == [] and other is None


def test_a_session_under_a_reused_pk_is_not_mistaken_for_the_deleted_one(local_push):
    async def scenario():
        local = Hub()
        for version in (5, 6, 7):
            local.publish(push.Event(1, version, "t"))  # a session that was deleted afterwards
        subscription = await local.subscribe(1)
        local.publish(push.Event(1, 2, "t"))  # a new session got pk 1 (SQLite reuses it)
        return await subscription.get(timeout=0.1), local.since(1, 1, 2)

    event, missed = run(scenario())
    assert event == push.Event(1, 2, "t")
    assert missed == [push.Event(1, 2, "t")]


def test_the_hub_replays_what_a_reconnecting_screen_missed_only_when_it_has_all_of_it():
    local = Hub()
    for version in (3, 4, 5):
        local.publish(push.Event(1, version, "n9"))

    assert [event.version for event in local.since(1, 3, 5)] == [4, 5]
    assert local.since(1, 5, 5) == []
    assert local.since(1, 1, 5) is None  # version 2 and 3 went by before the hub saw them
    assert local.since(2, 1, 2) is None


def test_a_stream_that_falls_too_far_behind_gets_the_whole_state(monkeypatch, local_push):
    monkeypatch.setattr("sessies.hub.QUEUE_SIZE", 3)

    async def scenario():
        local = Hub()
        subscription = await local.subscribe(1)
        for version in range(1, 10):
            local.publish(push.Event(1, version, "n1"))
        return subscription.pending()

    assert RESYNC in run(scenario())


# The stream


@pytest.fixture
def fast_heartbeat(settings):
    settings.LIVE_STREAM_HEARTBEAT_SECONDS = 0.05
    settings.LIVE_PUSH_BACKEND = "local"


async def read_until(chunks, predicate, timeout=5):
    """Read the stream until `predicate(text so far)` holds; the text read."""
    text = ""

    async def read():
        nonlocal text
        async for chunk in chunks:
            text += chunk.decode() if isinstance(chunk, bytes) else chunk
            if predicate(text):
                return

    await asyncio.wait_for(read(), timeout)
    return text


async def open_stream(user, session, view, **params):
    client = AsyncClient()
    await client.aforce_login(user)
    headers = {"Last-Event-ID": str(params.pop("last_event_id"))} if "last_event_id" in params else {}
    response = await client.get(
        reverse("sessions:stream", args=[session.pk]), {"view": view, **params}, headers=headers
    )
    return response


@pytest.mark.django_db(transaction=True)
def test_a_screen_up_to_date_gets_ready_then_only_the_new_note(running, secretary, fast_heartbeat):
    session = Session.objects.get(pk=running.pk)

    async def scenario():
        response = await open_stream(secretary, session, "notes", v=session.version)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream"
        assert response["X-Accel-Buffering"] == "no"
        chunks = aiter(response.streaming_content)
        opening = await read_until(chunks, lambda text: "event: ping" in text)
        note = await sync_to_async(harvest.add_note)(
            session,
            block_id=session.current_block_id,
            text="Huisartsen & <b>wijkteams</b>",
            tag="opbrengst",
            author=secretary,
        )
        change = await read_until(chunks, lambda text: "\n\n" in text and "id:" in text)
        await response.streaming_content.aclose()
        return opening, change, note

    opening, change, note = run(scenario())
    assert "event: ready" in opening and "id:" not in opening, "an up-to-date screen got the state again"
    assert f"id: {session.version + 1}\n" in change
    assert f'id="note-{note.pk}"' in change and "Huisartsen &amp; &lt;b&gt;wijkteams&lt;/b&gt;" in change
    assert 'id="harvest"' not in change, "the whole harvest was sent for one note"


@pytest.mark.django_db(transaction=True)
def test_a_screen_behind_gets_the_whole_state_on_connect(running, facilitator, fast_heartbeat):
    session = Session.objects.get(pk=running.pk)

    async def scenario():
        response = await open_stream(facilitator, session, "run", v=1)
        text = await read_until(
            aiter(response.streaming_content), lambda text: "id: " in text and text.endswith("\n\n")
        )
        await response.streaming_content.aclose()
        return text

    text = run(scenario())
    assert f"id: {session.version}\n" in text
    assert 'id="run-panel" hx-swap-oob="true"' in text and f'data-version="{session.version}"' in text


@pytest.mark.django_db(transaction=True)
def test_a_reconnect_gets_only_the_changes_it_missed(running, secretary, fast_heartbeat):
    session = Session.objects.get(pk=running.pk)

    async def scenario():
        # A first stream, so this process's hub sees the changes while the second screen is away.
        first = await open_stream(secretary, session, "run", v=session.version)
        await read_until(aiter(first.streaming_content), lambda text: "event: ready" in text)
        for text in ("Een", "Twee"):
            await sync_to_async(harvest.add_note)(
                session, block_id=session.current_block_id, text=text, tag="opbrengst", author=secretary
            )
        await asyncio.sleep(0.05)
        again = await open_stream(secretary, session, "notes", last_event_id=session.version)
        text = await read_until(
            aiter(again.streaming_content), lambda text: text.count("id: ") == 2 and text.endswith("\n\n")
        )
        await again.streaming_content.aclose()
        await first.streaming_content.aclose()
        return text

    text = run(scenario())
    assert f"id: {session.version + 1}\n" in text and f"id: {session.version + 2}\n" in text
    assert "Een" in text and "Twee" in text
    assert 'id="harvest" ' not in text, "the whole state was sent on a short reconnect"


@pytest.mark.django_db(transaction=True)
def test_an_idle_stream_asks_the_database_nothing(running, facilitator, fast_heartbeat, monkeypatch):
    session = Session.objects.get(pk=running.pk)
    renders = []
    original = stream_view.LiveStream._render_once
    monkeypatch.setattr(
        stream_view.LiveStream, "_render_once", lambda self, *args: renders.append(args) or original(self, *args)
    )

    async def scenario():
        response = await open_stream(facilitator, session, "projector", v=session.version)
        text = await read_until(aiter(response.streaming_content), lambda text: text.count("event: ping") >= 5)
        await response.streaming_content.aclose()
        return text

    run(scenario())
    assert len(renders) == 1, "only the version check on connect"


def test_a_wsgi_server_answers_204_so_the_page_polls(client, running, facilitator):
    client.force_login(facilitator)

    response = client.get(reverse("sessions:stream", args=[running.pk]), {"view": "run"})

    assert response.status_code == 204


def test_the_stream_is_refused_to_whoever_may_not_see_the_session(client, running, outsider):
    client.force_login(outsider)

    assert client.get(reverse("sessions:stream", args=[running.pk])).status_code == 404


# What a change costs


@pytest.mark.parametrize("screen", list(Screen))
def test_a_note_change_costs_the_same_at_10_and_at_300_notes(
    rf, running, secretary, add_notes, screen, django_assert_num_queries
):
    request = rf.get("/")
    request.user = secretary
    request.session = {}
    add_notes(running, 10)
    note = harvest.add_note(running, block_id=running.current_block_id, text="Nieuw", tag="opbrengst", author=secretary)
    event = push.Event(running.pk, Session.objects.get(pk=running.pk).version, f"n{note.pk}")
    render_push(running.pk, screen, event, request=request)  # the user's permissions, cached from now on
    with CaptureQueriesContext(connection) as few:
        few_html, _, _ = render_push(running.pk, screen, event, request=request)
    add_notes(running, 300, start=10)

    with django_assert_num_queries(len(few)):
        many_html, _, _ = render_push(running.pk, screen, event, request=request)
    assert abs(len(many_html) - len(few_html)) < 2_000
    assert len(many_html) < 10 * 1024


# Several processes (PostgreSQL)


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_elsewhere_reaches_this_process_through_listen_notify(running, secretary):
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite runs one process")
    session = Session.objects.get(pk=running.pk)

    async def scenario():
        local = Hub()
        subscription = await local.subscribe(session.pk)
        note_pks = []

        def elsewhere():
            # Another thread, another connection: as another app process would commit it.
            note_pks.append(
                harvest.add_note(
                    session, block_id=session.current_block_id, text="Van elders", tag="opbrengst", author=secretary
                ).pk
            )
            connection.close()

        thread = threading.Thread(target=elsewhere)
        thread.start()
        event = await subscription.get(timeout=5)
        thread.join()
        local.listener.cancel()
        return event, note_pks

    event, note_pks = run(scenario())
    assert event == push.Event(session.pk, session.version + 1, f"n{note_pks[0]}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("last_event_id", ["abc", "-5", "99999999999999999999999", "1e9", "<script>", "5000"])
def test_a_forged_last_event_id_gets_the_whole_state(running, facilitator, fast_heartbeat, last_event_id):
    session = Session.objects.get(pk=running.pk)

    async def scenario():
        response = await open_stream(facilitator, session, "projector", last_event_id=last_event_id)
        text = await read_until(
            aiter(response.streaming_content), lambda text: "id: " in text and text.endswith("\n\n")
        )
        await response.streaming_content.aclose()
        return text

    text = run(scenario())
    assert f"id: {session.version}\n" in text and 'id="projector" hx-swap-oob="true"' in text
    assert "<script>" not in text


def test_the_run_views_latest_notes_keep_their_order_and_length(running, secretary, add_notes):
    from sessies.screens import RECENT_NOTES_IN_RUN_VIEW, run_note_context

    add_notes(running, RECENT_NOTES_IN_RUN_VIEW + 3)
    notes = list(running.notes.order_by("created_at", "pk"))
    newest, oldest = notes[-1], notes[0]

    # An edited old note beyond the list's length does not enter it.
    old = run_note_context(running, oldest.pk, key_changed=False, can_write=True)
    assert old["in_recent"] is False
    # A note in the list goes right before the note just older than it.
    latest = run_note_context(running, newest.pk, key_changed=False, can_write=True)
    assert latest["in_recent"] is True and latest["older_pk"] == notes[-2].pk
    # When one leaves the list, the next older one moves up into its last place.
    harvest.delete_note(newest)
    gone = run_note_context(running, newest.pk, key_changed=True, can_write=True)
    assert gone["fill_note"] == notes[-1 - RECENT_NOTES_IN_RUN_VIEW]
    assert gone["key_count"] == running.notes.filter(deleted_at=None, is_key=True).count()
    assert "key_notes" not in gone  # the large key harvest shows in the closing block only
