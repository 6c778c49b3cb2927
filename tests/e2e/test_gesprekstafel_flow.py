"""A whole Gesprekstafel 1, played by a facilitator and a secretary in two browsers."""

import io
import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import POLL_TIMEOUT_MS, accept_dialogs, screenshot

pytestmark = pytest.mark.e2e

SCRIPT_TITLE = "Gesprekstafel 1: De start van het onderzoek"
FIRST_NOTE = "Signalen komen vaak te laat binnen bij het wijkteam"
KEY_NOTE = "Vertrouwen is de voorwaarde om schulden vroeg te bespreken"


def control(page, action):
    """The button of one timeline control (start, pauzeer, hervat, volgende, verleng, afronden)."""
    return page.locator(f'form[data-action="{action}"] button')


def current_block_title(page):
    return page.locator("#run-panel .current-block-title")


def titled(block):
    """A block's heading: its title, then perhaps its subtitle."""
    return re.compile("^" + re.escape(block.title))


def press(page, key):
    """A shortcut as a user gives it: nothing focused that would take the key itself."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press(key)


def projected_end_epoch(page):
    """The exact projected end (seconds) the countdown computes its HH:MM text from."""
    data = page.locator("#countdown").evaluate(
        "el => [Number(el.dataset.serverNow), Number(el.dataset.remaining), Number(el.dataset.later)]"
    )
    return data[0] + data[1] + data[2]


def test_a_whole_gesprekstafel(browser, browser_context_args, login, people, e2e_project, settings, run_mail_worker):
    from draaiboeken.models import Script
    from sessies.models import Delivery, DeliveryStatus, Note, Session, SessionState

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    facilitator, secretary = people["facilitator"], people["secretary"]

    # The facilitator logs in through the real login page.
    fac_context = browser.new_context(**browser_context_args)
    fac_context.set_default_timeout(10_000)
    fac = accept_dialogs(fac_context.new_page())
    fac.goto("/accounts/login/")
    fac.fill("#id_username", facilitator.username)
    fac.fill("#id_password", "pw")
    fac.locator("main form button").click()
    expect(fac).to_have_url(re.compile(r"/$"))

    # Plan the session.
    fac.goto("/sessies/nieuw/")
    fac.select_option("#id_project", str(e2e_project.pk))
    fac.select_option("#id_script", str(Script.objects.get(title=SCRIPT_TITLE).pk))
    fac.fill("#id_starts_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    fac.fill("#id_place", "Stadskantoor, zaal 3")
    fac.select_option("#id_facilitator", str(facilitator.pk))
    fac.select_option("#id_secretary", str(secretary.pk))
    participants = [
        ("Petra Professional", "petra@example.org", "professional"),
        ("Bram Beleid", "bram@example.org", "beleid"),
        ("Carla Cliënt", "", "client"),
        ("Olaf Onderzoeker", "olaf@example.org", "onderzoeker"),
    ]
    rows_before = fac.locator(".participant-rows tr").count()
    for _ in range(len(participants) - rows_before):
        fac.locator(".add-participant").click()
    expect(fac.locator(".participant-rows tr")).to_have_count(len(participants))
    # The added row takes the focus, ready for typing the name.
    expect(fac.locator(f"#id_deelnemers-{len(participants) - 1}-name")).to_be_focused()
    for index, (name, email, role) in enumerate(participants):
        fac.fill(f"#id_deelnemers-{index}-name", name)
        fac.fill(f"#id_deelnemers-{index}-email", email)
        fac.select_option(f"#id_deelnemers-{index}-role", role)
    fac.locator("main form button.btn-primary").last.click()
    expect(fac).to_have_url(re.compile(r"/sessies/\d+/$"))
    session = Session.objects.get()
    assert session.title == SCRIPT_TITLE
    assert sorted(session.participants.values_list("name", flat=True)) == sorted(p[0] for p in participants)
    blocks = list(session.blocks.order_by("order"))
    assert [b.title for b in blocks][-1].startswith("Samenvatten")

    # The secretary opens the notes view before the start.
    sec = accept_dialogs(login(secretary).new_page())
    sec.goto(f"/sessies/{session.pk}/notuleren/")
    expect(sec.locator("#live-block-title")).to_have_count(0)

    # Start: the secretary sees the current block within one poll.
    fac.goto(f"/sessies/{session.pk}/regie/")
    control(fac, "start").click()
    expect(current_block_title(fac)).to_have_text(titled(blocks[0]))
    expect(sec.locator("#live-block-title")).to_have_text(blocks[0].title, timeout=POLL_TIMEOUT_MS)

    # A note typed by the secretary reaches the facilitator's harvest panel within one poll.
    sec.locator("#note-text").fill(FIRST_NOTE)
    sec.locator("#note-text").press("Enter")
    expect(sec.locator("#harvest")).to_contain_text(FIRST_NOTE)
    expect(sec.locator("#note-text")).to_have_value("")
    expect(fac.locator("#harvest-panel")).to_contain_text(FIRST_NOTE, timeout=POLL_TIMEOUT_MS)

    # Keyboard in the run view: space pauses and resumes, → goes to the next block.
    press(fac, " ")
    expect(control(fac, "hervat")).to_be_visible()
    expect(fac.locator(".countdown-meta")).to_contain_text(re.compile("gepauzeerd|paused"))
    assert Session.objects.get().state == SessionState.PAUSED
    press(fac, " ")
    expect(control(fac, "pauzeer")).to_be_visible()
    assert Session.objects.get().state == SessionState.RUNNING
    press(fac, "ArrowRight")
    expect(current_block_title(fac)).to_have_text(titled(blocks[1]))
    screenshot(fac, "regie-running")

    # A stale "next" from a second tab: a message, and the session moved on only once.
    stale = accept_dialogs(fac_context.new_page())
    stale.route(re.compile(r"/(stand|stroom)/"), lambda route: route.abort())  # this tab stops hearing news
    stale.goto(f"/sessies/{session.pk}/regie/")
    expect(current_block_title(stale)).to_have_text(titled(blocks[1]))
    press(fac, "ArrowRight")
    expect(current_block_title(fac)).to_have_text(titled(blocks[2]))
    control(stale, "volgende").click()
    expect(stale.locator("#messages .alert")).to_be_visible()
    expect(stale.locator("#messages .alert")).to_contain_text(re.compile("niets dubbel|Nothing was done twice", re.I))
    expect(current_block_title(stale)).to_have_text(titled(blocks[2]))
    assert Session.objects.get().current_block_id == blocks[2].pk
    screenshot(stale, "regie-stale-next")
    stale.close()

    # "Extend by 5 minutes" moves the projected end by 5 minutes.
    before_text = fac.locator("#projected-end").inner_text()
    before_exact = projected_end_epoch(fac)
    planned_before = fac.locator("#countdown").get_attribute("data-planned")
    control(fac, "verleng").click()
    expect(fac.locator("#countdown")).to_have_attribute("data-planned", str(int(planned_before) + 300))
    after_exact = projected_end_epoch(fac)
    assert abs(after_exact - before_exact - 300) <= 2
    expected = (datetime.strptime(before_text, "%H:%M") + timedelta(minutes=5)).strftime("%H:%M")
    if abs(((after_exact + 30) % 60) - 30) > 3:  # not within 3 s of a minute boundary
        expect(fac.locator("#projected-end")).to_have_text(expected)
    else:
        expect(fac.locator("#projected-end")).not_to_have_text(before_text)

    # The secretary stars the note; the facilitator sees the key harvest count change.
    sec.locator("#note-text").fill(KEY_NOTE)
    sec.locator("#note-text").press("Enter")
    expect(sec.locator("#harvest")).to_contain_text(KEY_NOTE)
    key_note = Note.objects.get(text=KEY_NOTE)
    sec.locator(f"#note-{key_note.pk} .star").click()
    expect(sec.locator(f"#note-{key_note.pk} .star")).to_have_attribute("aria-pressed", "true")
    expect(fac.locator("#harvest-panel .badge.text-bg-success")).to_contain_text("1", timeout=POLL_TIMEOUT_MS)

    # The closing block shows the key harvest in a large list.
    press(fac, "ArrowRight")
    expect(current_block_title(fac)).to_have_text(titled(blocks[3]))
    large = fac.locator("#harvest-panel .key-harvest-large .key-harvest-list")
    expect(large).to_contain_text(KEY_NOTE)
    expect(large).not_to_contain_text(FIRST_NOTE)
    font_size = float(large.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px"))
    assert font_size >= 20
    expect(control(fac, "volgende")).to_have_count(0)
    # Two blocks went by in seconds: the session is ahead, and the ticking script says so too.
    expect(fac.locator("#delay")).to_have_text(re.compile(r"\(\d+ min.* (voor|ahead)\)"))
    screenshot(fac, "regie-closing")

    # Finish (the confirm dialog is accepted).
    control(fac, "afronden").click()
    expect(control(fac, "pauzeer")).to_have_count(0)
    expect(fac.locator("#run-panel .card h2")).to_have_text(re.compile("afgerond|finished"))
    assert Session.objects.get().state == SessionState.FINISHED

    # The secretary approves and sends the report.
    sec.goto(f"/sessies/{session.pk}/verslag/")
    expect(sec.locator("article.report")).to_contain_text(KEY_NOTE)
    sec.locator(f'form[action="/sessies/{session.pk}/verslag/goedkeuren/"] button').click()
    expect(sec.locator(".badge.text-bg-success").first).to_be_visible()
    sec.goto(f"/sessies/{session.pk}/verslag/versturen/")
    checked = sec.locator('input[name="recipients"]:checked')
    recipients = checked.count()
    # Petra, Bram and Olaf took part; Gijs facilitates (not a researcher) and Carla has no e-mail address.
    assert recipients == 3
    sec.locator("main form button.btn-primary").click()
    # The request only queues the mail; the worker sends it.
    expect(sec.locator(".delivery-wachtrij")).to_have_count(recipients)
    run_mail_worker()
    sec.reload()
    expect(sec.locator(".delivery-verzonden")).to_have_count(recipients)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == recipients
    assert len(mail.outbox) == recipients
    assert all(m.attachments and m.attachments[0][2] == "application/pdf" for m in mail.outbox)
    screenshot(sec, "report-sent")

    # The PDF holds the key harvest.
    response = sec.request.get(f"/sessies/{session.pk}/verslag.pdf")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body())).pages)
    assert KEY_NOTE in " ".join(text.split())
    fac_context.close()
