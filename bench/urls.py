from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path


@login_not_required
def plain(request):
    """The baseline: a Django view that does no work of its own."""
    return HttpResponse("ok")


urlpatterns = [path("bench/plain/", plain), path("", include("gesprekstafels.urls"))]
