from django.urls import path

from kader import views

app_name = "kader"
urlpatterns = [
    path("", views.framework, name="framework"),
    path("fase/<int:number>/", views.phase, name="phase"),
    path("fase/<int:number>/pdf/", views.phase_pdf, name="phase_pdf"),
]
