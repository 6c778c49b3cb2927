"""Participants review the draft report before it is approved (issue 18, part 2).

The secretary invites people by mail, each with a personal link (a token, no account); a reviewer
reads the draft, says "akkoord" or comments per section; the secretary resolves the comments;
approving closes the review and records its outcome on the version, which the report mail tells.
"""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from kader.models import Contact, ContactRole
from sessies import harvest, personal_data, reports, review
from sessies.models import (
    Delivery,
    DeliveryStatus,
    Participant,
    ReportVersion,
    ReviewComment,
    ReviewInvitation,
    ReviewResolution,
)
from sessies.tasks import send_review_invitation
from tests.conftest import HTMX
from tests.factories import SessionFactory, table_participants

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
LINK = re.compile(r"http://testserver/meelezen/([A-Za-z0-9_-]{43})/")
TITLE = "Gesprekstafel 1 – Vroegsignalering"
KEY_NOTE = "Professionals willen eerder meedenken"
HOSTILE = "<script>alert('x')</script> & <b>vet</b>"


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.MAILERS = LOCMEM


@pytest.fixture
def invite(client, secretary, django_capture_on_commit_callbacks, run_mail_worker):
    """invite(session, *addresses) as the secretary; the worker then sends the mail. Returns the response."""

    def _invite(session, *addresses, send=True):
        client.force_login(secretary)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("sessions:review_invite", args=[session.pk]), {"recipients": addresses})
        if send:
            run_mail_worker()
        return response

    return _invite


@pytest.fixture
def invited(harvested, invite):
    """Petra and Bram (who took part) and Olga (researcher) invited: {address: invitation}."""
    invite(harvested, "petra@example.org", "bram@example.org", "olga@example.org")
    return {invitation.email: invitation for invitation in ReviewInvitation.objects.all()}


def page_url(invitation):
    return reverse("review:page", args=[invitation.token])


def comment(reviewer, invitation, section, text, **headers):
    url = reverse("review:comment", args=[invitation.token])
    return reviewer.post(url, {"section": section, "text": text}, headers=headers)


def agree(reviewer, invitation, action="akkoord", **headers):
    return reviewer.post(reverse("review:agree", args=[invitation.token]), {"action": action}, headers=headers)


def report_page(client, session):
    return client.get(reverse("sessions:report", args=[session.pk])).content.decode()


def round_key(session):
    """The key of the first round the report shows (a block with notes)."""
    context = reports.report_context(session)
    return context["rounds"][0].review_key


# Inviting


def test_it_invites_the_participants_by_mail_with_a_link_that_works(client, harvested, secretary, invite):
    client.force_login(secretary)
    page = report_page(client, harvested)
    panel = page.split('id="review-title"')[1].split("</details>")[0]
    # Those who took part (with an address) are proposed; the researcher is offered, not checked.
    assert re.search(r'value="petra@example.org"[^>]*checked', panel)
    assert re.search(r'value="bram@example.org"[^>]*checked', panel)
    assert 'value="olga@example.org"' in panel and not re.search(r'value="olga@example.org"[^>]*checked', panel)

    response = invite(harvested, "petra@example.org", "bram@example.org", send=False)
    assert response.status_code == 302
    assert response.url == reverse("sessions:report", args=[harvested.pk]) + "#review"
    invitations = list(ReviewInvitation.objects.order_by("email"))
    assert [(i.email, i.name, i.mail_status) for i in invitations] == [
        ("bram@example.org", "Bram Beleid", DeliveryStatus.PENDING),
        ("petra@example.org", "Petra Professional", DeliveryStatus.PENDING),
    ]
    assert all(i.participant and i.participant.email == i.email for i in invitations)
    assert len({i.token for i in invitations}) == 2 and all(len(i.token) == 43 for i in invitations)
    days = (invitations[0].expires_at - timezone.now()).total_seconds() / 86400
    assert 13.9 < days <= 14
    assert mail.outbox == []  # the request only queued the mail


def test_the_worker_sends_each_invitation_with_who_what_the_link_and_until_when(harvested, secretary, invite, settings):
    settings.REVIEW_LINK_DAYS = 10
    invite(harvested, "petra@example.org", "bram@example.org")
    assert sorted(message.to[0] for message in mail.outbox) == ["bram@example.org", "petra@example.org"]
    for message in mail.outbox:
        invitation = ReviewInvitation.objects.get(email=message.to[0])
        assert invitation.mail_status == DeliveryStatus.SENT and invitation.sent_at and not invitation.mail_error
        assert message.subject == f"Please review the draft report of {TITLE}"
        body = message.body
        assert f"Dear {invitation.name}," in body
        assert f"Sanne invites you to read the draft report of {TITLE}" in body
        until = timezone.localtime(invitation.expires_at)
        assert f"works until {until:%-d %B %Y, %H:%M}" in body
        assert LINK.search(body).group(1) == invitation.token
        html, kind = message.alternatives[0]
        assert kind == "text/html"
        assert f'<a href="http://testserver/meelezen/{invitation.token}/">' in html
        assert message.cc == [] and message.bcc == []
    # The link in the mail opens the draft, without an account.
    token = LINK.search(mail.outbox[0].body).group(1)
    reviewer = Client()
    response = reviewer.get(f"/meelezen/{token}/")
    assert response.status_code == 200
    assert KEY_NOTE in response.content.decode()
    assert ReviewInvitation.objects.get(token=token).opened_at is not None
    assert "no-cache" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex, nofollow"


