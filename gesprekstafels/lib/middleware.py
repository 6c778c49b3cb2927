from django.conf import settings
from django.utils import translation


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
