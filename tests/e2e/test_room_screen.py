"""The room's screen follows the facilitator's current step, and the secretary's question follows it too.

Real browsers against uvicorn (push). The projector is checked at 1920x1080 and 1280x720: the
step shows within the live goal, nothing needs scrolling, body text is at least 4 % of the
screen's height. Screenshots of each kind of screen go to test-artifacts/screenshots/.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import accept_dialogs, screenshot
from tests.e2e.test_accessibility import axe_violations

pytestmark = pytest.mark.e2e

PUSH_TIMEOUT_MS = 1000
SCREENS = {"1920x1080": {"width": 1920, "height": 1080}, "1280x720": {"width": 1280, "height": 720}}

# Whether the room's screen fits: no scrolling, and the smallest text is at least 4 % of the height.
FIT = """() => {
  const room = document.querySelector('#projector .room');
  const main = room.querySelector('.room-main');
  const texts = Array.from(room.querySelectorAll('p, li, h2')).filter(e => e.offsetParent && e.textContent.trim()
    && !e.closest('.visually-hidden'));
  const smallest = Math.min(...texts.map(e => parseFloat(getComputedStyle(e).fontSize)));
  return {
    page: document.documentElement.scrollHeight - window.innerHeight,
    pageWidth: document.documentElement.scrollWidth - window.innerWidth,
    room: room.scrollHeight - room.clientHeight,
    main: main ? main.scrollHeight - main.clientHeight : 0,
    smallest: smallest / window.innerHeight,
  };
}"""


def report(violations):
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][:3]}" for v in violations)


def open_page(context, url):
    page = accept_dialogs(context.new_page())
    page.goto(url)
    expect(page.locator("#live-config")).to_have_attribute("data-mode", "push")
    return page


def projector_in(login, user, url, size):
    context = login(user)
    page = accept_dialogs(context.new_page())
    page.set_viewport_size(SCREENS[size])
    page.goto(url)
    expect(page.locator("#live-config")).to_have_attribute("data-mode", "push")
    return page


def assert_fits(page):
    expect(page.locator("#projector .room")).to_have_attribute("data-fitted", "yes")
    fit = page.evaluate(FIT)
    assert fit["page"] <= 0 and fit["pageWidth"] <= 0 and fit["room"] <= 1 and fit["main"] <= 1, fit
    assert fit["smallest"] >= 0.039, fit


def step(fac, key):
    version = fac.locator("#poller").get_attribute("data-version")
    fac.locator("body").press(key)
    expect(fac.locator("#poller")).not_to_have_attribute("data-version", version)


def test_the_facilitator_steps_through_round_1_and_the_room_and_the_secretary_follow(
    login, people, e2e_session, push_server
):
    from sessies import harvest, timeline
    from sessies.models import Note

    session = timeline.start(e2e_session.pk, e2e_session.timeline_version)
    base = f"{push_server}/sessies/{session.pk}"
    fac = open_page(login(people["facilitator"]), f"{base}/regie/")
    sec = open_page(login(people["secretary"]), f"{base}/notuleren/")
    rooms = {size: projector_in(login, people["facilitator"], f"{base}/projectie/", size) for size in SCREENS}

    # The Inleiding: the session's title and the participants' rules.
    for size, room in rooms.items():
        expect(room.locator(".room")).to_have_attribute("data-room", "opening")
        expect(room.locator(".room-title")).to_have_text(session.title)
        assert_fits(room)
        screenshot(room, f"room-{size}-inleiding")

    fac.locator('form[data-action="volgende"] button').click()
    round_one = session.blocks.get(order=2)
    steps = list(round_one.outline.steps)
    kinds = [s.kind for s in steps]
    assert kinds == ["instructie", "vraag", "groep", "instructie"], kinds
    for index, current in enumerate(steps):
        if index:
            step(fac, "ArrowDown")
        # The run view marks the step and says what the room sees.
        expect(fac.locator(f'.step-navigator > li[data-step="{current.pk}"]')).to_have_attribute("aria-current", "step")
        expect(fac.locator(".room-mirror-text")).to_contain_text(current.text[:40])
        for room in rooms.values():
            expect(room.locator(".room")).to_have_attribute("data-step", str(current.pk), timeout=PUSH_TIMEOUT_MS)
            assert_fits(room)
        if current.is_question:
            screenshot(rooms["1920x1080"], "room-1920x1080-question")
            screenshot(rooms["1280x720"], "room-1280x720-question")
            screenshot(fac, "run-view-current-step")
            # The secretary's question follows the room's: a note lands under it without touching the picker.
            expect(sec.locator("#note-question")).to_have_value(str(current.pk), timeout=PUSH_TIMEOUT_MS)
            sec.locator("#note-text").fill("Het doel is eerder signaleren")
            sec.locator("#note-text").press("Enter")
            expect(sec.locator(f"#notes-{round_one.pk}-{current.pk} .note")).to_have_count(1)
        elif current.is_group:
            screenshot(rooms["1920x1080"], "room-1920x1080-subgroups")
            screenshot(rooms["1280x720"], "room-1280x720-subgroups")
            for sub in current.subpoints:
                expect(rooms["1920x1080"].locator(".room-subquestions")).to_contain_text(sub.text[:40])
            # Not a question: the note goes to the block (the subgroups take several questions).
            expect(sec.locator("#note-question")).to_have_value("", timeout=PUSH_TIMEOUT_MS)
            sec.locator("#note-text").fill("Subgroepen gaan uiteen")
            sec.locator("#note-text").press("Enter")
            expect(sec.locator(f"#notes-{round_one.pk}-0 .note")).to_have_count(1)

    question = next(s for s in steps if s.is_question)
    assert Note.objects.get(text="Het doel is eerder signaleren").question_id == question.pk
    assert Note.objects.get(text="Subgroepen gaan uiteen").question_id is None

    # A click on a step puts it on the screen too.
    fac.locator(f'.step-navigator > li[data-step="{question.pk}"] .step-control button').click()
    expect(fac.locator(f'.step-navigator > li[data-step="{question.pk}"]')).to_have_attribute("aria-current", "step")
    expect(rooms["1920x1080"].locator(".room")).to_have_attribute(
        "data-step", str(question.pk), timeout=PUSH_TIMEOUT_MS
    )

    # The secretary's own pick holds while the room moves on, for that note.
    expect(sec.locator("#note-question")).to_have_value(str(question.pk), timeout=PUSH_TIMEOUT_MS)
    other = round_one.outline.main_questions()[-1]
    sec.locator("#note-question").select_option(str(other.pk))
    sec.locator("#note-text").fill("Over de cliënt")
    step(fac, "ArrowDown")
    expect(sec.locator("#poller")).to_have_attribute("data-current-step", str(steps[2].pk), timeout=PUSH_TIMEOUT_MS)
    expect(sec.locator("#note-question")).to_have_value(str(other.pk))
    sec.locator("#note-text").press("Enter")
    expect(sec.locator(f"#notes-{round_one.pk}-{other.pk} .note")).to_have_count(1)
    # After that note, the picker follows the room again.
    expect(sec.locator("#note-question")).to_have_value("")

    # B blanks the room's screen, and brings it back.
    step(fac, "b")
    for room in rooms.values():
        expect(room.locator(".room")).to_have_attribute("data-room", "blank", timeout=PUSH_TIMEOUT_MS)
    expect(fac.locator(".room-mirror-text")).to_have_attribute("data-room", "blank")
    step(fac, "b")
    expect(rooms["1920x1080"].locator(".room")).to_have_attribute("data-room", "step", timeout=PUSH_TIMEOUT_MS)

    # The remaining time, when the facilitator chooses it.
    fac.locator('form[data-action="resttijd"] button').click()
    expect(rooms["1920x1080"].locator(".room-time")).to_be_visible(timeout=PUSH_TIMEOUT_MS)
    assert_fits(rooms["1920x1080"])

    # The closing block: "Is this the harvest?" with the key harvest.
    note = Note.objects.get(text="Het doel is eerder signaleren")
    harvest.set_key_harvest(note, True)
    # A long key harvest still fits the wall, in two columns if need be.
    for number in range(1, 15):
        extra = harvest.add_note(
            session,
            block_id=round_one.pk,
            text=f"Opbrengst {number}: professionals willen eerder weten bij wie ze met signalen terechtkunnen",
            tag="opbrengst",
            author=people["secretary"],
        )
        harvest.set_key_harvest(extra, True)
    fac.locator('form[data-action="volgende"] button').click()
    expect(fac.locator("#poller")).to_have_attribute("data-current-block", str(session.blocks.get(order=3).pk))
    fac.locator('form[data-action="volgende"] button').click()
    for size, room in rooms.items():
        expect(room.locator(".room")).to_have_attribute("data-room", "harvest", timeout=PUSH_TIMEOUT_MS)
        expect(room.locator(".room-question")).to_be_visible()
        expect(room.locator(".room-list")).to_contain_text("Het doel is eerder signaleren")
        assert_fits(room)
        screenshot(room, f"room-{size}-closing")

    violations = axe_violations(rooms["1280x720"])
    assert not violations, report(violations)
    violations = axe_violations(fac)
    assert not violations, report(violations)
