from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path


@login_not_required
def plain(request):
    """The baseline: a Django view that does no work of its own."""
    return HttpResponse("ok")


def signed_in(request):
    """A Django view that only needs the signed-in user (one query), like every real page."""
    return HttpResponse(request.user.username)


urlpatterns = [
    path("bench/plain/", plain),
    path("bench/signed-in/", signed_in),
    path("", include("gesprekstafels.urls")),
]
