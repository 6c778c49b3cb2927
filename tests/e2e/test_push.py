"""Pushed changes between real browsers, served by uvicorn as `make run` and production serve them.

The poll interval is set to a minute here, so whatever arrives within a second came by the
stream; every request a page makes is recorded to check that no poll was needed.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import accept_dialogs

pytestmark = pytest.mark.e2e

# The goal is 0.5 s from commit to screen (bench/live_bench.py measures it); a browser
# test allows some slack for the browser's own work.
PUSH_TIMEOUT_MS = 1000


@pytest.fixture
def no_polling(settings):
    settings.LIVE_POLL_INTERVAL_MS = 60_000


def open_screen(login, user, url):
    context = login(user)
    page = accept_dialogs(context.new_page())
    page.requests = []
    page.on("request", lambda request: page.requests.append(request))
    page.goto(url)
    expect(page.locator("#poller")).to_have_attribute("data-version", re.compile(r"\d+"))
    return page


def wait_for_stream(page):
    """Until the page's stream said "ready"."""
    expect(page.locator("#live-config")).to_have_attribute("data-mode", "push")


def polls(page):
    return [request.url for request in page.requests if "/stand/" in request.url]


def streams(page):
    return [request for request in page.requests if "/stroom/" in request.url]


def test_a_block_change_and_a_note_reach_the_other_screens_within_a_second(
    login, people, e2e_session, push_server, no_polling
):
    from sessies.models import Note

    base = f"{push_server}/sessies/{e2e_session.pk}"
    fac = open_screen(login, people["facilitator"], f"{base}/regie/")
    sec = open_screen(login, people["secretary"], f"{base}/notuleren/")
    projector = open_screen(login, people["facilitator"], f"{base}/projectie/")
    for page in (fac, sec, projector):
        wait_for_stream(page)

    blocks = list(e2e_session.blocks.order_by("order"))
    fac.locator('form[data-action="start"] button').click()
    expect(fac.locator("#run-panel .current-block-title")).to_contain_text(blocks[0].title)
    expect(sec.locator("#live-block-title")).to_have_text(blocks[0].title, timeout=PUSH_TIMEOUT_MS)
    expect(projector.locator(".projector-block")).to_contain_text(blocks[0].title, timeout=PUSH_TIMEOUT_MS)

    field = sec.locator("#note-text")
    field.fill("Signalen komen te laat binnen")
    field.press("Enter")
    expect(fac.locator("#harvest-panel .harvest-list")).to_contain_text(
        "Signalen komen te laat binnen", timeout=PUSH_TIMEOUT_MS
    )
    # The secretary's own screen has the note once, in its place, from the save's answer.
    note = Note.objects.get()
    expect(sec.locator(f"#notes-{note.block_id}-0 #note-{note.pk}")).to_have_count(1)
    expect(sec.locator("#harvest-count")).to_have_text("(1)")

    fac.locator('form[data-action="volgende"] button').click()
    expect(sec.locator("#live-block-title")).to_have_text(blocks[1].title, timeout=PUSH_TIMEOUT_MS)
    expect(projector.locator(".projector-block")).to_contain_text(blocks[1].title, timeout=PUSH_TIMEOUT_MS)
    expect(sec.locator(f'.note-block.current[data-block="{blocks[1].pk}"]')).to_have_count(1)

    # A second secretary's tab gets the note as a push and files it under its question.
    question = blocks[1].steps.filter(kind="vraag").first()
    sec.select_option("#note-question", str(question.pk))
    field.fill("De wijkagent hoort het als eerste")
    field.press("Enter")
    expect(fac.locator("#harvest-panel .harvest-list li").first).to_contain_text(
        "De wijkagent hoort het als eerste", timeout=PUSH_TIMEOUT_MS
    )
    expect(sec.locator(f"#notes-{blocks[1].pk}-{question.pk}")).to_contain_text("De wijkagent hoort het als eerste")

    for page in (fac, sec, projector):
        assert polls(page) == [], "a change waited for a poll"
        assert len(streams(page)) == 1


