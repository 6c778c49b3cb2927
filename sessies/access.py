"""One access helper for sessions: every session view goes through it."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from sessies.models import Session

RULES = {
    "view": Session.can_view,
    "run": Session.can_run,
    "write": Session.can_write_notes,
    "report": Session.can_edit_report,
    "send": Session.can_send_report,
}


def get_session_for(user, pk, *, need="view", queryset=None):
    """Return the session or raise 404 (not visible at all) / 403 (visible, not allowed)."""
    session = get_object_or_404(
        (queryset or Session.objects).select_related("project", "facilitator", "secretary"), pk=pk
    )
    if not session.can_view(user):
        raise PermissionDenied
    if not RULES[need](session, user):
        raise PermissionDenied
    return session
