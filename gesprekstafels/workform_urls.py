from django.urls import path

from gesprekstafels import workform_views

app_name = "werkvormen"
urlpatterns = [
    path("", workform_views.workform_list, name="list"),
    path("<int:pk>/", workform_views.workform_detail, name="detail"),
]
