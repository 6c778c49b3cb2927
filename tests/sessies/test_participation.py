"""Participants take part from their phones: the link, the phone's pages, the secretary's decisions, the push.

Behaviour goes through the Django test client, as a phone and the team use it; the domain
functions (sessies.participation) only build the situation a test starts from, and the push
section calls the renderers the streams call (sessies.screens), as tests/sessies/test_push.py does.

The UI is Dutch by default here (no `english` fixture): those tests check the status, the
language (Content-Language: nl) and what must be absent, since the nl locale does not translate
the participation texts yet. Tests that read a message opt in to English.
"""

import html
import re
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.test import AsyncClient, Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from draaiboeken.models import StepKind
from sessies import harvest, participation, push, roles, timeline
from sessies.hub import hub
from sessies.models import (
    JoinLink,
    Note,
    NoteTag,
    ParticipantDevice,
    Proposal,
    ProposalStatus,
    Session,
    SessionStep,
)
from sessies.screens import Screen, render_participant_push, render_push
from sessies.views.participate import device_cookie_name, device_key
from tests.conftest import HTMX, make_user
from tests.factories import ResearchProjectFactory, SessionFactory
from tests.sessies.test_push import read_until, run

PHONE_VIEWS = ("join", "poll", "send", "stream")
LOGIN_PATH = "/accounts/login/"


# Helpers


def phone_url(name, token):
    return reverse(f"participate:{name}", args=[token])


def link_url(session, action):
    return reverse("sessions:join_link", args=[session.pk, action])


def decide_url(session):
    return reverse("sessions:proposals", args=[session.pk])


def fresh(session):
    return Session.objects.select_related("current_block").get(pk=session.pk)


def open_questions(session):
    """The questions a phone may answer now (round 1's three)."""
    return list(fresh(session).current_block.outline.main_questions())


def join(client, link):
    """Open the link as a phone does: the page, and its device cookie."""
    response = client.get(phone_url("join", link.token))
    assert response.status_code == 200
    return client


def send(phone, link, question, text="Meer samenwerking met wijkteams", *, sender="", client_token=None, htmx=True):
    data = {
        "question": getattr(question, "pk", question),
        "text": text,
        "sender": sender,
        "client_token": client_token or uuid.uuid4().hex,
    }
    return phone.post(phone_url("send", link.token), data, headers=HTMX if htmx else {})


def device_key_of(phone, session):
    """The key behind the phone's signed device cookie (as the views read it)."""
    name = device_cookie_name(session.pk)
    request = RequestFactory().get("/")
    request.COOKIES[name] = phone.cookies[name].value
    return device_key(request, session.pk)


def signed_device_cookie(session, key):
    """A device cookie for `session` holding `key`, signed as the join page signs it."""
    name = device_cookie_name(session.pk)
    response = HttpResponse()
    response.set_signed_cookie(name, key, salt=participation.DEVICE_COOKIE_SALT)
    return response.cookies[name].value


def secrets_of(session):
    """What a bad link must never show: the session, its project, blocks, questions and people."""
    session = fresh(session)
    texts = [session.title, session.project.title, session.place]
    texts += [block.title for block in session.blocks.all()]
    texts += [step.text for step in SessionStep.objects.filter(block__session=session, kind=StepKind.QUESTION)]
    texts += [participant.name for participant in session.participants.all()]
    return [text for text in texts if text]


def assert_shows_nothing_of(session, response):
    content = response.content.decode()
    for text in secrets_of(session):
        assert text not in content and html.escape(text) not in content, f"{text!r} leaked"


def make_proposals(session, count, *, devices=3, sender="Groep"):
    """`count` open proposals from `devices` phones, spread over the current block's questions (one bulk insert)."""
    session = fresh(session)
    questions = open_questions(session)
    phones = [ParticipantDevice.objects.create(session=session, key=uuid.uuid4().hex) for _ in range(devices)]
    Proposal.objects.bulk_create(
        Proposal(
            session=session,
            device=phones[i % devices],
            block=session.current_block,
            question=questions[i % len(questions)],
            text=f"Voorstel {i}",
            sender=f"{sender} {i}",
            client_token=uuid.uuid4().hex,
        )
        for i in range(count)
    )
    return phones


# Fixtures


@pytest.fixture
def in_round(running):
    """Round 1 of Gesprekstafel 1 (block order 2): the first block with questions for the phones."""
    return timeline.advance_to_next_block(running.pk, running.timeline_version)


@pytest.fixture
def link(in_round, facilitator):
    return participation.open_for_participants(in_round, by=facilitator)


@pytest.fixture
def phone(link):
    """A participant's phone that has opened the link (and holds its device cookie)."""
    return join(Client(), link)


@pytest.fixture
def other_session(project, facilitator, secretary):
    """Another running session in round 1, with an open link of its own."""
    other = SessionFactory(project=project, facilitator=facilitator, secretary=secretary, title="Een andere tafel")
    other = timeline.start(other.pk, other.timeline_version)
    other = timeline.advance_to_next_block(other.pk, other.timeline_version)
    participation.open_for_participants(other, by=facilitator)
    return other


@pytest.fixture
def other_facilitator(django_user_model):
    """A facilitator on another project: may not even know this session exists."""
    user = make_user(django_user_model, "frits", roles.FACILITATORS)
    ResearchProjectFactory(title="Ander onderzoek", facilitators=[user])
    return user


@pytest.fixture
def announced(monkeypatch):
    """The events handed to this process's hub, in order (as tests/sessies/test_push.py captures them)."""
    events = []
    monkeypatch.setattr(hub, "publish_threadsafe", events.append)
    monkeypatch.setattr("django.conf.settings.LIVE_PUSH_BACKEND", "local")
    return events


# 1. The link's lifecycle (the facilitator's run view)


@pytest.mark.parametrize("htmx", [True, False])
def test_the_facilitator_opens_the_session_to_phones(client, in_round, facilitator, htmx):
    client.force_login(facilitator)

    response = client.post(link_url(in_round, "openen"), headers=HTMX if htmx else {})

    link = JoinLink.objects.get(session=in_round)
    assert link.is_open and link.created_by == facilitator
    assert len(link.token) >= 16
    if htmx:
        assert response.status_code == 200
        content = response.content.decode()
        # The run view's panel now shows the link and its QR code.
        assert phone_url("join", link.token) in content
        qr = reverse("sessions:join_qr", args=[in_round.pk, link.token])
        assert f'src="{qr}"' in content
        code = client.get(qr)
        assert code.status_code == 200 and code["Content-Type"] == "image/svg+xml"
        assert code.content.startswith(b"<?xml") and b"<svg" in code.content
    else:
        assert response.status_code == 302 and response["Location"] == reverse("sessions:run", args=[in_round.pk])


def test_the_qr_code_is_for_who_sees_the_session_and_only_while_its_link_is_open(
    client, in_round, facilitator, outsider
):
    link = participation.open_for_participants(in_round, by=facilitator)
    qr = reverse("sessions:join_qr", args=[in_round.pk, link.token])
    client.force_login(outsider)
    assert client.get(qr).status_code == 404
    client.force_login(facilitator)
    assert client.get(reverse("sessions:join_qr", args=[in_round.pk, "geraden"])).status_code == 404
    participation.close_for_participants(in_round)
    assert client.get(qr).status_code == 404


def test_a_second_open_keeps_the_same_link(client, in_round, facilitator):
    client.force_login(facilitator)
    client.post(link_url(in_round, "openen"), headers=HTMX)
    first = JoinLink.objects.get(session=in_round)

    response = client.post(link_url(in_round, "openen"), headers=HTMX)

    assert response.status_code == 200
    assert list(JoinLink.objects.filter(session=in_round)) == [first]
    assert JoinLink.objects.get(pk=first.pk).is_open


