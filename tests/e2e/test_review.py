"""Participants review the draft report in their browsers (issue 18, part 2).

The secretary invites from the report page; two participants open the links from their mail (no
account), comment, and one says akkoord; the secretary resolves the comments and approves; the
report page shows the version's review. The reviewer's page is checked with axe-core, by keyboard
and on a phone's screen.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_accessibility import axe_violations, report

pytestmark = pytest.mark.e2e

LINK = re.compile(r"https?://[^/\s]+(/meelezen/[A-Za-z0-9_-]{43}/)")
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def harvested(e2e_session, people):
    """The planned session, run and finished: notes in two rounds (one key harvest) and an agreement."""
    from sessies import harvest, timeline
    from sessies.models import Agreement

    session = timeline.start(e2e_session.pk, e2e_session.timeline_version)
    blocks = list(session.blocks.order_by("order"))
    secretary = people["secretary"]
    harvest.add_note(session, block_id=blocks[1].pk, text="* Vertrouwen komt eerst", tag="opbrengst", author=secretary)
    harvest.add_note(session, block_id=blocks[2].pk, text="Wijkteams zien signalen", tag="opbrengst", author=secretary)
    Agreement.objects.create(session=session, block=blocks[3], who="Petra", what="Signalenlijst rondsturen")
    session.refresh_from_db()
    return timeline.finish(session.pk, session.timeline_version)


def links_by_address():
    return {message.to[0]: LINK.search(message.body).group(1) for message in mail.outbox}


def test_participants_review_the_draft_and_the_secretary_approves(
    browser, browser_context_args, login, people, harvested, settings, run_mail_worker
):
    from sessies.models import ReportVersion, ReviewComment, ReviewInvitation

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    session = harvested
    report_url = f"/sessies/{session.pk}/verslag/"

    # The secretary invites: those who took part, with an address, are checked already.
    sec = login(people["secretary"]).new_page()
    sec.goto(report_url)
    invite = sec.locator("details.review-invite")
    expect(invite.locator('input[name="recipients"]:checked')).to_have_count(2)  # Petra and Bram; Carla has no address
    invite.locator("button.btn-primary").click()
    expect(sec.locator(".review-invitation")).to_have_count(2)
    run_mail_worker()
    sec.reload()
    expect(sec.locator(".review-mail-verzonden")).to_have_count(2)
    links = links_by_address()
    assert sorted(links) == ["bram@example.org", "petra@example.org"]

    # Petra opens her link, without an account: the draft, and no way into the app.
    petra_context = browser.new_context(**browser_context_args)
    petra_context.set_default_timeout(10_000)
    petra = petra_context.new_page()
    response = petra.goto(links["petra@example.org"])
    assert response.status == 200
    expect(petra.locator("article.report")).to_contain_text("Vertrouwen komt eerst")
    expect(petra.locator("nav.navbar")).to_have_count(0)
    assert not [cookie for cookie in petra_context.cookies() if cookie["name"] == "sessionid"]
    key = petra.locator("#review-key")
    key.locator("textarea").fill("Het ging om vertrouwen in de buurt, niet in de gemeente.")
    key.locator("button").click()
    expect(petra.locator("#review-key .review-comment")).to_contain_text("vertrouwen in de buurt")
    expect(petra.locator("#review-key textarea")).to_have_value("")
    petra.locator('#review-agreement button[value="akkoord"]').click()
    expect(petra.locator('#review-agreement button[value="intrekken"]')).to_be_visible()
    violations = axe_violations(petra)
    assert not violations, "axe found WCAG 2.1 A/AA violations:\n" + report({"meelezen": violations})
    screenshot(petra, "meelezen")

    # Bram, on his phone and by keyboard: a missing point on the report as a whole.
    bram_context = browser.new_context(**{**browser_context_args, **PHONE})
    bram_context.set_default_timeout(10_000)
    bram = bram_context.new_page()
    bram.goto(links["bram@example.org"])
    assert bram.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "wider than the phone"
    field = bram.locator("#review-general textarea")
    field.focus()
    bram.keyboard.type("Er mist een punt over de wachttijd bij het wijkteam.")
    bram.keyboard.press("Tab")
    expect(bram.locator("#review-general button")).to_be_focused()
    bram.keyboard.press("Enter")
    expect(bram.locator("#review-general .review-comment")).to_contain_text("wachttijd")
    violations = axe_violations(bram)
    assert not violations, "axe found WCAG 2.1 A/AA violations on a phone:\n" + report({"meelezen": violations})
    screenshot(bram, "meelezen-telefoon")

    # The secretary sees who responded and resolves both comments.
    sec.reload()
    expect(sec.locator(".review-agreed")).to_have_count(1)
    expect(sec.locator(".review-responded")).to_have_count(2)
    expect(sec.locator(".review-open-warning")).to_be_visible()
    screenshot(sec, "verslag-meelezen-open")
    for comment, resolution in zip(
        ReviewComment.objects.order_by("created_at"), ["aangepast", "niet-aangepast"], strict=True
    ):
        item = sec.locator(f"#review-comment-{comment.pk}")
        item.locator(f'input[name="resolution"][value="{resolution}"]').check()
        item.locator('textarea[name="reply"]').fill("Dank, verwerkt." if resolution == "aangepast" else "Blijft zo.")
        item.locator("form.review-resolve button").click()
        expect(sec.locator(f"#review-comment-{comment.pk} .review-resolution")).to_be_visible()
    expect(sec.locator(".review-open-warning")).to_have_count(0)

    # Approving closes the review; the version shows its outcome.
    sec.locator(f'form[action="/sessies/{session.pk}/verslag/goedkeuren/"] button').click()
    outcome = sec.locator("#report-version-1 .review-outcome")
    expect(outcome).to_contain_text(re.compile(r"2 (of|van) 2"))
    screenshot(sec, "verslag-meegelezen")
    version = ReportVersion.objects.get()
    assert version.review == {
        "invited": 2,
        "responded": 2,
        "agreed": 1,
        "comments": 2,
        "changed": 1,
        "unchanged": 1,
        "open": 0,
    }
    assert set(ReviewInvitation.objects.values_list("version", flat=True)) == {version.pk}

    # Petra's link now says the review is closed, and shows nothing of the session.
    response = petra.goto(links["petra@example.org"])
    assert response.status == 410
    expect(petra.locator("h1")).to_be_visible()
    expect(petra.locator("body")).not_to_contain_text("Vertrouwen komt eerst")
    expect(petra.locator("body")).not_to_contain_text(session.title)
    petra_context.close()
    bram_context.close()
