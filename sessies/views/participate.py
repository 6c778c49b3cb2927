"""A participant's phone: the session's link, its live page, and sending answers. No account, no login.

Every view starts from the token: an unknown, closed or finished link gets a clear page and
nothing of the session. The token opens these views only; the rest of the app still asks for a
login (gesprekstafels.lib.middleware), whatever cookie the phone holds.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from gesprekstafels.lib.http import parse_id
from sessies import participation
from sessies.participation import LinkProblem
from sessies.screens import Screen, participant_context

TEMPLATE = Screen.PARTICIPANT.template
# A phone keeps its key for the length of a long session day; a later visit gets a new one.
DEVICE_COOKIE_MAX_AGE = 12 * 60 * 60


def device_cookie_name(session_pk):
    return f"{participation.DEVICE_COOKIE_PREFIX}{session_pk}"


def device_key(request, session_pk):
    return request.get_signed_cookie(
        device_cookie_name(session_pk), default=None, salt=participation.DEVICE_COOKIE_SALT
    )


def _closed_page(request, problem):
    status = 404 if problem == LinkProblem.UNKNOWN else 410
    return render(request, "sessies/participant_closed.html", {"problem": problem}, status=status)


def _link(request, token):
    link, problem = participation.find_link(token)
    return link, (_closed_page(request, problem) if problem else None)


@login_not_required
@require_GET
def join(request, token):
    link, refusal = _link(request, token)
    if refusal:
        return refusal
    session = link.session
    key = device_key(request, session.pk)
    context = participant_context(session, link=link, device_key=key, request=request)
    response = render(request, TEMPLATE, context)
    if not key:
        response.set_signed_cookie(
            device_cookie_name(session.pk),
            participation.new_device_key(),
            salt=participation.DEVICE_COOKIE_SALT,
            max_age=DEVICE_COOKIE_MAX_AGE,
            path=request.path,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


@login_not_required
@require_GET
def poll(request, token):
    """204 while the session is unchanged; otherwise the live state. A closed link answers with its page."""
    link, refusal = _link(request, token)
    if refusal:
        return refusal
    session = link.session
    if str(session.version) == request.GET.get("v"):
        return HttpResponse(status=204)
    key = device_key(request, session.pk)
    return render(request, f"{TEMPLATE}#live", participant_context(session, link=link, device_key=key, request=request))


@login_not_required
@require_POST
def send(request, token):
    link, refusal = _link(request, token)
    if refusal:
        return refusal
    session = link.session
    key = device_key(request, session.pk)
    question_pk = parse_id(request.POST.get("question"))
    text = request.POST.get("text", "")
    try:
        participation.submit(
            link,
            key,
            question_pk=question_pk,
            text=text,
            sender=request.POST.get("sender", ""),
            client_token=request.POST.get("client_token", ""),
        )
    except participation.Refused as refused:
        if not request.htmx:
            return _back_with_message(request, token, refused.message)
        context = _form_context(link, question_pk, text=text, client_token=request.POST.get("client_token", ""))
        context["error"] = refused.message
        return render(request, f"{TEMPLATE}#answer-form", context, status=refused.status)
    if not request.htmx:
        return redirect("participate:join", token=token)
    context = _form_context(link, question_pk, text="", client_token=uuid.uuid4().hex)
    context |= {"sent": True, "mine": participation.own_proposals(session, key), "oob": True}
    return render(request, f"{TEMPLATE}#answer-sent", context)


def _form_context(link, question_pk, *, text, client_token):
    """One answer form as it was posted (a refusal) or fresh (after sending)."""
    return {
        "session": link.session,
        "link": link,
        "question": participation.answerable_question(link.session, question_pk),
        # Kept when the question is not open (any more): the text stays with what it answered.
        "question_pk": question_pk,
        "text": text,
        "client_token": client_token,
        "max_length": participation.PROPOSAL_MAX_LENGTH,
        "shared": False,
    }


def _back_with_message(request, token, message):
    messages.warning(request, message)
    return redirect("participate:join", token=token)
