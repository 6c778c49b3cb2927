"""A participant's phone pages, reached by the session's link or QR code (no account)."""

from django.urls import path

from sessies.views import participate, stream

app_name = "participate"
urlpatterns = [
    path("<str:token>/", participate.join, name="join"),
    path("<str:token>/stand/", participate.poll, name="poll"),
    path("<str:token>/stroom/", stream.participant_stream, name="stream"),
    path("<str:token>/antwoord/", participate.send, name="send"),
]
