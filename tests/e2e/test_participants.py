"""Participants take part from their phones: join by the session's link, send answers, the secretary decides.

Real browsers against uvicorn (push), two phone-sized contexts without an account.
"""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import accept_dialogs, screenshot
from tests.e2e.test_accessibility import axe_violations

pytestmark = pytest.mark.e2e

PUSH_TIMEOUT_MS = 1000
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def report(violations):
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][:3]}" for v in violations)


@pytest.fixture
def round_one(e2e_session):
    """Gesprekstafel 1, running, in round 1 (its first block with questions)."""
    from sessies import timeline

    session = timeline.start(e2e_session.pk, e2e_session.timeline_version)
    return timeline.advance_to_next_block(session.pk, session.timeline_version)


def open_page(context, url):
    page = accept_dialogs(context.new_page())
    page.goto(url)
    expect(page.locator("#live-config")).to_have_attribute("data-mode", "push")
    return page


def phone(browser, browser_context_args, url):
    context = browser.new_context(**(browser_context_args | PHONE))
    context.set_default_timeout(10_000)
    return context, open_page(context, url)


def send_answer(page, sender, text):
    page.locator("#sender").fill(sender)
    form = page.locator("form.answer-form").first
    form.locator("textarea").fill(text)
    form.locator("button").click()
    expect(page.locator("#my-proposals")).to_contain_text(text)


def test_two_phones_send_answers_the_secretary_accepts_one_and_it_reaches_notes_projector_and_report(
    browser, browser_context_args, login, people, round_one, push_server
):
    from sessies.models import Note

    base = f"{push_server}/sessies/{round_one.pk}"
    fac = open_page(login(people["facilitator"]), f"{base}/regie/")
    sec = open_page(login(people["secretary"]), f"{base}/notuleren/")
    projector = open_page(login(people["facilitator"]), f"{base}/projectie/")

    # The facilitator opens the session; the link and its QR code show on the run view and the projector.
    fac.locator("form[action$='/deelnemerslink/openen/'] button").click()
    link = fac.locator(".join-url a")
    expect(link).to_be_visible()
    expect(fac.locator("img.join-qr")).to_have_attribute("src", re.compile(r"/qr\.svg$"))
    # The code is an image the browser fetches (sessions:join_qr): it loads.
    fac.wait_for_function(
        "() => { const i = document.querySelector('img.join-qr'); return i && i.complete && i.naturalWidth > 0; }"
    )
    expect(projector.locator(".projector-join img")).to_be_visible(timeout=PUSH_TIMEOUT_MS)
    join_url = link.get_attribute("href")
    assert "/doe-mee/" in join_url

    phone_a, page_a = phone(browser, browser_context_args, join_url)
    phone_b, page_b = phone(browser, browser_context_args, join_url)
    question = round_one.current_block.outline.main_questions()[0]
    expect(page_a.locator("#participant-now")).to_contain_text(question.text)
    # Made for a narrow phone: nothing wider than the screen.
    assert page_a.evaluate("document.documentElement.scrollWidth") <= 360
    violations = axe_violations(page_a)
    assert not violations, report(violations)
    screenshot(page_a, "participant-phone")

    send_answer(page_a, "Subgroep A", "Signalen delen vraagt vertrouwen tussen professionals")
    send_answer(page_b, "Subgroep B", "Dit is niet relevant <script>alert(1)</script>")

    # Both arrive with the secretary as proposals, pushed.
    items = sec.locator("#proposal-inbox .proposal-item")
    expect(items).to_have_count(2, timeout=PUSH_TIMEOUT_MS)
    expect(sec.locator("#proposal-inbox")).to_contain_text("<script>alert(1)</script>")
    violations = axe_violations(sec)
    assert not violations, report(violations)
    screenshot(sec, "secretary-proposals")
    first = items.filter(has_text="Signalen delen")
    first.locator("textarea").fill("Signalen delen vraagt vertrouwen tussen professionals (subgroep A)")
    first.locator("button[name=accept]").click()
    expect(items).to_have_count(1)
    items.filter(has_text="niet relevant").locator("button[name=dismiss]").click()
    expect(items).to_have_count(0)

    note = Note.objects.get(from_participants=True)
    assert note.text == "Signalen delen vraagt vertrouwen tussen professionals (subgroep A)"
    assert (note.question_id, note.tag, note.contributor) == (question.pk, "opbrengst", "Subgroep A")
    expect(sec.locator(f"#notes-{note.block_id}-{question.pk} #note-{note.pk}")).to_contain_text("subgroep A")
    # Each phone sees what became of its answer.
    expect(page_a.locator("#my-proposals .status-overgenomen")).to_have_count(1, timeout=PUSH_TIMEOUT_MS)
    expect(page_b.locator("#my-proposals .status-afgewezen")).to_have_count(1, timeout=PUSH_TIMEOUT_MS)

    # The facilitator puts it on the projector for the plenary share-out.
    shared = fac.locator(f"#shared-{note.pk}")
    expect(shared).to_be_visible(timeout=PUSH_TIMEOUT_MS)
    shared.locator("button").click()
    expect(projector.locator(".projector-answers")).to_contain_text("subgroep A", timeout=PUSH_TIMEOUT_MS)
    violations = axe_violations(fac)
    assert not violations, report(violations)
    screenshot(projector, "projector-shared-answer")

    # And it is in the report.
    response = sec.request.get(f"{base}/verslag.pdf")
    assert response.ok
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body())).pages).split())
    assert "Signalen delen vraagt vertrouwen tussen professionals (subgroep A)" in text
    assert "niet relevant" not in text
    for context in (phone_a, phone_b):
        context.close()


