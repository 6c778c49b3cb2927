from django.urls import path

from gesprekstafels import views

app_name = "gesprekstafels"
urlpatterns = [
    path("", views.library, name="library"),
    path("<slug:slug>/", views.script_detail, name="script"),
    path("<slug:slug>/pdf/", views.script_pdf, name="script_pdf"),
]
