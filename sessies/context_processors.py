"""Flags for what the user may start in sessies, for every page's links (the rules are in sessies.access).

Pages of the lower apps (a project, a script) link to "plan a session"; this flag lets them do
so without importing sessies.
"""

from sessies.access import can_manage_personal_data, can_plan_session


def access(request):
    # Callables: the template engine calls them only on pages that ask, so the live poll pays nothing.
    return {
        "can_plan_session": lambda: can_plan_session(request.user),
        "can_manage_personal_data": lambda: can_manage_personal_data(request.user),
    }