def test_renewing_closes_the_old_link_and_opens_a_new_one(client, link, in_round, facilitator):
    client.force_login(facilitator)

    response = client.post(link_url(in_round, "vernieuwen"), headers=HTMX)

    assert response.status_code == 200
    old = JoinLink.objects.get(pk=link.pk)
    new = JoinLink.objects.get(session=in_round, closed_at__isnull=True)
    assert not old.is_open and new.pk != old.pk and new.token != old.token
    assert phone_url("join", new.token) in response.content.decode()
    assert Client().get(phone_url("join", old.token)).status_code == 410
    assert Client().get(phone_url("join", new.token)).status_code == 200


def test_closing_closes_the_link(client, link, in_round, facilitator):
    client.force_login(facilitator)

    response = client.post(link_url(in_round, "sluiten"), headers=HTMX)

    assert response.status_code == 200
    assert not JoinLink.objects.get(pk=link.pk).is_open
    assert phone_url("join", link.token) not in response.content.decode()
    assert Client().get(phone_url("join", link.token)).status_code == 410
    # Closing again (nothing open) is harmless.
    assert client.post(link_url(in_round, "sluiten"), headers=HTMX).status_code == 200


def test_an_unknown_link_action_changes_nothing(client, in_round, facilitator):
    client.force_login(facilitator)

    response = client.post(link_url(in_round, "wissen"), headers=HTMX)

    assert response.status_code == 422
    assert not JoinLink.objects.filter(session=in_round).exists()


def test_a_finished_session_cannot_be_opened(client, in_round, facilitator):
    """Dutch UI: the status and the language; the nl locale has no translation of the message yet."""
    finished = timeline.finish(in_round.pk, fresh(in_round).timeline_version)
    client.force_login(facilitator)

    response = client.post(link_url(finished, "openen"), headers=HTMX)

    assert response.status_code == 409
    assert response["Content-Language"] == "nl"
    assert 'id="messages"' in response.content.decode()
    assert not JoinLink.objects.filter(session=finished).exists()


@pytest.mark.usefixtures("english")
def test_a_finished_session_cannot_be_opened_and_says_why(client, in_round, facilitator):
    finished = timeline.finish(in_round.pk, fresh(in_round).timeline_version)
    client.force_login(facilitator)

    htmx = client.post(link_url(finished, "openen"), headers=HTMX)
    plain = client.post(link_url(finished, "openen"), follow=True)

    message = "The session has finished; it can no longer be opened to participants."
    assert htmx.status_code == 409 and message in htmx.content.decode()
    assert plain.redirect_chain[0][1] == 302 and message in plain.content.decode()
    assert not JoinLink.objects.filter(session=finished).exists()


@pytest.mark.parametrize("action", ["openen", "sluiten", "vernieuwen"])
@pytest.mark.parametrize(
    ("user", "status"), [("secretary", 403), ("researcher", 403), ("outsider", 404), ("other_facilitator", 404)]
)
def test_only_who_runs_the_session_handles_its_link(client, link, in_round, request, user, status, action):
    client.force_login(request.getfixturevalue(user))

    response = client.post(link_url(in_round, action), headers=HTMX)

    assert response.status_code == status
    assert list(JoinLink.objects.filter(session=in_round)) == [link]
    assert JoinLink.objects.get(pk=link.pk).is_open


@pytest.mark.parametrize("action", ["openen", "sluiten", "vernieuwen"])
def test_without_a_login_the_link_actions_ask_to_sign_in(client, link, in_round, action):
    plain = client.post(link_url(in_round, action))
    htmx = client.post(link_url(in_round, action), headers=HTMX)

    assert plain.status_code == 302 and plain["Location"].startswith(LOGIN_PATH)
    assert htmx.status_code == 401
    assert JoinLink.objects.get(pk=link.pk).is_open
    assert JoinLink.objects.filter(session=in_round).count() == 1


# 2. Bad links: a clear page, the right status, nothing of the session


MALFORMED_TOKENS = [
    "x" * 300,  # longer than any token
    "%00",
    "%C2%B2",  # "²": alphanumeric to Python
    "d%C3%A9j%C3%A0-vu",
    "%E2%80%AEtoken",  # right-to-left override
    "..",
    "..%2F",  # "../": the route does not even match
    "%27%22%3Cscript%3E",
    "geraden-token-van-16",
]


def raw_phone_path(name, raw_token):
    """A phone URL with the token as given, unquoted by nobody (reverse() would quote or refuse it)."""
    suffix = {"join": "", "poll": "stand/", "send": "antwoord/", "stream": "stroom/"}[name]
    return f"/doe-mee/{raw_token}/{suffix}"


def hit(client, name, path):
    if name == "send":
        return client.post(path, {"question": "1", "text": "Hallo", "client_token": "abc"}, headers=HTMX)
    return client.get(path)


@pytest.mark.parametrize("name", PHONE_VIEWS)
@pytest.mark.parametrize("token", MALFORMED_TOKENS)
def test_an_unknown_or_malformed_token_finds_nothing(client, link, in_round, name, token):
    response = hit(client, name, raw_phone_path(name, token))

    assert response.status_code == 404
    assert_shows_nothing_of(in_round, response)
    assert not Proposal.objects.exists()
    if name != "stream":
        assert response["Content-Language"] == "nl"


@pytest.fixture(params=["closed", "renewed", "finished"])
def dead_link(request, link, in_round, facilitator):
    """A link that worked once: closed, replaced by a new one, or its session finished."""
    if request.param == "closed":
        participation.close_for_participants(in_round)
    elif request.param == "renewed":
        participation.renew_link(in_round, by=facilitator)
    else:
        timeline.finish(in_round.pk, fresh(in_round).timeline_version)
    return link


@pytest.mark.parametrize("name", PHONE_VIEWS)
def test_a_dead_link_is_gone(client, dead_link, in_round, name):
    response = hit(client, name, phone_url(name, dead_link.token))

    assert response.status_code == 410
    assert_shows_nothing_of(in_round, response)
    assert not Proposal.objects.exists()
    if name == "stream":
        assert response.content == b""
    else:
        assert response["Content-Language"] == "nl"
        assert "<form" not in response.content.decode().split("</header>", 1)[-1]


def test_a_phone_that_joined_before_the_link_closed_gets_the_closed_page(phone, link, in_round):
    """Its device cookie does not keep a dead link alive."""
    participation.close_for_participants(in_round)

    for name in PHONE_VIEWS:
        response = hit(phone, name, phone_url(name, link.token))
        assert response.status_code == 410, name
        assert_shows_nothing_of(in_round, response)


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("state", "status", "says"),
    [
        ("unknown", 404, "There is no session behind this link."),
        ("closed", 410, "The facilitator has closed this link or replaced it with a new one."),
        ("renewed", 410, "The facilitator has closed this link or replaced it with a new one."),
        ("finished", 410, "The session this link belonged to has finished."),
    ],
)
def test_a_bad_link_says_why_it_does_not_work(client, link, in_round, facilitator, state, status, says):
    token = link.token
    if state == "unknown":
        token = "onbekend-token"
    elif state == "closed":
        participation.close_for_participants(in_round)
    elif state == "renewed":
        participation.renew_link(in_round, by=facilitator)
    else:
        timeline.finish(in_round.pk, fresh(in_round).timeline_version)

    response = client.get(phone_url("join", token))

    assert response.status_code == status
    content = response.content.decode()
    assert "This link does not work (any more)" in content and says in content


def test_a_working_link_answers_the_stream_with_204_under_wsgi(client, link):
    """A WSGI worker must not hold a stream: EventSource stops and the page polls."""
    assert client.get(phone_url("stream", link.token)).status_code == 204


