"""A reviewer's pages, reached by a personal link with a token (no account)."""

app_name = "review"
urlpatterns = []
