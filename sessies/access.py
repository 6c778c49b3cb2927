"""Who may do what with sessions: every session view goes through this module.

The contract, shared with kader.access: a session the user may not see at all answers 404,
so its existence stays hidden (it holds what participants said); a session the user sees but
may not do this to answers 403. The object rules themselves are predicates on Session.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from sessies.models import Session

RULES = {
    "view": Session.can_view,
    "run": Session.can_run,
    "write": Session.can_write_notes,
    "report": Session.can_edit_report,
    "send": Session.can_send_report,
}


def can_plan_session(user):
    return user.has_perm("sessies.add_session")


def get_session_for(user, pk, *, need="view", queryset=None):
    """Return the session; 404 when the user may not see it, 403 when they see it but `need` is not theirs."""
    queryset = Session.objects if queryset is None else queryset
    session = get_object_or_404(queryset.select_related("project", "facilitator", "secretary"), pk=pk)
    if not session.can_view(user):
        raise Http404
    if not RULES[need](session, user):
        raise PermissionDenied
    return session