def test_it_offers_the_other_recipients_and_invites_them_when_chosen(harvested, invite):
    Contact.objects.create(
        project=harvested.project, name="Bea Beleid", email="bea@example.org", role=ContactRole.POLICY
    )
    invite(harvested, "olga@example.org", "bea@example.org")
    assert sorted(ReviewInvitation.objects.values_list("email", "participant")) == [
        ("bea@example.org", None),
        ("olga@example.org", None),
    ]
    assert len(mail.outbox) == 2


def test_it_does_not_invite_anyone_twice(client, harvested, invite):
    invite(harvested, "petra@example.org")
    page = report_page(client, harvested)
    assert 'value="petra@example.org"' not in page.split("review-invite")[1]
    # Posted again anyway (an old page): refused, nothing doubled.
    response = invite(harvested, "petra@example.org")
    assert response.status_code == 422
    assert "Reload the page and choose again." in response.content.decode()
    assert ReviewInvitation.objects.count() == 1
    # After revoking, the person can be invited again, with a new link.
    old = ReviewInvitation.objects.get()
    client.post(reverse("sessions:review_revoke", args=[harvested.pk]), {"invitation": old.pk})
    assert invite(harvested, "petra@example.org").status_code == 302
    assert ReviewInvitation.objects.count() == 2
    assert ReviewInvitation.objects.exclude(pk=old.pk).get().token != old.token


def test_it_refuses_an_invitation_without_anyone_chosen(harvested, invite):
    response = invite(harvested)
    assert response.status_code == 422
    assert "Choose at least one person to invite." in response.content.decode()
    assert not ReviewInvitation.objects.exists()


def test_it_refuses_a_stored_address_that_would_break_the_mail_header(harvested, invite):
    # Written past the form (an import, the admin): a line break would start a header of its own.
    Participant.objects.filter(email="bram@example.org").update(email="bram@example.org\nBcc: buit@example.org")
    response = invite(harvested, "petra@example.org", "bram@example.org\nBcc: buit@example.org")
    assert response.status_code == 422
    assert "An e-mail address cannot contain line breaks or other control characters." in response.content.decode()
    assert not ReviewInvitation.objects.exists()
    assert mail.outbox == []


def test_a_line_break_in_the_session_title_never_reaches_the_subject_as_a_header(harvested, invite):
    type(harvested).objects.filter(pk=harvested.pk).update(title="Tafel\r\nBcc: buit@example.org")
    invite(harvested, "petra@example.org")
    [message] = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.bcc == [] and message.recipients() == ["petra@example.org"]
    assert ReviewInvitation.objects.get().mail_status == DeliveryStatus.SENT


