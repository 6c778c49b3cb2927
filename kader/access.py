"""Who may do what with research projects: every project view goes through this module.

The contract, shared with sessies.access: a project the user may not see at all answers 404,
so its existence stays hidden (it holds research data); a project the user sees but may not
change answers 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from kader.models import ResearchProject


def can_create_project(user):
    return user.has_perm("kader.add_researchproject")


def get_project_for(user, pk, *, edit=False, checklist=False, queryset=None):
    """Return the project; 404 when the user may not see it, 403 when `edit` (the project, its people)
    or `checklist` (its checklist) is asked and not theirs.

    Pass a `queryset` to fetch more with it, e.g. its memberships (which the rules read) in one go.
    """
    queryset = ResearchProject.objects if queryset is None else queryset
    project = get_object_or_404(queryset.select_related("current_phase"), pk=pk)
    if not project.can_view(user):
        raise Http404
    if (edit and not project.can_edit(user)) or (checklist and not project.can_edit_checklist(user)):
        raise PermissionDenied
    return project
