"""The secretary's side of a draft report's review; included in the sessions namespace."""

urlpatterns = []
