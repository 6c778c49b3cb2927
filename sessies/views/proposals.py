"""The team's side of participants' phones: the link (facilitator), the proposals (secretary), the projector."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gesprekstafels.lib.http import parse_id
from sessies import participation
from sessies.access import get_session_for
from sessies.models import JoinLink, Note
from sessies.screens import Screen, participation_context, screen_context

LINK_ACTIONS = {"openen", "sluiten", "vernieuwen"}


@require_POST
def join_link(request, pk, action):
    """Open the session to participants, close it, or replace the link (the facilitator's run view)."""
    session = get_session_for(request.user, pk, need="run")
    if action not in LINK_ACTIONS:
        messages.warning(request, _("That step is not available. Reload the page and try again."))
        return _run_answer(request, session, 422)
    status = 200
    try:
        if action == "openen":
            participation.open_for_participants(session, by=request.user)
        elif action == "vernieuwen":
            participation.renew_link(session, by=request.user)
            messages.info(request, _("A new link is open; the old one no longer works."))
        else:
            participation.close_for_participants(session)
    except participation.Refused as refused:
        messages.warning(request, refused.message)
        status = 409
    return _run_answer(request, session, status)


def _run_answer(request, session, status):
    if not request.htmx:
        return redirect("sessions:run", pk=session.pk)
    session.refresh_from_db()
    context = screen_context(session, Screen.RUN, user=request.user)
    return render(request, f"{Screen.RUN.template}#live", context, status=status)


@require_GET
def join_qr(request, pk, token):
    """The QR code of the session's open link, for those who see the session (run view, projector)."""
    session = get_session_for(request.user, pk)
    if not participation.token_shaped(token):
        raise Http404
    link = get_object_or_404(JoinLink, session=session, token=token, closed_at__isnull=True)
    url = request.build_absolute_uri(reverse("participate:join", args=[link.token]))
    response = HttpResponse(participation.qr_svg(url), content_type="image/svg+xml")
    # The token is in the URL: a new link is a new image, so this one may be kept.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_POST
def decide(request, pk):
    """Accept (as edited), dismiss, merge or block: which one the pressed button says."""
    session = get_session_for(request.user, pk, need="write")
    pending = {p.pk: p for p in participation.inbox(session)}
    post = request.POST
    if "accept" in post:
        proposal = pending.get(parse_id(post["accept"]))
        if proposal and participation.accept(session, [proposal], by=request.user, text=_posted_text(post, proposal)):
            messages.success(request, _("Taken into the harvest."))
        else:
            messages.warning(request, _("This proposal has already been dealt with."))
    elif "dismiss" in post:
        proposal = pending.get(parse_id(post["dismiss"]))
        if not (proposal and participation.dismiss(session, [proposal], by=request.user)):
            messages.warning(request, _("This proposal has already been dealt with."))
    elif "block" in post:
        proposal = pending.get(parse_id(post["block"]))
        if proposal:
            participation.block_device(session, proposal.device, by=request.user)
            messages.info(request, _("That phone can no longer send answers; its open proposals were dismissed."))
    elif "merge" in post:
        chosen = [pending[pk] for pk in dict.fromkeys(map(parse_id, post.getlist("selected"))) if pk in pending]
        if len(chosen) < 2:
            messages.warning(request, _("Select at least two proposals to merge."))
        else:
            text = "\n".join(_posted_text(post, proposal) for proposal in chosen)
            participation.accept(session, chosen, by=request.user, text=text)
            messages.success(request, _("Merged into one note in the harvest."))
    if not request.htmx:
        return redirect("sessions:notes", pk=session.pk)
    session.refresh_from_db()
    context = {"session": session, "can_write": True, "can_run": session.can_run(request.user)}
    context.update(participation_context(session, session.current_block, Screen.NOTES, can_write=True))
    return render(request, f"{Screen.NOTES.template}#proposals-answer", context)


def _posted_text(post, proposal):
    """The proposal's text as the secretary edited it (its own when the field is empty or too long)."""
    try:
        return participation.clean_text(post.get(f"text-{proposal.pk}", ""), participation.PROPOSAL_MAX_LENGTH, "")
    except participation.Refused:
        return proposal.text


@require_POST
def note_on_projector(request, pk, note_pk):
    """Show an accepted answer on the projector for the plenary share-out, or take it off."""
    session = get_session_for(request.user, pk, need="write")
    note = get_object_or_404(Note, session=session, pk=note_pk, from_participants=True, deleted_at__isnull=True)
    participation.show_on_projector(session, note, request.POST.get("shown") == "1")
    return _run_answer(request, session, 200)
