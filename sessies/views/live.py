"""The live screens (run view, projector), their poll, and the facilitator's moves."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gesprekstafels.lib.http import posted_int
from sessies import timeline
from sessies.access import get_session_for
from sessies.models import Session
from sessies.screens import Screen, screen_context

# The URL slugs of the facilitator's moves (Dutch, as all paths are).
MOVES = {
    "start": timeline.start,
    "pauzeer": timeline.pause,
    "hervat": timeline.resume,
    "volgende": timeline.advance_to_next_block,
    "vorige": timeline.go_back_to_previous_block,
    "verleng": timeline.extend_current_block,
    "afronden": timeline.finish,
    "stap-volgende": timeline.next_step,
    "stap-vorige": timeline.previous_step,
    "scherm-zwart": timeline.toggle_screen_blank,
    "resttijd": timeline.toggle_screen_time,
}


def run_view(request, pk):
    session = get_session_for(request.user, pk)
    return render(request, Screen.RUN.template, screen_context(session, Screen.RUN, user=request.user))


def projector_view(request, pk):
    session = get_session_for(request.user, pk)
    return render(request, Screen.PROJECTOR.template, screen_context(session, Screen.PROJECTOR, user=request.user))


@require_GET
def live_poll(request, pk):
    """Answer 204 while the session is unchanged; otherwise the live partials to swap.

    The unchanged case is the hot path (every client, every 2 s): for the facilitator and the
    secretary, who poll all session long, one query without joins reads the version and
    decides access. Researchers and admins watching go through the full access check.
    """
    screen = Screen.for_team(request.GET.get("view"))
    row = Session.objects.filter(pk=pk).order_by().values_list("version", "facilitator_id", "secretary_id").first()
    if row is None:
        raise Http404
    version, facilitator_id, secretary_id = row
    session = None
    if request.user.pk not in (facilitator_id, secretary_id):
        session = get_session_for(request.user, pk)  # refused for everyone else
    if str(version) == request.GET.get("v"):
        return HttpResponse(status=204)
    session = session or get_session_for(request.user, pk)
    return render(request, f"{screen.template}#live", screen_context(session, screen, user=request.user))


@require_POST
def transition(request, pk, action):
    session = get_session_for(request.user, pk, need="run")
    version = posted_int(request, "version")
    if action == "stap":
        step_pk = posted_int(request, "step")
        return _apply(request, session, lambda: timeline.go_to_step(session.pk, version, step_pk, by=request.user))
    move = MOVES.get(action)
    if move is None:
        return _unknown_move(request, session)
    return _apply(request, session, lambda: move(session.pk, version, by=request.user))


@require_POST
def catch_up(request, pk):
    session = get_session_for(request.user, pk, need="run")
    kind = request.POST.get("kind", "")
    if kind not in timeline.CATCH_UP_KINDS:
        return _unknown_move(request, session)
    return _apply(
        request,
        session,
        lambda: timeline.accept_catch_up(session.pk, posted_int(request, "version"), kind, by=request.user),
    )


def _apply(request, session, change):
    status = 200
    try:
        change()
    except timeline.StaleVersion:
        status = 409
        messages.warning(
            request,
            _(
                "Someone else changed the session first (another tab or device). Nothing was done twice; "
                "you now see the current state."
            ),
        )
    except timeline.TransitionRefused as refused:
        status = 409
        messages.warning(request, str(refused))
    return _answer(request, session, status)


def _unknown_move(request, session):
    """A move this server does not know (an old page, a forged form): say so on the page.

    422 rather than 404, so htmx swaps the answer in and the message shows.
    """
    messages.warning(request, _("That step is not available. Reload the page and try again."))
    return _answer(request, session, 422)


def _answer(request, session, status):
    if not request.htmx:
        return redirect("sessions:run", pk=session.pk)
    session.refresh_from_db()
    return render(
        request, f"{Screen.RUN.template}#live", screen_context(session, Screen.RUN, user=request.user), status=status
    )