def test_a_typed_answer_survives_a_lost_connection_and_a_move_to_the_next_block(
    browser, browser_context_args, login, people, round_one, push_server
):
    from sessies import participation
    from sessies.models import Proposal

    link = participation.open_for_participants(round_one, by=people["facilitator"])
    context, page = phone(browser, browser_context_args, f"{push_server}/doe-mee/{link.token}/")
    form = page.locator("form.answer-form").first

    # No connection: the text stays, the phone says so and sends it once the connection is back.
    context.set_offline(True)
    form.locator("textarea").fill("Een antwoord door een tunnel")
    form.locator("button").click()
    expect(form.locator(".save-status")).not_to_be_empty()
    expect(form.locator("textarea")).to_have_value("Een antwoord door een tunnel")
    context.set_offline(False)
    expect(page.locator("#my-proposals")).to_contain_text("Een antwoord door een tunnel", timeout=15_000)
    assert Proposal.objects.filter(text="Een antwoord door een tunnel").count() == 1

    # The group moves on while the participant types: the answer waits under "not sent yet".
    page.locator("form.answer-form textarea").first.fill("Nog even over de vorige vraag")
    fac = open_page(login(people["facilitator"]), f"{push_server}/sessies/{round_one.pk}/regie/")
    fac.locator('form[data-action="volgende"] button').click()
    unsent = page.locator("#unsent-answers")
    expect(unsent).to_be_visible(timeout=PUSH_TIMEOUT_MS)
    expect(unsent.locator("textarea")).to_have_value("Nog even over de vorige vraag")
    unsent.locator("button").click()
    expect(unsent).to_be_hidden()
    expect(page.locator("#my-proposals")).to_contain_text("Nog even over de vorige vraag")
    # The new block's forms came pushed, the same for every phone: this one gives its answer a token of its own.
    fresh_form = page.locator("#participant-now form.answer-form").first
    expect(fresh_form.locator('input[name="client_token"]')).to_have_value("")
    fresh_form.locator("textarea").fill("Over ronde 2")
    fresh_form.locator("button").click()
    expect(page.locator("#my-proposals")).to_contain_text("Over ronde 2")
    assert Proposal.objects.get(text="Over ronde 2").client_token

    # Closing the link ends the phone's page with a clear message, and nothing of the session.
    participation.close_for_participants(round_one)
    expect(page.locator("main")).to_contain_text(re.compile("link", re.I), timeout=5_000)
    expect(page.locator("form.answer-form")).to_have_count(0)
    context.close()
