"""A reviewer's pages, reached by a personal link with a token (no account)."""

from django.urls import path

from sessies.views import review

app_name = "review"
urlpatterns = [
    path("<str:token>/", review.review_page, name="page"),
    path("<str:token>/opmerking/", review.review_comment, name="comment"),
    path("<str:token>/akkoord/", review.review_agree, name="agree"),
]