# 3. A phone's link opens the phone's pages only


def team_urls(session):
    pk = session.pk
    return [
        reverse("dashboard"),
        reverse("sessions:list"),
        reverse("sessions:detail", args=[pk]),
        reverse("sessions:run", args=[pk]),
        reverse("sessions:notes", args=[pk]),
        reverse("sessions:projector", args=[pk]),
        reverse("sessions:report", args=[pk]),
        reverse("sessions:live", args=[pk]) + "?v=0&view=notes",
        reverse("sessions:stream", args=[pk]) + "?view=notes",
        reverse("projects:list"),
        reverse("projects:detail", args=[session.project_id]),
    ]


@pytest.fixture
def used_phone(phone, link, in_round):
    """A phone that joined, sent an answer, was refused once without htmx (a message) and polled."""
    question = open_questions(in_round)[0]
    assert send(phone, link, question).status_code == 200
    assert send(phone, link, question, text="", htmx=False).status_code == 302
    phone.get(phone_url("join", link.token))
    phone.get(phone_url("poll", link.token), {"v": "0"})
    return phone


@pytest.mark.parametrize("htmx", [False, True])
def test_a_phone_reaches_no_team_page(used_phone, in_round, htmx):
    for url in team_urls(in_round):
        response = used_phone.get(url, headers=HTMX if htmx else {})
        if htmx:
            assert response.status_code == 401, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(f"{LOGIN_PATH}?next="), url
        assert_shows_nothing_of(in_round, response)


def test_a_phone_reaches_no_admin_page(used_phone, in_round):
    """The admin's index sends to the admin's own login page; its other pages to the site's."""
    for url in (reverse("admin:index"), reverse("admin:sessies_session_changelist")):
        response = used_phone.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith((LOGIN_PATH, reverse("admin:login"))), url
        assert used_phone.get(url, headers=HTMX).status_code == 401, url


def test_a_phones_token_is_not_a_reviewers_token(used_phone, link):
    for name in ("page", "comment", "agree"):
        method = used_phone.get if name == "page" else used_phone.post
        assert method(reverse(f"review:{name}", args=[link.token])).status_code == 404, name


def test_the_phones_page_holds_its_own_urls_and_nobody_s_name(phone, link, in_round, facilitator, secretary):
    content = phone.get(phone_url("join", link.token)).content.decode()

    assert fresh(in_round).title in content
    assert phone_url("stream", link.token) in content and phone_url("poll", link.token) in content
    assert "/sessies/" not in content, "a team URL on the phone's page"
    people = [(p.name, p.email) for p in fresh(in_round).participants.all()]
    people += [(user.get_full_name(), user.email) for user in (facilitator, secretary)]
    for value in (value for person in people for value in person if value):
        assert value not in content, f"{value!r} on the phone's page"


@pytest.mark.parametrize(("name", "method"), [("join", "post"), ("poll", "post"), ("send", "get"), ("stream", "post")])
def test_a_phone_url_refuses_the_wrong_method(client, link, in_round, name, method):
    response = getattr(client, method)(phone_url(name, link.token))

    assert response.status_code == 405
    assert not Proposal.objects.exists()


def test_a_phone_can_post_nothing_for_the_team(used_phone, in_round, link):
    """Not the link, not a decision, not a note: each asks for a login and changes nothing."""
    proposal = Proposal.objects.get()
    posts = [
        (link_url(in_round, "sluiten"), {}),
        (decide_url(in_round), {"accept": proposal.pk}),
        (reverse("sessions:note_create", args=[in_round.pk]), {"text": "Van een telefoon", "tag": "opbrengst"}),
        (reverse("sessions:transition", args=[in_round.pk, "volgende"]), {"version": in_round.timeline_version}),
    ]
    for url, data in posts:
        response = used_phone.post(url, data)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_PATH), url

    assert JoinLink.objects.get(pk=link.pk).is_open
    assert Proposal.objects.get().status == ProposalStatus.NEW
    assert not Note.objects.exists()


def test_the_device_cookie_is_the_phones_only_keepsake(client, link, in_round):
    response = client.get(phone_url("join", link.token))

    cookie = response.cookies[device_cookie_name(in_round.pk)]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == phone_url("join", link.token)
    assert int(cookie["max-age"]) == 12 * 60 * 60
    # No login, no Django session for merely opening the page.
    assert "sessionid" not in response.cookies
    # A second visit keeps the key it has.
    assert device_cookie_name(in_round.pk) not in client.get(phone_url("join", link.token)).cookies


# 4. Sending an answer


def test_an_answer_becomes_a_proposal_with_its_sender(phone, link, in_round):
    question = open_questions(in_round)[1]

    response = send(phone, link, question, text="Huisartsen eerder betrekken", sender="Tafel 2")

    assert response.status_code == 200
    proposal = Proposal.objects.get()
    assert (proposal.text, proposal.sender, proposal.status) == ("Huisartsen eerder betrekken", "Tafel 2", "nieuw")
    assert proposal.question == question and proposal.block == fresh(in_round).current_block
    assert proposal.device.key == device_key_of(phone, in_round)
    content = response.content.decode()
    # A fresh form for the next answer, and the phone's own list out of band.
    assert f'id="answer-{question.pk}"' in content and "</textarea>" in content
    assert 'id="my-proposals" hx-swap-oob="true"' in content and "Huisartsen eerder betrekken" in content


@pytest.mark.usefixtures("english")
def test_the_phone_confirms_what_it_sent(phone, link, in_round):
    response = send(phone, link, open_questions(in_round)[0])

    assert "Sent. The secretary will see it." in response.content.decode()


def test_without_htmx_a_sent_answer_goes_back_to_the_page(phone, link, in_round):
    response = send(phone, link, open_questions(in_round)[0], text="Zonder javascript", htmx=False)

    assert response.status_code == 302 and response["Location"] == phone_url("join", link.token)
    page = phone.get(response["Location"]).content.decode()
    assert "Zonder javascript" in page
    assert Proposal.objects.get().text == "Zonder javascript"


MARKUP = "<script>alert(1)</script> & <b>vet</b>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;vet&lt;/b&gt;"


def test_markup_is_kept_as_text_and_escaped_everywhere(phone, link, in_round, client, secretary, facilitator):
    send(phone, link, open_questions(in_round)[0], text=MARKUP, sender="<i>Groep</i>")
    proposal = Proposal.objects.get()
    assert proposal.text == MARKUP and proposal.sender == "<i>Groep</i>"

    def assert_escaped(response):
        content = response.content.decode()
        assert response.status_code == 200
        assert ESCAPED in content
        assert "<script>alert(1)" not in content and "<i>Groep</i>" not in content and "<b>vet" not in content

    assert_escaped(phone.get(phone_url("join", link.token)))
    client.force_login(secretary)
    notes_page = client.get(reverse("sessions:notes", args=[in_round.pk]))
    assert_escaped(notes_page)
    assert "&lt;i&gt;Groep&lt;/i&gt;" in notes_page.content.decode()

    client.post(decide_url(in_round), {"accept": proposal.pk, f"text-{proposal.pk}": ""}, headers=HTMX)
    note = Note.objects.get()
    participation.show_on_projector(in_round, note, True)
    client.force_login(facilitator)
    assert_escaped(client.get(reverse("sessions:run", args=[in_round.pk])))
    assert_escaped(client.get(reverse("sessions:projector", args=[in_round.pk])))
    assert_escaped(client.get(reverse("sessions:notes", args=[in_round.pk])))


