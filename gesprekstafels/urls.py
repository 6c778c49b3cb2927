"""The site's URLs: each app brings its own paths; the dashboard composes all three."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from gesprekstafels.lib import accounts
from sessies.views.dashboard import dashboard
from sessies.views.privacy import personal_data_view, privacy_view

admin.site.site_header = "Gesprekstafels"
admin.site.site_title = "Gesprekstafels"

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path(
        "accounts/login/",
        accounts.LoginView.as_view(),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/logout/everywhere/", accounts.logout_everywhere, name="logout_everywhere"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("kader.urls")),
    path("", include("draaiboeken.urls")),
    path("sessies/", include("sessies.urls")),
    # Opened by a link with a token, without an account: participants' phones, draft report reviewers.
    path("doe-mee/", include("sessies.participant_urls")),
    path("meelezen/", include("sessies.review_public_urls")),
    # Personal data (AVG): the public privacy page, export and erasure for administrators.
    path("privacy/", privacy_view, name="privacy"),
    path("beheer/persoonsgegevens/", personal_data_view, name="personal_data"),
    path("admin/", admin.site.urls),
]
