"""One access helper for research projects: every project view goes through it."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from kader.models import ResearchProject


def get_project_for(user, pk, *, edit=False):
    """Return the project, or raise 403 when the user is not one of its researchers (nor an admin)."""
    project = get_object_or_404(ResearchProject.objects.select_related("current_phase"), pk=pk)
    if not project.can_view(user) or (edit and not project.can_edit(user)):
        raise PermissionDenied
    return project