@pytest.mark.usefixtures("english")
def test_without_htmx_a_refused_answer_goes_back_to_the_page_with_the_reason(phone, link, in_round):
    """The page without JavaScript: the reason shows; the typed text is not kept (saving.js keeps drafts)."""
    response = send(phone, link, open_questions(in_round)[0], text="a" * 501, htmx=False)

    assert response.status_code == 302 and response["Location"] == phone_url("join", link.token)
    page = phone.get(response["Location"]).content.decode()
    assert "Your answer is too long: 501 characters, at most 500." in page
    assert not Proposal.objects.exists()


def test_a_retry_with_the_same_client_token_is_the_same_proposal(phone, link, in_round):
    question = open_questions(in_round)[0]

    first = send(phone, link, question, text="Een keer", client_token="token-1")
    again = send(phone, link, question, text="Een keer", client_token="token-1")

    assert first.status_code == again.status_code == 200
    assert Proposal.objects.count() == 1
    # Another phone may use the same token: it is per phone.
    other = join(Client(), link)
    assert send(other, link, question, client_token="token-1").status_code == 200
    assert Proposal.objects.count() == 2


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("text", "sender", "error"),
    [
        ("", "", "Your answer is empty."),
        ("   \n\t ", "", "Your answer is empty."),
        ("\x00\x07\x1b", "", "Your answer is empty."),
        ("a" * 501, "", "Your answer is too long: 501 characters, at most 500."),
        ("Goed antwoord", "g" * 61, "Your name or subgroup is too long: 61 characters, at most 60."),
    ],
)
def test_an_answer_the_rules_refuse_comes_back_with_the_text_and_the_error(phone, link, in_round, text, sender, error):
    question = open_questions(in_round)[0]

    response = send(phone, link, question, text=text, sender=sender, client_token="mijn-token")

    assert response.status_code == 422
    content = response.content.decode()
    assert f'id="answer-{question.pk}"' in content
    assert f">{html.escape(text)}</textarea>" in content, "the posted text was not kept"
    assert error in content and 'aria-invalid="true"' in content
    assert 'name="client_token" value="mijn-token"' in content, "a retry must stay the same proposal"
    assert not Proposal.objects.exists()


def test_an_answer_of_500_characters_is_taken(phone, link, in_round):
    assert send(phone, link, open_questions(in_round)[0], text="a" * 500, sender="g" * 60).status_code == 200
    assert len(Proposal.objects.get().text) == 500


def test_control_characters_are_stripped(phone, link, in_round):
    text = "\x00Een\x07 twee\r\ndrie\u200b\u202e\tvier\x1b "
    send(phone, link, open_questions(in_round)[0], text=text, sender="\u202eGroep\x00 3\n")

    proposal = Proposal.objects.get()
    assert proposal.text == "Een twee\ndrie\tvier"
    assert proposal.sender == "Groep 3"


def test_spaces_of_other_kinds_do_not_glue_words_together(phone, link, in_round):
    send(phone, link, open_questions(in_round)[0], text="10\u00a0km lopen\u2028daarna\u202fzo", sender="Tafel\u00a03")

    proposal = Proposal.objects.get()
    assert proposal.text.split() == ["10", "km", "lopen", "daarna", "zo"]
    assert proposal.sender.split() == ["Tafel", "3"]


