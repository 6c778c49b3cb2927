import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


class ChosenLanguageMiddleware:
    """Dutch for everyone, unless the user chose another language in the menu.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which would show
    English to every Dutch user whose browser happens to be set to English.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class HtmxLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Like Django's, but an htmx request without a login gets 401 instead of a redirect.

    XMLHttpRequest follows a redirect silently, so htmx would receive the login page with
    status 200 and take it for a successful save: the typed text would be wiped unsaved.
    The 401 carries an HX-Trigger event with the login URL, and HX-Reswap none so nothing
    on the page is replaced; the page keeps what was typed and asks to sign in again.
    """

    def handle_no_permission(self, request, view_func):
        if request.headers.get("HX-Request") != "true":
            return super().handle_no_permission(request, view_func)
        # After signing in, come back to the page the user was on, not to the POST endpoint.
        page = request.headers.get("HX-Current-URL", "")
        if url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            parts = urlsplit(page)
            next_path = parts.path + (f"?{parts.query}" if parts.query else "")
        else:
            next_path = request.get_full_path()
        login_url = redirect_to_login(
            next_path, resolve_url(self.get_login_url(view_func)), self.get_redirect_field_name(view_func)
        )["Location"]
        response = HttpResponse(
            _("Your login has expired. Sign in again in another tab; what you typed is kept."),
            status=401,
            content_type="text/plain; charset=utf-8",
        )
        response["HX-Trigger"] = json.dumps({"loginRequired": {"loginUrl": login_url}})
        response["HX-Reswap"] = "none"
        return response