def test_a_cut_stream_resumes_from_the_last_version_and_misses_nothing(
    login, people, e2e_session, cuttable_push_server, no_polling
):
    from sessies import harvest, timeline

    server, proxy = cuttable_push_server
    session = timeline.start(e2e_session.pk, e2e_session.timeline_version)
    base = f"{server}/sessies/{e2e_session.pk}"
    fac = open_screen(login, people["facilitator"], f"{base}/regie/")
    wait_for_stream(fac)
    seen = fac.locator("#poller").get_attribute("data-version")

    # The connection drops (venue wifi); meanwhile the secretary writes and the block moves on.
    proxy.cut()
    expect(fac.locator("#live-config")).not_to_have_attribute("data-mode", "push")
    for text in ("Eerste punt tijdens de storing", "Tweede punt tijdens de storing"):
        harvest.add_note(
            session, block_id=session.current_block_id, text=text, tag="opbrengst", author=people["secretary"]
        )
    session = timeline.advance_to_next_block(session.pk, session.timeline_version)
    proxy.restore()

    expect(fac.locator("#run-panel .current-block-title")).to_contain_text(session.current_block.title)
    expect(fac.locator("#harvest-panel .harvest-list")).to_contain_text("Eerste punt tijdens de storing")
    expect(fac.locator("#harvest-panel .harvest-list")).to_contain_text("Tweede punt tijdens de storing")
    expect(fac.locator("#poller")).to_have_attribute("data-version", str(session.version))
    # It came back through a new stream that said where it had stopped.
    expect(fac.locator("#live-config")).to_have_attribute("data-mode", "push")
    # It came back through a new stream that said where it had stopped: the changes came, not the whole state.
    reconnects = streams(fac)[1:]
    assert reconnects, "the stream was not cut"
    resumed_from = reconnects[-1].headers.get("last-event-id") or re.search(r"[?&]v=(\d+)", reconnects[-1].url)[1]
    assert int(resumed_from) == int(seen)


@pytest.mark.parametrize("server", ["wsgi", "buffering proxy"])
def test_without_a_stream_the_screens_poll_quietly_and_still_follow(
    request, login, people, e2e_session, live_server, settings, server
):
    """A server without push (WSGI answers 204) or a proxy that buffers the stream: the page polls."""
    from sessies import timeline

    settings.LIVE_POLL_INTERVAL_MS = 500
    settings.LIVE_FIRST_EVENT_MS = 1000
    base_url = live_server.url if server == "wsgi" else request.getfixturevalue("buffering_proxy")
    sec = open_screen(login, people["secretary"], f"{base_url}/sessies/{e2e_session.pk}/notuleren/")
    expect(sec.locator("#live-config")).to_have_attribute("data-mode", "poll")

    session = timeline.start(e2e_session.pk, e2e_session.timeline_version)
    expect(sec.locator("#live-block-title")).to_have_text(session.current_block.title)
    assert polls(sec), "the change came without a poll"
    # Nothing alarming: no message, no error on the page.
    expect(sec.locator("#messages .alert")).to_have_count(0)


def test_a_slow_answer_to_a_move_does_not_hide_a_change_pushed_meanwhile(
    login, people, e2e_session, push_server, no_polling
):
    """The "next block" answer was rendered before a note came; it arrives after the note's push."""
    from sessies import harvest, timeline

    session = timeline.start(e2e_session.pk, e2e_session.timeline_version)
    fac = open_screen(login, people["facilitator"], f"{push_server}/sessies/{session.pk}/regie/")
    wait_for_stream(fac)

    def slow_answer(route):
        answer = route.fetch()  # the move is made and answered now...
        harvest.add_note(
            session,
            block_id=session.current_block_id,
            text="Tussendoor genoteerd",
            tag="opbrengst",
            author=people["secretary"],
        )
        time.sleep(1)  # the note's push reaches the page meanwhile
        route.fulfill(response=answer)  # ...but reaches the page only after the note's push

    fac.route(re.compile(r"/regie/volgende/"), slow_answer)
    fac.locator('form[data-action="volgende"] button').click()

    next_block = session.blocks.order_by("order")[1]
    expect(fac.locator("#run-panel .current-block-title")).to_contain_text(next_block.title)
    expect(fac.locator("#harvest-panel .harvest-list")).to_contain_text("Tussendoor genoteerd")
