"""Who may do what with sessions: every session view goes through this module.

The contract, shared with kader.access: a session the user may not see at all answers 404,
so its existence stays hidden (it holds what participants said); a session the user sees but
may not do this to answers 403. The object rules themselves are predicates on Session.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from kader.models import LEADING_ROLES, ResearchProject
from sessies.models import Session

RULES = {
    "view": Session.can_view,
    "run": Session.can_run,
    "write": Session.can_write_notes,
    "report": Session.can_edit_report,
    "send": Session.can_send_report,
}


def can_plan_session(user, project=None):
    """Plan sessions at all (no project: the "Plan a session" buttons), or for this project.

    For a project: its researchers and facilitators, and whoever sees every project or session.
    projects_to_plan_for() is the same rule as a queryset; keep the two in step.
    """
    if not user.has_perm("sessies.add_session"):
        return False
    if project is None or _plans_for_every_project(user):
        return True
    return bool(project.roles_of(user) & set(LEADING_ROLES))


def projects_to_plan_for(user):
    """The projects `user` may plan a session for (can_plan_session for each one)."""
    if not user.has_perm("sessies.add_session"):
        return ResearchProject.objects.none()
    if _plans_for_every_project(user):
        return ResearchProject.objects.all()
    return ResearchProject.objects.with_member(user, roles=LEADING_ROLES)


def _plans_for_every_project(user):
    return user.has_perm("sessies.view_all_sessions") or user.has_perm("kader.view_all_projects")


def can_manage_personal_data(user):
    """Export and erase anyone's data: administrators (Beheerders) only."""
    return user.has_perm("sessies.manage_personal_data")


def get_session_for(user, pk, *, need="view", queryset=None):
    """Return the session; 404 when the user may not see it, 403 when they see it but `need` is not theirs."""
    queryset = Session.objects if queryset is None else queryset
    session = get_object_or_404(queryset.select_related("project", "facilitator", "secretary"), pk=pk)
    if not session.can_view(user):
        raise Http404
    if not RULES[need](session, user):
        raise PermissionDenied
    return session