def test_an_answer_without_a_client_token_is_refused(phone, link, in_round):
    response = phone.post(
        phone_url("send", link.token),
        {"question": open_questions(in_round)[0].pk, "text": "Zonder token"},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "Zonder token</textarea>" in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_question_that_is_not_open_here_is_refused(phone, link, in_round, other_session):
    session = fresh(in_round)
    foreign = open_questions(other_session)[0]
    instruction = session.current_block.steps.filter(kind=StepKind.INSTRUCTION).first()
    later = SessionStep.objects.filter(block__session=session, block__order=3, kind=StepKind.QUESTION).first()
    assert instruction is not None and later is not None

    for question in (foreign.pk, instruction.pk, later.pk, "", "abc", "-1", str(2**63)):
        response = send(phone, link, question, text="Verkeerde vraag")
        assert response.status_code == 422, question
        assert "Verkeerde vraag</textarea>" in response.content.decode()
        # Nothing of the other session reaches this phone.
        assert foreign.text not in response.content.decode()
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("state", ["later block", "planned"])
def test_a_refused_answer_does_not_reveal_a_question_not_open_yet(session, facilitator, state):
    if state == "later block":
        session = timeline.start(session.pk, session.timeline_version)  # in the introduction: no questions yet
    link = participation.open_for_participants(session, by=facilitator)
    phone = join(Client(), link)
    closing = SessionStep.objects.filter(block__session=session, block__order=4, kind=StepKind.QUESTION)

    for question in closing:
        response = send(phone, link, question, text="Even kijken")
        assert response.status_code in (409, 422)
        assert html.escape(question.text[:40]) not in response.content.decode(), "a question not open yet"


def test_a_question_the_group_has_just_left_still_takes_an_answer(phone, link, in_round):
    """A participant who typed while the facilitator moved on keeps their answer."""
    question = open_questions(in_round)[0]
    timeline.advance_to_next_block(in_round.pk, fresh(in_round).timeline_version)

    response = send(phone, link, question, text="Nog net op tijd")

    assert response.status_code == 200
    assert Proposal.objects.get().block == question.block


def test_a_paused_session_takes_answers(phone, link, in_round):
    timeline.pause(in_round.pk, fresh(in_round).timeline_version)

    assert send(phone, link, open_questions(in_round)[0]).status_code == 200


@pytest.mark.usefixtures("english")
def test_a_planned_session_shows_the_phone_it_has_not_started_and_refuses_answers(session, facilitator):
    link = participation.open_for_participants(session, by=facilitator)
    phone = Client()
    page = phone.get(phone_url("join", link.token))
    question = SessionStep.objects.filter(block__session=session, block__order=2, kind=StepKind.QUESTION).first()

    response = send(phone, link, question, text="Te vroeg")

    assert page.status_code == 200 and "The session starts at" in page.content.decode()
    assert question.text not in page.content.decode()
    assert response.status_code == 409
    content = response.content.decode()
    assert "The session is not running now; answers cannot be sent." in content and "Te vroeg</textarea>" in content
    assert not Proposal.objects.exists()


def test_a_finished_session_takes_no_more_answers(phone, link, in_round):
    question = open_questions(in_round)[0]
    timeline.finish(in_round.pk, fresh(in_round).timeline_version)

    response = send(phone, link, question)

    assert response.status_code == 410
    assert_shows_nothing_of(in_round, response)
    assert not Proposal.objects.exists()


@pytest.mark.usefixtures("english")
def test_a_blocked_phone_is_refused(phone, link, in_round, client, secretary):
    question = open_questions(in_round)[0]
    send(phone, link, question, text="Onzin")
    client.force_login(secretary)
    client.post(decide_url(in_round), {"block": Proposal.objects.get().pk}, headers=HTMX)

    response = send(phone, link, question, text="Nog meer onzin")

    assert response.status_code == 403
    assert "Answers from this phone are no longer accepted." in response.content.decode()
    assert Proposal.objects.count() == 1


@pytest.mark.usefixtures("english")
def test_a_phone_sending_too_fast_is_slowed_down(phone, link, in_round, settings):
    settings.PARTICIPANT_PROPOSALS_PER_DEVICE_PER_MINUTE = 2
    question = open_questions(in_round)[0]
    for i in range(2):
        assert send(phone, link, question, text=f"Antwoord {i}", client_token=f"t{i}").status_code == 200

    response = send(phone, link, question, text="Een te veel", client_token="t2")

    assert response.status_code == 429
    content = response.content.decode()
    assert "You are sending answers very fast." in content and "Een te veel</textarea>" in content
    assert Proposal.objects.count() == 2
    # A retry of what was stored still answers as sent; another phone is not slowed down.
    assert send(phone, link, question, text="Antwoord 0", client_token="t0").status_code == 200
    assert send(join(Client(), link), link, question).status_code == 200
    assert Proposal.objects.count() == 3


@pytest.mark.usefixtures("english")
def test_a_session_flooded_with_answers_is_slowed_down(link, in_round, settings):
    settings.PARTICIPANT_PROPOSALS_PER_SESSION_PER_MINUTE = 3
    question = open_questions(in_round)[0]
    for _ in range(3):
        assert send(join(Client(), link), link, question).status_code == 200

    response = send(join(Client(), link), link, question, text="Een te veel")

    assert response.status_code == 429
    assert "Many answers are coming in at once." in response.content.decode()
    assert Proposal.objects.count() == 3


@pytest.mark.usefixtures("english")
def test_a_phone_without_its_device_cookie_is_asked_to_open_the_link_again(client, link, in_round):
    """A fresh client posting straight to the send URL (no page visit, no cookie)."""
    question = open_questions(in_round)[0]

    htmx = send(client, link, question, text="Direct gepost")
    plain = send(client, link, question, text="Direct gepost", htmx=False)

    assert htmx.status_code == 403
    assert "This phone cannot send answers. Open the link again." in htmx.content.decode()
    assert "Direct gepost</textarea>" in htmx.content.decode()
    assert plain.status_code == 302 and plain["Location"] == phone_url("join", link.token)
    assert not Proposal.objects.exists() and not ParticipantDevice.objects.exists()


def test_a_forged_device_cookie_is_not_a_device(client, link, in_round):
    client.cookies[device_cookie_name(in_round.pk)] = "vervalst:abc"

    response = send(client, link, open_questions(in_round)[0])

    assert response.status_code == 403
    assert not Proposal.objects.exists()


def test_another_sessions_device_key_cannot_send_here(link, in_round, other_session):
    """A cookie copied from another session's phone: the key is that session's, not this one's."""
    other_link = participation.open_link(other_session)
    other_phone = join(Client(), other_link)
    send(other_phone, other_link, open_questions(other_session)[0])
    key = device_key_of(other_phone, other_session)
    phone = Client()
    phone.cookies[device_cookie_name(in_round.pk)] = signed_device_cookie(in_round, key)

    response = send(phone, link, open_questions(in_round)[0])

    assert response.status_code == 403
    assert Proposal.objects.filter(session=in_round).count() == 0


def test_a_phone_with_csrf_checks_sends_with_the_pages_token(link, in_round):
    """As a real browser: the page gives the CSRF token the form needs; without it nothing is stored."""
    phone = Client(enforce_csrf_checks=True)
    page = phone.get(phone_url("join", link.token)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    question = open_questions(in_round)[0]
    data = {"question": question.pk, "text": "Met csrf", "client_token": "c1"}

    assert phone.post(phone_url("send", link.token), data, headers=HTMX).status_code == 403
    assert not Proposal.objects.exists()
    response = phone.post(phone_url("send", link.token), {**data, "csrfmiddlewaretoken": token}, headers=HTMX)
    assert response.status_code == 200 and Proposal.objects.count() == 1


def test_a_phone_sees_its_own_answers_only(phone, link, in_round):
    question = open_questions(in_round)[0]
    send(phone, link, question, text="Van mij")
    send(join(Client(), link), link, question, text="Van een ander")

    page = phone.get(phone_url("join", link.token)).content.decode()

    assert "Van mij" in page and "Van een ander" not in page


def test_the_phone_poll_answers_204_until_something_changes(phone, link, in_round):
    version = fresh(in_round).version

    unchanged = phone.get(phone_url("poll", link.token), {"v": version})
    behind = phone.get(phone_url("poll", link.token), {"v": version - 1})

    assert unchanged.status_code == 204
    assert behind.status_code == 200
    content = behind.content.decode()
    assert 'id="participant-now" hx-swap-oob="true"' in content and 'id="my-proposals"' in content
    for question in open_questions(in_round):
        assert question.text in content


@pytest.mark.usefixtures("english")
def test_the_phone_follows_what_the_secretary_decided(phone, link, in_round, client, secretary):
    send(phone, link, open_questions(in_round)[0], text="Overnemen graag")
    send(phone, link, open_questions(in_round)[1], text="Liever niet")
    accepted, dismissed = Proposal.objects.order_by("pk")
    client.force_login(secretary)
    client.post(decide_url(in_round), {"accept": accepted.pk}, headers=HTMX)
    client.post(decide_url(in_round), {"dismiss": dismissed.pk}, headers=HTMX)

    content = phone.get(phone_url("join", link.token)).content.decode()

    assert ">accepted</span>" in content and ">dismissed</span>" in content


# 5. The secretary's decisions


@pytest.fixture
def secretary_client(client, secretary):
    client.force_login(secretary)
    return client


@pytest.fixture
def two_proposals(link, in_round):
    """Two phones' answers to round 1's first and second question."""
    questions = open_questions(in_round)
    send(join(Client(), link), link, questions[1], text="Eerste idee", sender="Tafel 1")
    send(join(Client(), link), link, questions[0], text="Tweede idee", sender="Tafel 2")
    return list(Proposal.objects.order_by("created_at", "pk"))


def test_accepting_makes_a_note_of_the_edited_text(secretary_client, secretary, in_round, two_proposals):
    proposal = two_proposals[0]

    response = secretary_client.post(
        decide_url(in_round), {"accept": proposal.pk, f"text-{proposal.pk}": "  Eerste idee, ingekort  "}, headers=HTMX
    )

    assert response.status_code == 200
    note = Note.objects.get()
    assert note.text == "Eerste idee, ingekort"
    assert note.tag == NoteTag.HARVEST == "opbrengst"
    assert (note.question, note.block) == (proposal.question, proposal.block)
    assert note.from_participants and note.contributor == "Tafel 1" and note.author == secretary
    assert not note.on_projector
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.note == note and proposal.decided_by == secretary
    # The answer: the inbox without it, the other one still there.
    content = response.content.decode()
    assert f'id="proposal-{proposal.pk}"' not in content and f'id="proposal-{two_proposals[1].pk}"' in content


def test_accepting_without_an_edit_takes_the_phones_text(secretary_client, in_round, two_proposals):
    proposal = two_proposals[0]

    response = secretary_client.post(decide_url(in_round), {"accept": proposal.pk})

    assert response.status_code == 302 and response["Location"] == reverse("sessions:notes", args=[in_round.pk])
    assert Note.objects.get().text == "Eerste idee"


def test_merging_makes_one_note_of_both_edited_texts(secretary_client, in_round, two_proposals):
    first, second = two_proposals

    response = secretary_client.post(
        decide_url(in_round),
        {
            "merge": "",
            "selected": [first.pk, second.pk],
            f"text-{first.pk}": "Eerste, bewerkt",
            f"text-{second.pk}": "Tweede, bewerkt",
        },
        headers=HTMX,
    )

    assert response.status_code == 200
    note = Note.objects.get()
    assert note.text == "Eerste, bewerkt\nTweede, bewerkt"
    assert note.contributor == "Tafel 1, Tafel 2"
    # Under the question of the oldest proposal.
    assert note.question == first.question and note.from_participants
    for proposal in two_proposals:
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.ACCEPTED and proposal.note == note


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("selected", [[], ["first"], ["first", "foreign"]])
def test_merging_fewer_than_two_changes_nothing(secretary_client, in_round, two_proposals, other_session, selected):
    other_link = participation.open_link(other_session)
    send(join(Client(), other_link), other_link, open_questions(other_session)[0], text="Andere sessie")
    foreign = Proposal.objects.get(session=other_session)
    pks = {"first": two_proposals[0].pk, "foreign": foreign.pk}

    response = secretary_client.post(
        decide_url(in_round), {"merge": "", "selected": [pks[name] for name in selected]}, headers=HTMX
    )

    assert response.status_code == 200
    assert "Select at least two proposals to merge." in response.content.decode()
    assert not Note.objects.exists()
    assert set(Proposal.objects.values_list("status", flat=True)) == {ProposalStatus.NEW}


@pytest.mark.usefixtures("english")
def test_one_proposal_selected_twice_is_not_a_merge(secretary_client, in_round, two_proposals):
    first = two_proposals[0]

    response = secretary_client.post(
        decide_url(in_round), {"merge": "", "selected": [first.pk, first.pk]}, headers=HTMX
    )

    assert "Select at least two proposals to merge." in response.content.decode()
    assert not Note.objects.exists(), f"a note was made: {list(Note.objects.values_list('text', flat=True))}"
    assert Proposal.objects.get(pk=first.pk).status == ProposalStatus.NEW


def test_a_participant_cannot_star_or_retag_through_a_prefix(secretary_client, link, in_round):
    """The secretary's "* " (key harvest) and tag prefixes are hers: a phone's text is taken as it is."""
    phone = join(Client(), link)
    for text in ("* Dit is de kern", "c: Zo zei iemand het", "af: * Iedereen krijgt een bonus"):
        send(phone, link, open_questions(in_round)[0], text=text)
    for proposal in Proposal.objects.all():
        secretary_client.post(decide_url(in_round), {"accept": proposal.pk}, headers=HTMX)

    notes = {note.text: note for note in Note.objects.all()}
    assert set(notes) == {"* Dit is de kern", "c: Zo zei iemand het", "af: * Iedereen krijgt een bonus"}
    assert all(not note.is_key and note.tag == NoteTag.HARVEST for note in notes.values())


def test_dismissing_makes_no_note(secretary_client, secretary, in_round, two_proposals):
    proposal = two_proposals[0]

    response = secretary_client.post(decide_url(in_round), {"dismiss": proposal.pk}, headers=HTMX)

    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DISMISSED and proposal.decided_by == secretary
    assert not Note.objects.exists()
    assert f'id="proposal-{proposal.pk}"' not in response.content.decode()


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("first", ["accept", "dismiss"])
@pytest.mark.parametrize("then", ["accept", "dismiss"])
def test_deciding_twice_says_so_and_adds_nothing(secretary_client, in_round, two_proposals, first, then):
    proposal = two_proposals[0]
    secretary_client.post(decide_url(in_round), {first: proposal.pk}, headers=HTMX)
    status = Proposal.objects.get(pk=proposal.pk).status

    response = secretary_client.post(decide_url(in_round), {then: proposal.pk}, headers=HTMX)

    assert response.status_code == 200
    assert "This proposal has already been dealt with." in response.content.decode()
    assert Note.objects.count() == (1 if first == "accept" else 0)
    assert Proposal.objects.get(pk=proposal.pk).status == status


def test_blocking_a_phone_dismisses_its_open_proposals_and_refuses_the_next(secretary_client, link, in_round):
    questions = open_questions(in_round)
    rude, polite = join(Client(), link), join(Client(), link)
    send(rude, link, questions[0], text="Onzin 1")
    send(rude, link, questions[1], text="Onzin 2")
    send(polite, link, questions[0], text="Zinnig")
    target = Proposal.objects.get(text="Onzin 1")

    response = secretary_client.post(decide_url(in_round), {"block": target.pk}, headers=HTMX)

    assert response.status_code == 200
    assert ParticipantDevice.objects.get(pk=target.device_id).blocked_at is not None
    statuses = dict(Proposal.objects.values_list("text", "status"))
    assert statuses == {"Onzin 1": "afgewezen", "Onzin 2": "afgewezen", "Zinnig": "nieuw"}
    content = response.content.decode()
    assert "Onzin" not in content and "Zinnig" in content
    assert send(rude, link, questions[0], text="Onzin 3").status_code == 403
    assert send(polite, link, questions[0], text="Nog iets").status_code == 200
    assert not Note.objects.exists()


def test_a_proposal_of_another_session_is_ignored(secretary_client, in_round, other_session, two_proposals):
    other_link = participation.open_link(other_session)
    send(join(Client(), other_link), other_link, open_questions(other_session)[0], text="Andere sessie")
    foreign = Proposal.objects.get(session=other_session)

    for button in ("accept", "dismiss", "block"):
        response = secretary_client.post(decide_url(in_round), {button: foreign.pk}, headers=HTMX)
        assert response.status_code == 200
        assert "Andere sessie" not in response.content.decode()

    foreign.refresh_from_db()
    assert foreign.status == ProposalStatus.NEW and foreign.device.blocked_at is None
    assert not Note.objects.exists()


@pytest.mark.parametrize("value", ["", "abc", "-1", str(2**63), "0"])
def test_a_hostile_proposal_pk_changes_nothing(secretary_client, in_round, two_proposals, value):
    for button in ("accept", "dismiss", "block"):
        assert secretary_client.post(decide_url(in_round), {button: value}, headers=HTMX).status_code == 200
    assert set(Proposal.objects.values_list("status", flat=True)) == {ProposalStatus.NEW}
    assert not Note.objects.exists()


@pytest.mark.parametrize(("user", "status"), [("researcher", 403), ("outsider", 404), ("other_facilitator", 404)])
def test_who_does_not_keep_the_notes_cannot_decide(client, in_round, two_proposals, request, user, status):
    client.force_login(request.getfixturevalue(user))
    proposal = two_proposals[0]

    for data in ({"accept": proposal.pk}, {"dismiss": proposal.pk}, {"block": proposal.pk}):
        assert client.post(decide_url(in_round), data, headers=HTMX).status_code == status

    assert set(Proposal.objects.values_list("status", flat=True)) == {ProposalStatus.NEW}
    assert not Note.objects.exists() and not ParticipantDevice.objects.filter(blocked_at__isnull=False).exists()


def test_a_researcher_watching_the_notes_page_sees_no_inbox(client, researcher, in_round, two_proposals):
    client.force_login(researcher)

    content = client.get(reverse("sessions:notes", args=[in_round.pk])).content.decode()

    assert "Eerste idee" not in content and 'name="accept"' not in content


def test_the_facilitator_can_decide_too(client, facilitator, in_round, two_proposals):
    """The facilitator keeps notes too (Session.can_write_notes), so may decide."""
    client.force_login(facilitator)

    assert client.post(decide_url(in_round), {"accept": two_proposals[0].pk}, headers=HTMX).status_code == 200
    assert Note.objects.count() == 1


def toggle_url(session, note):
    return reverse("sessions:note_on_projector", args=[session.pk, note.pk])


def test_the_facilitator_shows_an_accepted_answer_on_the_projector(
    client, secretary_client, facilitator, in_round, two_proposals
):
    proposal = two_proposals[0]
    secretary_client.post(decide_url(in_round), {"accept": proposal.pk, f"text-{proposal.pk}": "Voor iedereen"})
    note = Note.objects.get()
    client.force_login(facilitator)
    projector = reverse("sessions:projector", args=[in_round.pk])
    assert "Voor iedereen" not in client.get(projector).content.decode()
    run_page = client.get(reverse("sessions:run", args=[in_round.pk])).content.decode()
    assert "Voor iedereen" in run_page and toggle_url(in_round, note) in run_page

    shown = client.post(toggle_url(in_round, note), {"shown": "1"}, headers=HTMX)

    assert shown.status_code == 200 and Note.objects.get().on_projector
    assert 'aria-pressed="true"' in shown.content.decode()
    page = client.get(projector).content.decode()
    assert "Voor iedereen" in page and "Tafel 1" in page

    hidden = client.post(toggle_url(in_round, note), {"shown": "0"})

    assert hidden.status_code == 302 and not Note.objects.get().on_projector
    assert "Voor iedereen" not in client.get(projector).content.decode()


def test_the_projector_shows_the_current_blocks_answers_only(client, facilitator, secretary, in_round, two_proposals):
    participation.accept(in_round, [two_proposals[0]], by=secretary, text="Uit ronde 1")
    participation.show_on_projector(in_round, Note.objects.get(), True)
    client.force_login(facilitator)
    projector = reverse("sessions:projector", args=[in_round.pk])
    assert "Uit ronde 1" in client.get(projector).content.decode()

    timeline.advance_to_next_block(in_round.pk, fresh(in_round).timeline_version)

    assert "Uit ronde 1" not in client.get(projector).content.decode()


def test_only_an_answer_from_participants_goes_on_the_projector_this_way(client, facilitator, secretary, in_round):
    note = harvest.add_note(
        in_round, block_id=fresh(in_round).current_block_id, text="Eigen notitie", tag="opbrengst", author=secretary
    )
    client.force_login(facilitator)

    response = client.post(toggle_url(in_round, note), {"shown": "1"}, headers=HTMX)

    assert response.status_code == 404
    assert not Note.objects.get().on_projector


@pytest.mark.parametrize(("user", "status"), [("researcher", 403), ("outsider", 404)])
def test_who_does_not_keep_the_notes_cannot_use_the_projector_switch(
    client, secretary, in_round, two_proposals, request, user, status
):
    participation.accept(in_round, [two_proposals[0]], by=secretary)
    note = Note.objects.get()
    client.force_login(request.getfixturevalue(user))

    assert client.post(toggle_url(in_round, note), {"shown": "1"}, headers=HTMX).status_code == status
    assert not Note.objects.get().on_projector


@pytest.mark.usefixtures("english")
def test_the_run_view_counts_the_waiting_proposals(client, facilitator, in_round, two_proposals):
    client.force_login(facilitator)

    content = client.get(reverse("sessions:run", args=[in_round.pk])).content.decode()

    assert "2</span> proposals wait for the secretary" in content


# 6. The push


@pytest.fixture
def push_request(rf):
    """make(user=None): a request as a stream holds it (a phone's has no user)."""

    def make(user=None):
        request = rf.get("/")
        request.user = user or AnonymousUser()
        request.session = {}
        return request

    return make


def proposals_event(session):
    return push.Event(session.pk, fresh(session).version, push.PROPOSALS)


def phone_push(link, event, *, device_key, request):
    """A phone's stream render for `event` (None: everything): (html, version)."""
    return render_participant_push(link, event, device_key=device_key, request=request)


def test_the_notes_screen_gets_the_inbox_with_the_new_proposal(phone, link, in_round, secretary, push_request):
    send(phone, link, open_questions(in_round)[0], text="Net binnen")

    html_, version, _ = render_push(
        in_round.pk, Screen.NOTES, proposals_event(in_round), request=push_request(secretary)
    )

    assert version == fresh(in_round).version
    assert 'id="proposal-inbox"' in html_ and 'hx-swap-oob="true"' in html_
    assert "Net binnen" in html_ and f'name="text-{Proposal.objects.get().pk}"' in html_


def test_a_watching_researcher_gets_no_inbox_pushed(phone, link, in_round, researcher, push_request):
    send(phone, link, open_questions(in_round)[0], text="Net binnen")

    html_, _, _ = render_push(in_round.pk, Screen.NOTES, proposals_event(in_round), request=push_request(researcher))

    assert "Net binnen" not in html_


@pytest.mark.usefixtures("english")
def test_the_run_view_gets_its_participation_panel(phone, link, in_round, facilitator, push_request):
    send(phone, link, open_questions(in_round)[0])

    html_, _, _ = render_push(in_round.pk, Screen.RUN, proposals_event(in_round), request=push_request(facilitator))

    assert 'id="participation-panel" hx-swap-oob="true"' in html_
    assert "proposal waits for the secretary" in html_


def test_the_projector_shows_nothing_of_proposals(
    phone, link, in_round, facilitator, push_request, django_assert_num_queries
):
    send(phone, link, open_questions(in_round)[0])
    event = proposals_event(in_round)

    with django_assert_num_queries(0):
        html_, version, _ = render_push(in_round.pk, Screen.PROJECTOR, event, request=push_request(facilitator))

    assert (html_, version) == ("", event.version)


@pytest.mark.parametrize("change", ["n1", "k1", push.AGREEMENTS])
def test_a_phone_pays_nothing_for_a_note_or_an_agreement(link, push_request, django_assert_num_queries, change):
    event = push.Event(link.session_id, 42, change)

    with django_assert_num_queries(0):
        assert phone_push(link, event, device_key="sleutel", request=push_request()) == ("", 42)


def test_a_phone_gets_its_own_list_pushed(phone, link, in_round, push_request):
    question = open_questions(in_round)[0]
    send(phone, link, question, text="Mijn antwoord")
    send(join(Client(), link), link, question, text="Andermans antwoord")
    event = proposals_event(in_round)

    html_, version = phone_push(link, event, device_key=device_key_of(phone, in_round), request=push_request())

    assert version == event.version
    assert 'id="my-proposals" hx-swap-oob="true"' in html_
    assert "Mijn antwoord" in html_ and "Andermans antwoord" not in html_
    assert question.text[:30] in html_  # its question, for recognition
    # A phone without a key has no list.
    assert phone_push(link, event, device_key=None, request=push_request()) == ("", event.version)


def test_a_move_is_rendered_once_for_all_the_phones_of_a_link(link, in_round, push_request):
    moved = timeline.next_step(in_round.pk, fresh(in_round).timeline_version)
    event = push.Event(in_round.pk, moved.version, push.STEP)

    first, _ = phone_push(link, event, device_key="telefoon-1", request=push_request())
    with CaptureQueriesContext(connection) as queries:
        second, _ = phone_push(link, event, device_key="telefoon-2", request=push_request())

    assert second == first and len(queries) == 0
    # Nobody's token in what every phone gets: the page's own CSRF header and a client token per phone serve.
    assert "csrfmiddlewaretoken" not in first
    assert 'name="client_token" value=""' in first


def test_a_phone_gets_the_whole_state_with_the_questions(phone, link, in_round, push_request):
    html_, version = phone_push(link, None, device_key=None, request=push_request())

    assert version == fresh(in_round).version
    assert 'id="participant-now" hx-swap-oob="true"' in html_
    for question in open_questions(in_round):
        assert question.text in html_


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("end", "says"),
    [
        ("close", "The facilitator has closed this link."),
        ("renew", "The facilitator has closed this link."),
        ("finish", "The session has finished. Thank you for taking part."),
    ],
)
def test_a_dead_link_pushes_its_end_and_no_questions(link, in_round, facilitator, push_request, end, says):
    if end == "close":
        participation.close_for_participants(in_round)
    elif end == "renew":
        participation.renew_link(in_round, by=facilitator)
    else:
        timeline.finish(in_round.pk, fresh(in_round).timeline_version)
    questions = SessionStep.objects.filter(block__session=in_round, kind=StepKind.QUESTION)

    for event in (None, push.Event(in_round.pk, fresh(in_round).version, push.TIMELINE)):
        html_, _ = phone_push(link, event, device_key=None, request=push_request())
        assert says in html_ and 'data-block="ended"' in html_
        for question in questions:
            assert question.text not in html_
        assert "<form" not in html_


def test_sending_announces_a_proposals_change(phone, link, in_round, announced, django_capture_on_commit_callbacks):
    before = fresh(in_round).version

    with django_capture_on_commit_callbacks(execute=True):
        send(phone, link, open_questions(in_round)[0])

    assert announced == [push.Event(in_round.pk, before + 1, push.PROPOSALS)]
    assert fresh(in_round).version == before + 1


def test_a_refused_answer_announces_nothing(phone, link, in_round, announced, django_capture_on_commit_callbacks):
    before = fresh(in_round).version

    with django_capture_on_commit_callbacks(execute=True):
        send(phone, link, open_questions(in_round)[0], text="")

    assert announced == [] and fresh(in_round).version == before


def test_accepting_announces_the_note_and_the_proposals(
    secretary_client, in_round, two_proposals, announced, django_capture_on_commit_callbacks
):
    before = fresh(in_round).version

    with django_capture_on_commit_callbacks(execute=True):
        secretary_client.post(decide_url(in_round), {"accept": two_proposals[0].pk}, headers=HTMX)

    note = Note.objects.get()
    assert announced == [
        push.Event(in_round.pk, before + 1, push.note_change(note.pk)),
        push.Event(in_round.pk, before + 2, push.PROPOSALS),
    ]


def test_opening_and_closing_the_link_announce_a_full_change(
    client, facilitator, in_round, announced, django_capture_on_commit_callbacks
):
    client.force_login(facilitator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(link_url(in_round, "openen"), headers=HTMX)
        client.post(link_url(in_round, "openen"), headers=HTMX)  # already open: no change
        client.post(link_url(in_round, "sluiten"), headers=HTMX)

    assert [event.change for event in announced] == [push.FULL, push.FULL]


# The phone's stream under ASGI (as under uvicorn)


@pytest.fixture
def fast_heartbeat(settings):
    settings.LIVE_STREAM_HEARTBEAT_SECONDS = 0.05
    settings.LIVE_PUSH_BACKEND = "local"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("english")
def test_a_phones_stream_pushes_its_own_answer_then_the_links_end(link, in_round, fast_heartbeat):
    question = open_questions(in_round)[0]
    version = fresh(in_round).version

    async def scenario():
        phone = AsyncClient()
        await phone.get(phone_url("join", link.token))
        response = await phone.get(phone_url("stream", link.token), {"v": version})
        assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
        chunks = aiter(response.streaming_content)
        opening = await read_until(chunks, lambda text: "event: ping" in text)
        sent = await phone.post(
            phone_url("send", link.token),
            {"question": question.pk, "text": "Via de stroom", "client_token": "s1"},
            headers=HTMX,
        )
        assert sent.status_code == 200
        mine = await read_until(chunks, lambda text: "Via de stroom" in text)
        await sync_to_async(participation.close_for_participants)(in_round)
        ended = await read_until(chunks, lambda text: "closed this link" in text)
        await response.streaming_content.aclose()
        return opening, mine, ended

    opening, mine, ended = run(scenario())
    assert "event: ready" in opening and "id:" not in opening
    assert f"id: {version + 1}\n" in mine and 'id="my-proposals"' in mine
    assert question.text not in ended


# 7. What the pages cost: the same at a few rows as at many


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_the_notes_page_costs_the_same_with_3_and_30_proposals(
    secretary_client, in_round, link, django_assert_max_num_queries
):
    url = reverse("sessions:notes", args=[in_round.pk])
    make_proposals(in_round, 3)
    secretary_client.get(url)  # warm: the user's permissions, the session's caches
    few, _ = count_queries(secretary_client, url)
    make_proposals(in_round, 27, devices=9)

    with django_assert_max_num_queries(few):
        response = secretary_client.get(url)

    assert response.content.decode().count('class="proposal-item') == 30


def test_the_decision_answer_costs_the_same_with_3_and_30_proposals(
    secretary_client, in_round, link, django_assert_max_num_queries
):
    make_proposals(in_round, 4)
    first = Proposal.objects.order_by("pk").first()
    with CaptureQueriesContext(connection) as queries:
        secretary_client.post(decide_url(in_round), {"dismiss": first.pk}, headers=HTMX)
    few = len(queries)
    make_proposals(in_round, 27, devices=9)
    second = Proposal.objects.filter(status=ProposalStatus.NEW).order_by("pk").first()

    with django_assert_max_num_queries(few):
        response = secretary_client.post(decide_url(in_round), {"dismiss": second.pk}, headers=HTMX)

    assert response.content.decode().count('class="proposal-item') == 29


def test_a_phones_page_and_poll_cost_the_same_with_2_and_20_of_its_answers(
    phone, link, in_round, settings, django_assert_max_num_queries
):
    settings.PARTICIPANT_PROPOSALS_PER_DEVICE_PER_MINUTE = 100
    questions = open_questions(in_round)
    page, poll = phone_url("join", link.token), phone_url("poll", link.token) + "?v=0"

    def answer(numbers):
        for i in numbers:
            send(phone, link, questions[i % 3], text=f"Antwoord {i}")

    answer(range(2))
    few_page, _ = count_queries(phone, page)
    few_poll, _ = count_queries(phone, poll)
    answer(range(2, 20))

    with django_assert_max_num_queries(few_page):
        response = phone.get(page)
    with django_assert_max_num_queries(few_poll):
        polled = phone.get(poll)

    for content in (response.content.decode(), polled.content.decode()):
        assert len(re.findall(r'class="[^"]*\bmy-proposal\b', content)) == 20


def test_a_pushed_change_of_proposals_costs_the_same_with_few_and_many(
    phone, link, in_round, secretary, push_request, settings, django_assert_max_num_queries
):
    """The notes screen's inbox and a phone's own list, as the streams render them."""
    settings.PARTICIPANT_PROPOSALS_PER_DEVICE_PER_MINUTE = 100
    key = device_key_of(phone, in_round)
    question = open_questions(in_round)[0]
    request = push_request(secretary)
    send(phone, link, question, text="Eerste")
    make_proposals(in_round, 2)
    event = proposals_event(in_round)
    render_push(in_round.pk, Screen.NOTES, event, request=request)  # warm: the user's permissions
    # Counted at once: the next request through the test client empties the connection's query log.
    with CaptureQueriesContext(connection) as queries:
        render_push(in_round.pk, Screen.NOTES, event, request=request)
    notes_few = len(queries)
    with CaptureQueriesContext(connection) as queries:
        phone_push(link, event, device_key=key, request=push_request())
    phone_few = len(queries)
    for i in range(19):
        send(phone, link, question, text=f"Meer {i}")
    make_proposals(in_round, 9, devices=9)
    event = proposals_event(in_round)

    with django_assert_max_num_queries(notes_few):
        inbox_html, _, _ = render_push(in_round.pk, Screen.NOTES, event, request=request)
    with django_assert_max_num_queries(phone_few):
        mine_html, _ = phone_push(link, event, device_key=key, request=push_request())

    assert inbox_html.count('class="proposal-item') == 31
    assert len(re.findall(r'class="[^"]*\bmy-proposal\b', mine_html)) == 20


def test_the_run_view_costs_the_same_with_1_and_10_accepted_answers(
    client, facilitator, secretary, in_round, link, django_assert_max_num_queries
):
    url = reverse("sessions:run", args=[in_round.pk])
    client.force_login(facilitator)

    def accept_new(count):
        make_proposals(in_round, count)
        for proposal in Proposal.objects.filter(status=ProposalStatus.NEW):
            participation.accept(in_round, [proposal], by=secretary)

    accept_new(1)
    client.get(url)
    few, _ = count_queries(client, url)
    accept_new(9)

    with django_assert_max_num_queries(few):
        response = client.get(url)

    assert response.content.decode().count('id="shared-') == 10
