"""A participant's phone pages, reached by the session's link or QR code (no account)."""

app_name = "participate"
urlpatterns = []
