"""The secretary's side of a draft report's review; included in the sessions namespace.

The invitation or comment acted on travels in the POST body ("invitation", "comment"), checked
against the session's open review (sessies.review.find_invitation, find_comment).
"""

from django.urls import path

from sessies.views import review

urlpatterns = [
    path("<int:pk>/verslag/meelezen/uitnodigen/", review.review_invite, name="review_invite"),
    path("<int:pk>/verslag/meelezen/intrekken/", review.review_revoke, name="review_revoke"),
    path("<int:pk>/verslag/meelezen/opnieuw/", review.review_resend, name="review_resend"),
    path("<int:pk>/verslag/meelezen/afhandelen/", review.review_resolve, name="review_resolve"),
]
