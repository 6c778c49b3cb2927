"""Signing in and out: the login view, and the rule behind "log out on all devices".

Site-wide like Django's own login and logout views, and tied to no app, so it lives with the
project's helpers.
"""

from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST


class LoginView(DjangoLoginView):
    """Django's login view, answering 422 when the form has errors, as every form here does."""

    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 422
        return response


def end_all_sessions(*, user):
    """Delete every live session of `user` on the server, on every device; return how many.

    The session table has no user column, so the live sessions are decoded one by one: a scan,
    but of the few hundred sessions this app has at a time, for a rare action.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    user_id = str(user.pk)
    keys = []
    sessions = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for session in sessions.only("session_key", "session_data").iterator():
        data = store().decode(session.session_data)
        if data.get(SESSION_KEY) == user_id:
            keys.append(session.session_key)
    for key in keys:
        # Through the store, so a cached session (cached_db) leaves the cache as well.
        store(session_key=key).delete()
    return len(keys)


@require_POST
def logout_everywhere(request):
    end_all_sessions(user=request.user)
    logout(request)
    messages.success(request, _("You are logged out on all devices."))
    return redirect(settings.LOGOUT_REDIRECT_URL)
