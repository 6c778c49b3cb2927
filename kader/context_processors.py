"""Flags for what the user may start in kader, for every page's links (the rules are in kader.access)."""

from kader.access import can_create_project


def access(request):
    # A callable: the template engine calls it only on pages that ask, so the live poll pays nothing.
    return {"can_create_project": lambda: can_create_project(request.user)}
