"""The start page: per role, what to do next."""

from django.db.models import Prefetch
from django.shortcuts import render

from kader.models import Membership, ResearchProject
from sessies.models import Session, SessionState
from sessies.next_step import next_step, plan_step


def _with_next_steps(sessions, user):
    sessions = list(sessions)
    for session in sessions:
        session.next_step = next_step(session, user)
    return sessions


def dashboard(request):
    user = request.user
    # The approved PDF is not shown here; it can be large.
    sessions = Session.objects.listed_for(user).defer("report__pdf")
    # The user's own memberships only: the page lists their role(s), and plan_step reads them.
    projects = list(
        ResearchProject.objects.with_member(user)
        .select_related("current_phase")
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.filter(user=user)))
    )
    for project in projects:
        project.plan_step = plan_step(project, user)
    return render(
        request,
        "sessies/dashboard.html",
        {
            "live_sessions": _with_next_steps(
                sessions.filter(state__in=[SessionState.RUNNING, SessionState.PAUSED]), user
            ),
            "upcoming_sessions": _with_next_steps(
                sessions.filter(state=SessionState.PLANNED).order_by("starts_at")[:10], user
            ),
            "recent_sessions": _with_next_steps(sessions.filter(state=SessionState.FINISHED)[:5], user),
            "projects": projects,
        },
    )
