from django.urls import include, path

from draaiboeken import views

script_patterns = [
    path("", views.library, name="library"),
    # Two segments, so no script slug can shadow a method page.
    path("methode/<slug:slug>/", views.method_detail, name="method"),
    path("<slug:slug>/", views.script_detail, name="script"),
    path("<slug:slug>/pdf/", views.script_pdf, name="script_pdf"),
]

workform_patterns = [
    path("", views.workform_list, name="list"),
    path("<int:pk>/", views.workform_detail, name="detail"),
]

urlpatterns = [
    path("draaiboeken/", include((script_patterns, "scripts"))),
    path("werkvormen/", include((workform_patterns, "workforms"))),
]