def test_a_failed_mail_is_shown_and_can_be_sent_again(
    client, harvested, invite, smtp_server, run_mail_worker, django_capture_on_commit_callbacks
):
    collector, _controller = smtp_server
    Contact.objects.create(project=harvested.project, name="Wim Weiger", email="weiger@example.org")
    invite(harvested, "weiger@example.org", "petra@example.org")
    failed = ReviewInvitation.objects.get(email="weiger@example.org")
    assert failed.mail_status == DeliveryStatus.FAILED and "550" in failed.mail_error
    assert ReviewInvitation.objects.get(email="petra@example.org").mail_status == DeliveryStatus.SENT
    assert [envelope.rcpt_tos for envelope in collector.envelopes] == [["petra@example.org"]]
    panel = report_page(client, harvested).split(f'id="invitation-{failed.pk}"')[1].split("</li>")[0]
    assert "Not sent:" in panel and "550" in panel

    # Sending again queues it again and renews the link's period; refused again, it says so again.
    ReviewInvitation.objects.filter(pk=failed.pk).update(expires_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sessions:review_resend", args=[harvested.pk]), {"invitation": failed.pk})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.mail_status == DeliveryStatus.PENDING and failed.mail_error == ""
    assert failed.expires_at > timezone.now() + timedelta(days=13)
    run_mail_worker()
    failed.refresh_from_db()
    assert failed.mail_status == DeliveryStatus.FAILED and "550" in failed.mail_error


def test_sending_again_queues_one_task_that_sends_once(
    client, harvested, invite, django_capture_on_commit_callbacks, run_mail_worker
):
    invite(harvested, "petra@example.org")
    invitation = ReviewInvitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sessions:review_resend", args=[harvested.pk]), {"invitation": invitation.pk})
    # A second run of the same task finds nothing to claim: it was sent.
    run_mail_worker()
    assert len(mail.outbox) == 2
    assert send_review_invitation.call(invitation.pk, "http://testserver/") == "not claimed"
    assert len(mail.outbox) == 2


def test_a_link_revoked_before_its_mail_went_out_is_not_sent(client, harvested, invite, run_mail_worker):
    invite(harvested, "petra@example.org", send=False)
    invitation = ReviewInvitation.objects.get()
    client.post(reverse("sessions:review_revoke", args=[harvested.pk]), {"invitation": invitation.pk})
    run_mail_worker()
    assert mail.outbox == []
    # And it cannot be sent again: a new invitation gives a new link.
    client.post(reverse("sessions:review_resend", args=[harvested.pk]), {"invitation": invitation.pk})
    assert ReviewInvitation.objects.get().mail_status == DeliveryStatus.PENDING
    assert "This invitation was revoked." in report_page(client, harvested)


# Who may


SECRETARY_URLS = [
    "sessions:review_invite",
    "sessions:review_revoke",
    "sessions:review_resend",
    "sessions:review_resolve",
]


@pytest.mark.parametrize("name", SECRETARY_URLS)
def test_only_whoever_edits_the_report_may_act_on_its_review(client, invited, harvested, researcher, outsider, name):
    invitation = invited["petra@example.org"]
    found = comment(Client(), invitation, "general", "Klopt niet")
    assert found.status_code == 302
    data = {
        "recipients": ["olga@example.org"],
        "invitation": invitation.pk,
        "comment": ReviewComment.objects.get().pk,
        "resolution": ReviewResolution.CHANGED,
    }
    url = reverse(name, args=[harvested.pk])
    anonymous = Client().post(url, data)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
    client.force_login(outsider)  # sees nothing of the session
    assert client.post(url, data).status_code == 404
    client.force_login(researcher)  # sees the report, does not edit it
    assert client.post(url, data).status_code == 403
    assert client.get(url).status_code == 405
    invitation.refresh_from_db()
    assert invitation.revoked_at is None and invitation.mail_status == DeliveryStatus.SENT
    assert ReviewInvitation.objects.count() == 3
    assert ReviewComment.objects.get().resolution == ReviewResolution.OPEN


def test_the_researcher_sees_the_report_without_the_review_panel(client, invited, harvested, researcher):
    client.force_login(researcher)
    page = report_page(client, harvested)
    assert KEY_NOTE in page
    assert 'id="review-title"' not in page and "petra@example.org" not in page


def test_an_invitation_or_comment_of_another_session_is_not_found(client, invited, harvested, secretary, project):
    other = SessionFactory(project=project, facilitator=harvested.facilitator, secretary=secretary, participants=[])
    client.force_login(secretary)
    invitation = invited["petra@example.org"]
    comment(Client(), invitation, "general", "Elders")
    for name, data in [
        ("sessions:review_revoke", {"invitation": invitation.pk}),
        ("sessions:review_resend", {"invitation": invitation.pk}),
        ("sessions:review_resolve", {"comment": ReviewComment.objects.get().pk, "resolution": "aangepast"}),
        ("sessions:review_revoke", {"invitation": "x"}),
        ("sessions:review_resolve", {}),
    ]:
        assert client.post(reverse(name, args=[other.pk]), data).status_code == 404, name
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# The reviewer's link


def expire(invitation):
    ReviewInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))


def revoke(invitation):
    ReviewInvitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())


def close(invitation):
    reports.approve(invitation.report, by=invitation.created_by)


GUESSED = "A" * 43
# Dutch by default: the site's language (the module reads English elsewhere).
UNAVAILABLE = {
    "expired": (expire, 410, "Deze link is verlopen"),
    "revoked": (revoke, 410, "Deze link is ingetrokken"),
    "closed": (close, 410, "Het verslag is goedgekeurd; het meelezen is gesloten."),
}


def session_data(session):
    """What a page about this session would show: none of it may leak from a dead link."""
    return [
        session.title,
        session.project.title,
        KEY_NOTE,
        "Verslag rondsturen",
        "Petra",
        "Bram",
        "Olga",
        "Sanne",
        "Stadskantoor",
    ]


@pytest.mark.parametrize("reason", UNAVAILABLE)
def test_a_dead_link_says_why_in_dutch_and_shows_nothing_of_the_session(invited, harvested, settings, reason):
    settings.LANGUAGE_CODE = "nl"
    invitation = invited["petra@example.org"]
    make_dead, status, text = UNAVAILABLE[reason]
    make_dead(invitation)
    reviewer = Client()
    for response in (
        reviewer.get(page_url(invitation)),
        comment(reviewer, invitation, "general", "Nog een opmerking"),
        agree(reviewer, invitation),
        comment(reviewer, invitation, "general", "Nog een opmerking", **HTMX),
    ):
        assert response.status_code == status
        content = response.content.decode()
        assert text in content
        assert '<html lang="nl">' in content
        assert not [leak for leak in session_data(harvested) if leak in content], reason
        assert invitation.token not in content.split("</header>")[1]
    assert not ReviewComment.objects.exists()
    assert ReviewInvitation.objects.get(pk=invitation.pk).agreed_at is None


@pytest.mark.parametrize(
    "token", [GUESSED, "kort", "x" * 300, "%27%22%3Cscript%3E", "a b", "²" * 43, "-" * 43, "A" * 42 + "%00"]
)
def test_a_guessed_or_malformed_token_gets_a_dutch_not_found_page(client, invited, harvested, settings, token):
    settings.LANGUAGE_CODE = "nl"
    for url in (f"/meelezen/{token}/", f"/meelezen/{token}/opmerking/", f"/meelezen/{token}/akkoord/"):
        response = client.get(url) if url.endswith(f"{token}/") else client.post(url, {"text": "x", "section": "key"})
        assert response.status_code == 404, url
        content = response.content.decode()
        assert "Deze link werkt niet" in content
        assert not [leak for leak in session_data(harvested) if leak in content]
    assert not ReviewComment.objects.exists()


