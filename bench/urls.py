from django.conf import settings
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


@login_not_required
def queries(request):
    """live_bench.py memory: the database queries this process has run (BENCH_COUNT_QUERIES=1); runs none itself."""
    return HttpResponse(str(getattr(settings, "BENCH_QUERIES_SEEN", [-1])[0]), content_type="text/plain")


urlpatterns = [
    path("bench/plain/", plain),
    path("bench/queries/", queries),
    path("bench/signed-in/", signed_in),
    path("", include("gesprekstafels.urls")),
]