def test_the_page_speaks_english_to_whoever_chose_it(invited):
    reviewer = Client()
    reviewer.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    expire(invited["petra@example.org"])
    assert "This link has expired" in reviewer.get(page_url(invited["petra@example.org"])).content.decode()


def project_urls():
    """(name, url) of every named URL of the app, with sample values for its parameters."""
    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin":
                    continue
                walk(entry.url_patterns, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
            elif isinstance(entry, URLPattern) and entry.name:
                found.append((f"{prefix}{entry.name}", list(entry.pattern.converters)))

    walk(get_resolver().url_patterns, "")
    return found


# Open to anyone by design (no session data): the login, the language switch, the privacy page.
PUBLIC = {"login", "set_language", "privacy", "logout"}


def test_a_reviewers_link_and_cookies_never_reach_another_page_of_the_app(invited, harvested, secretary):
    invitation = invited["petra@example.org"]
    reviewer = Client()
    assert reviewer.get(page_url(invitation)).status_code == 200
    assert comment(reviewer, invitation, "general", "Mijn opmerking").status_code == 302
    assert agree(reviewer, invitation).status_code == 302
    # Never logged in: no login session, only the CSRF (and messages) cookies.
    assert django_settings.SESSION_COOKIE_NAME not in reviewer.cookies
    assert "_auth_user_id" not in reviewer.session
    note = harvested.notes.first()
    values = {
        "pk": harvested.pk,
        "note_pk": note.pk,
        "agreement_pk": harvested.agreements.first().pk,
        "number": 1,
        "slug": "gesprekstafel-1-start",
        "action": "volgende",
        "photo_pk": 1,
        "point_pk": 1,
        "membership_pk": 1,
        "contact_pk": 1,
        "token": invitation.token,  # other token pages (a participant's phone) take this token as unknown
    }
    checked = 0
    for name, params in project_urls():
        # The token pages: the reviewer's own, and the participants' phones' (a token of their own).
        if name in PUBLIC or name.startswith(("review:", "participate:")):
            continue
        url = reverse(name, kwargs={param: values.get(param, 1) for param in params})
        for method in ("get", "post"):
            response = getattr(reviewer, method)(url, {"text": "x", "recipients": ["buit@example.org"]})
            content = response.content.decode(errors="replace")
            redirected_to_login = response.status_code == 302 and response.url.startswith(reverse("login"))
            assert redirected_to_login or response.status_code in (403, 404, 405), (name, method, response.status_code)
            assert KEY_NOTE not in content and "Petra" not in content, (name, method)
        checked += 1
    assert checked >= 40
    assert ReviewInvitation.objects.count() == 3 and ReviewComment.objects.count() == 1


# Commenting and agreeing


def test_a_reviewer_comments_per_section_and_sees_their_own_comments(invited, harvested):
    invitation = invited["petra@example.org"]
    reviewer = Client()
    page = reviewer.get(page_url(invitation)).content.decode()
    for key in ("key", round_key(harvested), "agreements", "general"):
        assert f'id="review-{key}"' in page, key
    assert 'id="review-summary"' not in page  # no summary written: nothing to comment on
    response = comment(reviewer, invitation, "key", "Dit werd anders gezegd:\nmeedenken, niet meebeslissen.")
    assert response.status_code == 302
    assert response.url == f"{page_url(invitation)}#review-key"
    stored = ReviewComment.objects.get()
    assert (stored.invitation_id, stored.section, stored.section_title) == (invitation.pk, "key", "Key harvest")
    assert stored.text == "Dit werd anders gezegd:\nmeedenken, niet meebeslissen."
    invitation.refresh_from_db()
    assert invitation.responded_at and not invitation.agreed_at
    page = reviewer.get(page_url(invitation)).content.decode()
    own = page.split('id="review-key"')[1].split("</form>")[0]
    assert "Dit werd anders gezegd:<br>meedenken, niet meebeslissen." in own
    assert "Your comment has been saved." in page  # the message after the redirect
    # Another reviewer sees none of it.
    other = Client().get(page_url(invited["bram@example.org"])).content.decode()
    assert "meedenken, niet meebeslissen" not in other


def test_a_comment_through_htmx_answers_with_the_section_alone(invited, harvested):
    invitation = invited["petra@example.org"]
    key = round_key(harvested)
    response = comment(Client(), invitation, key, "Er ontbreekt een punt over de wachttijd.", **HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.strip().startswith(f'<div class="review-section border rounded p-3 my-3" id="review-{key}">')
    assert "Er ontbreekt een punt over de wachttijd." in content and "Your comment has been saved." in content
    assert "<html" not in content and KEY_NOTE not in content
    assert '<textarea name="text"' in content and "wachttijd</textarea>" not in content  # a fresh form
    block = harvested.blocks.get(pk=key.split("-")[1])
    assert ReviewComment.objects.get().section_title == f"{block.title} – {block.subtitle}"


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_bad_input_gets_a_message_and_keeps_the_text(invited, harvested, headers):
    invitation = invited["petra@example.org"]
    reviewer = Client()
    empty = comment(reviewer, invitation, "key", "   ", **headers)
    assert empty.status_code == 422
    assert "Type your comment first." in empty.content.decode()
    too_long = comment(reviewer, invitation, "key", "woord " * 400, **headers)
    assert too_long.status_code == 422
    assert "Ensure this value has at most 2000 characters" in too_long.content.decode()
    assert "woord woord" in too_long.content.decode()
    # A part taken out of the draft meanwhile: the text comes back on "the report as a whole".
    gone = comment(reviewer, invitation, "round-987654", "Over een ronde die weg is", **headers)
    assert gone.status_code == 422
    content = gone.content.decode()
    assert "The part you commented on is no longer in the draft." in content
    assert re.search(r'id="review-general".*Over een ronde die weg is</textarea>', content, re.S)
    if headers:
        assert gone["HX-Retarget"] == "#review-general"
    odd = agree(reviewer, invitation, action="misschien", **headers)
    assert odd.status_code == (422 if headers else 302)
    assert not ReviewComment.objects.exists()
    invitation.refresh_from_db()
    assert invitation.responded_at is None and invitation.agreed_at is None


def test_a_reviewer_agrees_and_can_take_it_back(invited):
    invitation = invited["petra@example.org"]
    reviewer = Client()
    response = agree(reviewer, invitation, **HTMX)
    assert response.status_code == 200
    assert "You agreed with this draft on" in response.content.decode()
    assert 'value="intrekken"' in response.content.decode()
    invitation.refresh_from_db()
    agreed_at = invitation.agreed_at
    assert agreed_at and invitation.responded_at
    agree(reviewer, invitation)  # again: the first moment stays
    invitation.refresh_from_db()
    assert invitation.agreed_at == agreed_at
    response = agree(reviewer, invitation, action="intrekken")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.agreed_at is None and invitation.responded_at  # they did respond
    assert 'value="akkoord"' in reviewer.get(page_url(invitation)).content.decode()


def test_a_comment_on_a_part_removed_since_stays_visible_to_its_reviewer(invited, harvested):
    invitation = invited["petra@example.org"]
    comment(Client(), invitation, "agreements", "De afspraak klopt niet")
    harvested.agreements.all().delete()
    page = Client().get(page_url(invitation)).content.decode()
    general = page.split('id="review-general"')[1]
    assert "Agreements:</span> De afspraak klopt niet" in general


def test_a_reviewer_cannot_flood_the_review(invited, monkeypatch):
    monkeypatch.setattr(review, "MAX_COMMENTS_PER_REVIEWER", 2)
    invitation = invited["petra@example.org"]
    reviewer = Client()
    for text in ("een", "twee"):
        assert comment(reviewer, invitation, "general", text).status_code == 302
    refused = comment(reviewer, invitation, "general", "drie")
    assert refused.status_code == 422
    assert "You cannot add more comments here." in refused.content.decode()
    assert ReviewComment.objects.count() == 2


# The secretary's side


def test_the_secretary_sees_who_responded_and_the_comments_by_section(client, invited, harvested, secretary):
    petra, bram = invited["petra@example.org"], invited["bram@example.org"]
    Client().get(page_url(petra))
    agree(Client(), petra)
    comment(Client(), bram, "general", "Er mist iets over de wijkteams")
    comment(Client(), bram, "key", "Anders gezegd")
    comment(Client(), petra, "key", "Klopt")
    client.force_login(secretary)
    page = report_page(client, harvested)
    assert "Invited: 3 · Responded: 2 · Akkoord: 1 · Comments: 3 (3 open)" in page
    row = page.split(f'id="invitation-{petra.pk}"')[1].split("</li>")[0]
    assert "opened" in row and "responded" in row and "akkoord" in row and "1 comment" in row
    row = page.split(f'id="invitation-{invited["olga@example.org"].pk}"')[1].split("</li>")[0]
    assert "not responded yet" in row and "mail: sent" in row
    # By section, in the report's order: the key harvest before the report as a whole.
    comments = page.split('id="review-comments-title"')[1]
    assert comments.index("Key harvest") < comments.index("The report as a whole")
    key_part = comments.split("Key harvest")[1].split("The report as a whole")[0]
    assert key_part.index("Anders gezegd") < key_part.index("Klopt")
    assert "3 comments from the review are not resolved yet. You can approve anyway" in page


def test_the_secretary_resolves_a_comment_and_the_reviewer_sees_the_answer(client, invited, harvested, secretary):
    invitation = invited["bram@example.org"]
    comment(Client(), invitation, "key", "Anders gezegd")
    stored = ReviewComment.objects.get()
    client.force_login(secretary)
    url = reverse("sessions:review_resolve", args=[harvested.pk])
    refused = client.post(url, {"comment": stored.pk, "resolution": "misschien", "reply": "Mijn uitleg"})
    assert refused.status_code == 422
    content = refused.content.decode()
    assert "Choose whether the report was changed." in content and "Mijn uitleg</textarea>" in content
    response = client.post(url, {"comment": stored.pk, "resolution": "aangepast", "reply": "Zin aangepast."})
    assert response.status_code == 302
    assert response.url.endswith(f"#review-comment-{stored.pk}")
    stored.refresh_from_db()
    assert (stored.resolution, stored.reply, stored.resolved_by) == (
        ReviewResolution.CHANGED,
        "Zin aangepast.",
        secretary,
    )
    assert stored.resolved_at
    page = report_page(client, harvested)
    assert "comments from the review" not in page.split("review-open-warning")[0][-10:]
    assert "review-open-warning" not in page
    reviewer_page = Client().get(page_url(invitation)).content.decode()
    own = reviewer_page.split('id="review-key"')[1].split("</form>")[0]
    assert "Changed" in own and "Reply: Zin aangepast." in own


def test_hostile_input_shows_as_text_everywhere(client, invited, harvested, secretary, invite):
    invitation = invited["petra@example.org"]
    ReviewInvitation.objects.filter(pk=invitation.pk).update(name=HOSTILE)
    comment(Client(), invitation, "key", HOSTILE)
    stored = ReviewComment.objects.get()
    client.force_login(secretary)
    client.post(
        reverse("sessions:review_resolve", args=[harvested.pk]),
        {"comment": stored.pk, "resolution": "niet-aangepast", "reply": HOSTILE},
    )
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;vet&lt;/b&gt;"
    for page in (report_page(client, harvested), Client().get(page_url(invitation)).content.decode()):
        assert "<script>alert" not in page and "<b>vet</b>" not in page
        assert escaped in page
    # And in the mail: the session title typed with markup is escaped in the HTML part.
    type(harvested).objects.filter(pk=harvested.pk).update(title=f"Tafel {HOSTILE}")
    Contact.objects.create(project=harvested.project, name="Bea", email="bea@example.org")
    invite(harvested, "bea@example.org")
    assert mail.outbox[-1].to == ["bea@example.org"]
    html = mail.outbox[-1].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_report_page_costs_the_same_queries_with_more_invitations_and_comments(
    client, harvested, secretary, invite, django_assert_num_queries, django_assert_max_num_queries
):
    invite(harvested, "petra@example.org")
    comment(Client(), ReviewInvitation.objects.get(), "key", "Eén")
    client.force_login(secretary)
    url = reverse("sessions:report", args=[harvested.pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    few = len(few)  # counted now: every request empties the connection's query log
    for index in range(6):
        Contact.objects.create(project=harvested.project, name=f"Lezer {index}", email=f"lezer{index}@example.org")
    invite(harvested, "bram@example.org", "olga@example.org", *[f"lezer{i}@example.org" for i in range(6)])
    for number, invitation in enumerate(ReviewInvitation.objects.all()):
        for section in ("key", "agreements", "general"):
            comment(Client(), invitation, section, f"Opmerking {number} {section}")
        agree(Client(), invitation)
    client.post(
        reverse("sessions:review_resolve", args=[harvested.pk]),
        {"comment": ReviewComment.objects.first().pk, "resolution": "aangepast"},
    )
    revoked = ReviewInvitation.objects.last()
    client.post(reverse("sessions:review_revoke", args=[harvested.pk]), {"invitation": revoked.pk})
    with django_assert_num_queries(few):
        page = client.get(url).content.decode()
    assert page.count('class="review-invitation ') == 9
    assert page.count('name="comment" value=') == 1 + 9 * 3
    with django_assert_max_num_queries(30):
        client.get(url)


def test_the_reviewer_page_costs_the_same_queries_with_more_comments(invited, django_assert_num_queries):
    invitation = invited["petra@example.org"]
    reviewer = Client()
    comment(reviewer, invitation, "key", "Eén")
    reviewer.get(page_url(invitation))  # the first visit also notes that the link was opened
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        reviewer.get(page_url(invitation))
    few = len(few)
    for index in range(10):
        comment(reviewer, invitation, "general" if index % 2 else "agreements", f"Opmerking {index}")
    with django_assert_num_queries(few):
        reviewer.get(page_url(invitation))


# Approving closes the review


def respond(invited):
    """Petra agrees and comments (resolved: changed); Bram comments twice (one not changed, one left open);
    Olga does not respond; a fourth, revoked, invitation commented but is not counted."""
    petra, bram = invited["petra@example.org"], invited["bram@example.org"]
    agree(Client(), petra)
    comment(Client(), petra, "key", "Kleine correctie")
    comment(Client(), bram, "general", "Niet mee eens")
    comment(Client(), bram, "agreements", "Afspraak mist")
    by_text = {c.text: c for c in ReviewComment.objects.all()}
    by_text["Kleine correctie"].resolution = ReviewResolution.CHANGED
    by_text["Kleine correctie"].save()
    by_text["Niet mee eens"].resolution = ReviewResolution.UNCHANGED
    by_text["Niet mee eens"].save()
    gone = ReviewInvitation.objects.create(
        report=petra.report,
        name="Ingetrokken",
        email="weg@example.org",
        token="t" * 43,
        expires_at=timezone.now() + timedelta(days=1),
        revoked_at=timezone.now(),
    )
    ReviewComment.objects.create(invitation=gone, section="general", section_title="x", text="telt niet")
    return gone


EXPECTED = {"invited": 3, "responded": 2, "agreed": 1, "comments": 3, "changed": 1, "unchanged": 1, "open": 1}


def test_approving_records_the_reviews_outcome_on_the_version_and_closes_the_links(
    client, invited, harvested, secretary
):
    gone = respond(invited)
    client.force_login(secretary)
    response = client.post(reverse("sessions:report_approve", args=[harvested.pk]), follow=True)
    content = response.content.decode()
    assert "1 comment from the review was not resolved. The review is closed; the version approved records it." in (
        content
    )
    version = ReportVersion.objects.get()
    assert version.review == EXPECTED
    assert set(ReviewInvitation.objects.values_list("version", flat=True)) == {version.pk}
    assert gone.pk in ReviewInvitation.objects.filter(version=version).values_list("pk", flat=True)
    # The report page: the version was reviewed, and how; no open review any more.
    listed = content.split('id="report-version-1"')[1].split("</li>")[0]
    assert "Reviewed: 2 of 3 responded, 1 akkoord, 3 comments (1 changed, 1 not changed, " in listed
    assert "1 open at approval" in listed
    assert "Invited:" not in content and "review-invitation " not in content
    send_page = client.get(reverse("sessions:report_send", args=[harvested.pk])).content.decode()
    assert "Reviewed: 2 of 3 responded" in send_page.split('<tr id="version-1">')[1]
    # Every link now says the review is closed.
    for invitation in invited.values():
        response = Client().get(page_url(invitation))
        assert response.status_code == 410
        assert "The report has been approved; the review is closed." in response.content.decode()


def test_approving_the_same_report_again_attaches_a_new_review_to_the_latest_version(
    client, invited, harvested, secretary, invite
):
    respond(invited)
    client.force_login(secretary)
    client.post(reverse("sessions:report_approve", args=[harvested.pk]))
    invite(harvested, "petra@example.org")
    second = ReviewInvitation.objects.get(version__isnull=True)
    agree(Client(), second)
    client.post(reverse("sessions:report_approve", args=[harvested.pk]))
    version = ReportVersion.objects.get()  # the same bytes: no new version
    assert version.review == EXPECTED | {"invited": 4, "responded": 3, "agreed": 2}
    assert ReviewInvitation.objects.get(pk=second.pk).version == version


def test_approving_without_a_review_records_none(client, harvested, secretary):
    client.force_login(secretary)
    response = client.post(reverse("sessions:report_approve", args=[harvested.pk]), follow=True)
    assert ReportVersion.objects.get().review == {}
    assert "Reviewed:" not in response.content.decode()
    assert "not resolved" not in response.content.decode()


def test_a_closed_review_cannot_be_changed_by_the_secretary(client, invited, harvested, secretary):
    comment(Client(), invited["petra@example.org"], "key", "Laat")
    client.force_login(secretary)
    client.post(reverse("sessions:report_approve", args=[harvested.pk]))
    stored = ReviewComment.objects.get()
    url = reverse("sessions:review_resolve", args=[harvested.pk])
    assert client.post(url, {"comment": stored.pk, "resolution": "aangepast"}).status_code == 404
    url = reverse("sessions:review_revoke", args=[harvested.pk])
    assert client.post(url, {"invitation": invited["petra@example.org"].pk}).status_code == 404
    assert ReviewComment.objects.get().resolution == ReviewResolution.OPEN


# The report mail tells that the draft was reviewed


def send_report(client, session, secretary, capture, run_mail_worker):
    client.force_login(secretary)
    client.post(reverse("sessions:report_approve", args=[session.pk]))
    mail.outbox.clear()
    with capture(execute=True):
        client.post(
            reverse("sessions:report_send", args=[session.pk]),
            {"recipients": ["petra@example.org"], "extra_addresses": "", "subject": "Verslag", "message": "Hierbij"},
        )
    run_mail_worker()
    [message] = mail.outbox
    return message


@pytest.mark.parametrize(
    ("responders", "sentence"),
    [
        (2, "Before it was approved, 2 participants reviewed the draft of this report."),
        (1, "Before it was approved, 1 participant reviewed the draft of this report."),
        (0, None),
    ],
)
def test_the_report_mail_says_how_many_reviewed_the_draft(
    client, invited, harvested, secretary, django_capture_on_commit_callbacks, run_mail_worker, responders, sentence
):
    for address in ["petra@example.org", "bram@example.org"][:responders]:
        agree(Client(), invited[address])
    message = send_report(client, harvested, secretary, django_capture_on_commit_callbacks, run_mail_worker)
    html = message.alternatives[0][0]
    if sentence:
        assert sentence in message.body and sentence in html
    else:
        assert "reviewed the draft" not in message.body and "reviewed the draft" not in html
    assert Delivery.objects.get().version.review["responded"] == responders


# Personal data (AVG)


def test_the_export_holds_the_persons_invitations_and_comments(invited, harvested):
    petra = invited["petra@example.org"]
    comment(Client(), petra, "key", "Dit zei ik anders")
    agree(Client(), petra)
    export = personal_data.export_person("PETRA@example.org")
    json.dumps(export)
    [exported] = export["review_invitations"]
    assert (exported["name"], exported["email"], exported["session"]["title"]) == (
        "Petra Professional",
        "petra@example.org",
        TITLE,
    )
    assert exported["agreed_at"] and exported["opened_at"] is None
    assert [(c["section"], c["text"], c["resolution"]) for c in exported["comments"]] == [
        ("Key harvest", "Dit zei ik anders", "")
    ]
    assert "bram" not in json.dumps(export).lower()
    assert invited["petra@example.org"].token not in json.dumps(export)
    # Only a review invitation under the address: the export is not empty.
    Participant.objects.filter(email="olga@example.org").delete()
    assert not personal_data.is_empty(personal_data.export_person("olga@example.org"))


def test_erasing_the_person_blanks_the_invitation_and_stops_the_link(invited, harvested, admin_user):
    petra, bram = invited["petra@example.org"], invited["bram@example.org"]
    comment(Client(), petra, "key", "Zeg het zoals Petra Professional het zei, mail petra@example.org")
    comment(Client(), bram, "key", "Bram zegt iets")
    erasure = personal_data.erase_person("petra@example.org", by=admin_user)
    erased = personal_data.placeholders()
    petra.refresh_from_db()
    assert (petra.name, petra.email) == (erased["name"], "")
    assert petra.revoked_at is not None and petra.token == invited["petra@example.org"].token
    assert erasure.counts["review_invitations"] == 1
    assert Client().get(page_url(petra)).status_code == 410
    assert ReviewComment.objects.get(invitation=petra).text == (
        f"Zeg het zoals {erased['name']} het zei, mail {erased['address']}"
    )
    bram.refresh_from_db()
    assert (bram.name, bram.email, bram.revoked_at) == ("Bram Beleid", "bram@example.org", None)
    assert ReviewComment.objects.get(invitation=bram).text == "Bram zegt iets"
    assert not ReviewInvitation.objects.filter(email__iexact="petra@example.org").exists()


def test_the_retention_command_forgets_the_addresses_of_review_invitations(invited, harvested):
    project = harvested.project
    project.ended_on = timezone.localdate() - timedelta(days=400)
    project.save(update_fields=["ended_on"])
    counts = personal_data.forget_addresses(ended_before=timezone.localdate() - timedelta(days=365))
    assert counts["review_invitations"] == 3
    assert set(ReviewInvitation.objects.values_list("email", flat=True)) == {""}
    assert ReviewInvitation.objects.filter(name="Petra Professional").exists()  # names stay


# The pieces


def test_the_sections_follow_what_the_report_shows(harvested):
    report = reports.report_for(harvested)
    reports.save_texts(report, summary="Kort", closing_remark="Tot slot")
    context = reports.report_context(harvested)
    keys = [section.key for section in review.sections_of(context)]
    rounds = [section.review_key for section in context["rounds"]]
    assert keys == ["summary", "key", *rounds, "agreements", "closing", "general"]
    assert all(re.fullmatch(r"round-\d+", key) for key in rounds)
    # The reviewer's page has a comment form under each, in that order, inside its section of the report.
    invitation = ReviewInvitation.objects.create(
        report=report, name="Petra", email="petra@example.org", token="p" * 43, expires_at=timezone.now() + timedelta(1)
    )
    page = Client().get(page_url(invitation)).content.decode()
    positions = [page.index(f'id="review-{key}"') for key in keys]
    assert positions == sorted(positions)
    article = page.split('<article class="report">')[1].split("</article>")[0]
    assert all(f'id="review-{key}"' in article for key in keys[:-1])
    assert 'id="review-general"' not in article


def test_the_preview_and_pdf_carry_no_review_forms(client, invited, harvested, secretary):
    comment(Client(), invited["petra@example.org"], "key", "Niet in de PDF")
    client.force_login(secretary)
    article = report_page(client, harvested).split('<article class="report">')[1].split("</article>")[0]
    assert "review-section" not in article and "Niet in de PDF" not in article
    from tests.sessies.test_report import pdf_text

    text, _pages = pdf_text(client.get(reverse("sessions:report_pdf", args=[harvested.pk])).content)
    assert "Niet in de PDF" not in text and "Your comment" not in text


def test_another_sessions_participants_are_not_linked(harvested, invite, project, secretary):
    other = SessionFactory(
        project=project, facilitator=harvested.facilitator, secretary=secretary, participants=table_participants()
    )
    invite(harvested, "petra@example.org")
    invitation = ReviewInvitation.objects.get()
    assert invitation.participant.session_id == harvested.pk != other.pk


def test_a_note_added_after_the_invitation_is_what_the_reviewer_reads(invited, harvested, secretary):
    block = harvested.blocks.order_by("order")[1]
    harvest.add_note(harvested, block_id=block.pk, author=secretary, text="Later toegevoegd", tag="opbrengst")
    assert "Later toegevoegd" in Client().get(page_url(invited["petra@example.org"])).content.decode()


def test_the_reviewer_pages_keep_to_the_content_security_policy(invited):
    from tests.site.test_csp import INLINE

    invitation = invited["petra@example.org"]
    reviewer = Client()
    comment(reviewer, invitation, "key", "Een opmerking")
    pages = [
        reviewer.get(page_url(invitation)),
        comment(reviewer, invitation, "key", "Nog een", **HTMX),
        agree(reviewer, invitation, **HTMX),
        reviewer.get(f"/meelezen/{GUESSED}/"),
    ]
    for response in pages:
        assert "Content-Security-Policy" in response
        content = response.content.decode()
        assert not [pattern.pattern for pattern in INLINE if pattern.search(content)]


def test_the_admin_shows_invitations_read_only_without_their_token(client, invited, admin_user):
    invitation = invited["petra@example.org"]
    comment(Client(), invitation, "key", "In de admin")
    client.force_login(admin_user)
    listing = client.get(reverse("admin:sessies_reviewinvitation_changelist"))
    assert listing.status_code == 200 and "Petra Professional" in listing.content.decode()
    page = client.get(reverse("admin:sessies_reviewinvitation_change", args=[invitation.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "In de admin" in content and invitation.token not in content
    assert client.get(reverse("admin:sessies_reviewinvitation_add")).status_code == 403
